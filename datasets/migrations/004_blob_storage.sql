-- Workspace schema version 4: plan parts stored uncompressed by DuckDB. DuckDB compresses a
-- long VARCHAR column with ZSTD as one stream per 2,048 rows, and reading one row decompresses
-- the stream from its start up to that row: every plan part read cost as much as decompressing
-- all parts stored before it (every kept revision's buildings), so opening a workspace grew
-- with its history. Uncompressed, a read costs only the part's own size.
CREATE TABLE plan_blobs_v4 (
    hash  VARCHAR PRIMARY KEY,                                  -- sha256 of data
    data  VARCHAR USING COMPRESSION uncompressed NOT NULL       -- the part's canonical JSON
);
INSERT INTO plan_blobs_v4 SELECT hash, data FROM plan_blobs;
DROP TABLE plan_blobs;
ALTER TABLE plan_blobs_v4 RENAME TO plan_blobs;
