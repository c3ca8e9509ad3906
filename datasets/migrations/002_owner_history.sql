-- Workspace schema version 2: plan owner (shared deployments with login) and a bounded
-- history of earlier revisions (undo, recovery of work overwritten by another session).
ALTER TABLE plans ADD COLUMN owner VARCHAR NOT NULL DEFAULT '';
CREATE TABLE plan_history (
    plan_id   VARCHAR NOT NULL,
    revision  INTEGER NOT NULL,
    data      VARCHAR NOT NULL,
    saved_at  VARCHAR NOT NULL,
    PRIMARY KEY (plan_id, revision)
);
