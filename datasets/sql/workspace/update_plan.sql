-- params: $id, $owner, $name, $data, $blobs, $revision, $updated_at
UPDATE plans SET name = $name, data = $data, blobs = $blobs, revision = $revision + 1,
                 updated_at = $updated_at
WHERE id = $id AND owner = $owner AND revision = $revision;
