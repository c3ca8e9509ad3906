-- params: $plan_id, $revision
SELECT data, blobs FROM plan_history WHERE plan_id = $plan_id AND revision = $revision;
