-- params: $owner
SELECT id, name, revision, created_at, updated_at,
       json_extract_string(data, '$.municipality.name') AS municipality_name
FROM plans
WHERE owner = $owner
ORDER BY updated_at DESC, name;
