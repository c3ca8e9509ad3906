-- Workspace schema version 1: plans as JSON documents with a revision counter.
CREATE TABLE plans (
    id          VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    data        VARCHAR NOT NULL,   -- the plan JSON (docs/architecture.md)
    revision    INTEGER NOT NULL,   -- +1 on every save; optimistic concurrency
    created_at  VARCHAR NOT NULL,
    updated_at  VARCHAR NOT NULL
);
