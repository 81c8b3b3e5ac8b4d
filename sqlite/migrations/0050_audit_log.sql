-- The audit log: one row per change, written in the transaction of the
-- change. Rows are only ever inserted, and deleted by an operator's prune
-- (agentry audit prune); nothing updates them. seq orders the log.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id TEXT NOT NULL,
    at           INTEGER NOT NULL,
    actor_prefix TEXT NOT NULL,
    actor_label  TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    version      INTEGER,
    paths        TEXT, -- JSON array of JSON Pointers, or NULL
    details      TEXT  -- JSON object, or NULL
);
CREATE INDEX audit_log_by_workspace ON audit_log (workspace_id, seq);
CREATE INDEX audit_log_by_object ON audit_log (workspace_id, object_type, object_id, seq);
-- No index on at: every index is written by every change, and only the
-- operator's prune filters by time alone (it scans).
