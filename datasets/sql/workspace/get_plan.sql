-- params: $id, $owner
SELECT data, revision FROM plans WHERE id = $id AND owner = $owner;
