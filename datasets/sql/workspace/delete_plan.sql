-- params: $id, $owner
DELETE FROM plans WHERE id = $id AND owner = $owner;
