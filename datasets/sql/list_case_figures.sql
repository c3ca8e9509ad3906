-- Figures of one initiative ('' = all). params: $initiative_id
SELECT * FROM case_figures
WHERE $initiative_id = '' OR initiative_id = $initiative_id
ORDER BY initiative_id, year NULLS LAST, figure_id;
