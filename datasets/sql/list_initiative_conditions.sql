-- The seven common conditions (seed §3(2)) of the given initiatives. params: $ids (list of initiative ids)
SELECT initiative_id, condition_id, condition_no, condition_ja, condition_en, text_ja, text_en, source
FROM initiative_conditions
WHERE list_contains($ids, initiative_id)
ORDER BY condition_no, initiative_id;
