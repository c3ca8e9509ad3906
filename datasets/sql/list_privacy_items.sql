-- The privacy-rule checklist (P01… in checklist order). params: none
SELECT * FROM privacy_items ORDER BY sort_order;
