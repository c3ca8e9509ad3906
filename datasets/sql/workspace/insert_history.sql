-- params: $plan_id, $revision, $data, $blobs, $saved_at
INSERT OR REPLACE INTO plan_history (plan_id, revision, data, blobs, saved_at)
VALUES ($plan_id, $revision, $data, $blobs, $saved_at);
