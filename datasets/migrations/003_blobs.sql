-- Workspace schema version 3: large plan parts (a district's buildings, map layers, the
-- photometric files of lights) stored once by content hash instead of inside every plan
-- revision. ``blobs`` lists the hashes a plan or history row refers to (for the clean-up).
CREATE TABLE plan_blobs (
    hash  VARCHAR PRIMARY KEY,   -- sha256 of data
    data  VARCHAR NOT NULL       -- the part's canonical JSON text
);
ALTER TABLE plans ADD COLUMN blobs VARCHAR[];
ALTER TABLE plan_history ADD COLUMN blobs VARCHAR[];
