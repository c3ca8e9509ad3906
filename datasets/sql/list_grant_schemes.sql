-- Grant schemes filtered by level and stage ('' = all); 'both' schemes match either stage. params: $level, $stage
SELECT * FROM grant_schemes
WHERE ($level = '' OR level = $level)
  AND ($stage = '' OR stage = $stage OR stage = 'both')
ORDER BY CASE level WHEN 'national' THEN 0 WHEN 'prefecture' THEN 1 ELSE 2 END,
         fiscal_year DESC NULLS LAST, id;
