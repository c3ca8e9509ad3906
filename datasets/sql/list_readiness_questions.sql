-- Readiness question bank. params: none
SELECT * FROM readiness_questions ORDER BY condition_id, sort_order;
