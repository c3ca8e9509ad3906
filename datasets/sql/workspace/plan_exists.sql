-- params: $id
SELECT count(*) AS n FROM plans WHERE id = $id;
