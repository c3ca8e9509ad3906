-- params: $hash, $data
INSERT OR IGNORE INTO plan_blobs (hash, data) VALUES ($hash, $data);
