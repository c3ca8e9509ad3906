-- params: $hash
SELECT count(*) AS n FROM plan_blobs WHERE hash = $hash;
