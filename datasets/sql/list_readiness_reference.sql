-- Reference profiles (つくば, 柏の葉) per condition. params: none
SELECT * FROM readiness_reference ORDER BY profile_id, condition_id;
