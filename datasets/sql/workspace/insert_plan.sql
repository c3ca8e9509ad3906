-- params: $id, $owner, $name, $data, $blobs, $created_at, $updated_at
INSERT INTO plans (id, owner, name, data, blobs, revision, created_at, updated_at)
VALUES ($id, $owner, $name, $data, $blobs, 1, $created_at, $updated_at);
