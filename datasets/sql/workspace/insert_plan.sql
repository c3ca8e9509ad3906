-- params: $id, $owner, $name, $data, $created_at, $updated_at
INSERT INTO plans (id, owner, name, data, revision, created_at, updated_at)
VALUES ($id, $owner, $name, $data, 1, $created_at, $updated_at);
