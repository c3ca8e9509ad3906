-- params: $plan_id, $revision
SELECT data FROM plan_history WHERE plan_id = $plan_id AND revision = $revision;
