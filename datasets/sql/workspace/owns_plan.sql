-- params: $id, $owner
SELECT count(*) AS n FROM plans WHERE id = $id AND owner = $owner;
