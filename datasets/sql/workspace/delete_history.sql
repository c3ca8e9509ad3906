-- params: $plan_id
DELETE FROM plan_history WHERE plan_id = $plan_id;
