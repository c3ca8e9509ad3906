-- The privacy-rule checklist (P01… in facts.md §4f order). params: none
SELECT * FROM privacy_items ORDER BY sort_order;
