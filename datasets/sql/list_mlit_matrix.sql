-- MLIT project × keyword matrix of the seed's table (flag = any document row marked ●). params: none
SELECT p.id AS project_id, p.initiative_id, p.project_name_ja, p.project_name_en, p.prefecture,
       p.municipality_name, p.municipality_code, p.support_years,
       k.key, k.position, k.name_ja, k.name_en, u.flag, p.source
FROM (UNPIVOT mlit_projects
      ON mobility, robot, drone, camera_sensor, app, face_recognition, people_flow,
         infrastructure, disaster, health, tourism, energy, digital_twin
      INTO NAME key VALUE flag) u
JOIN mlit_projects p ON p.id = u.id
JOIN mlit_keywords k ON k.key = u.key
ORDER BY p.municipality_code, k.position;
