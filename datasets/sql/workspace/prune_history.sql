-- params: $plan_id, $keep_from
DELETE FROM plan_history WHERE plan_id = $plan_id AND revision < $keep_from;
