-- Next actions per condition and level band. params: none
SELECT * FROM readiness_actions ORDER BY condition_id, band, sort_order;
