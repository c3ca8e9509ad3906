-- params: $id, $owner
SELECT data, revision, blobs FROM plans WHERE id = $id AND owner = $owner;
