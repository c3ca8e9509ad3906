-- Announced application windows of the grant schemes, one row per scheme and fiscal year (no params)
SELECT scheme_id, fiscal_year, CAST(start_date AS VARCHAR) AS start_date,
       CAST(end_date AS VARCHAR) AS end_date, note_ja, note_en, source
FROM grant_calls
ORDER BY scheme_id, fiscal_year, start_date NULLS LAST;
