-- params: $id, $owner, $name, $data, $revision, $updated_at
UPDATE plans SET name = $name, data = $data, revision = $revision + 1, updated_at = $updated_at
WHERE id = $id AND owner = $owner AND revision = $revision;
