-- Initiatives filtered by prefecture, type, free-text and MLIT keyword ('' = no filter).
-- params: $prefecture, $type, $text, $mlit_keyword
WITH kw AS (
    SELECT initiative_id, key
    FROM (UNPIVOT mlit_projects
          ON mobility, robot, drone, camera_sensor, app, face_recognition, people_flow,
             infrastructure, disaster, health, tourism, energy, digital_twin
          INTO NAME key VALUE flag)
    WHERE flag
)
SELECT i.*,
       (SELECT string_agg(k.key, ';' ORDER BY k.key) FROM kw k WHERE k.initiative_id = i.id) AS mlit_keywords
FROM initiatives i
WHERE ($prefecture = '' OR i.prefecture = $prefecture)
  AND ($type = '' OR i.type = $type)
  AND ($text = '' OR concat_ws(' ', i.name_ja, i.name_en, i.municipality_name, i.lead_ja, i.lead_en,
                               i.domains_ja, i.domains_en, i.cameras_ja, i.cameras_en)
                     ILIKE '%' || $text || '%')
  AND ($mlit_keyword = '' OR EXISTS (SELECT 1 FROM kw k WHERE k.initiative_id = i.id AND k.key = $mlit_keyword))
ORDER BY CASE i.type WHEN 'super_city' THEN 0 WHEN 'health_zone' THEN 1 ELSE 2 END, i.municipality_code;
