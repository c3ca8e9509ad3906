-- Summary and video-DX dimensions (seed §5(1), §4(2)) of the given initiatives. params: $ids (list of initiative ids)
SELECT initiative_id, dimension_id, dimension_no, section, dimension_ja, dimension_en, text_ja, text_en, source
FROM initiative_summary
WHERE list_contains($ids, initiative_id)
ORDER BY dimension_no, initiative_id;
