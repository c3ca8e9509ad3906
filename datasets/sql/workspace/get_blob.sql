-- params: $hash
SELECT data FROM plan_blobs WHERE hash = $hash;
