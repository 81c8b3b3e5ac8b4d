-- Test case definitions, batch tests and their runs (issue 16). None of
-- them is versioned; definitions and batches list by the engine they target.
CREATE TABLE test_case_definitions (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    engine_kind  TEXT NOT NULL,
    engine_id    TEXT NOT NULL,
    fields       TEXT NOT NULL, -- the definition's fields as a JSON object
    created_at   INTEGER NOT NULL,
    modified_at  INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX test_case_definitions_by_engine ON test_case_definitions (workspace_id, engine_id, created_at, id);

CREATE TABLE test_batches (
    workspace_id   TEXT NOT NULL,
    id             TEXT NOT NULL,
    engine_kind    TEXT NOT NULL,
    engine_id      TEXT NOT NULL,
    engine_version INTEGER NOT NULL,
    status         TEXT NOT NULL,
    pass_count     INTEGER NOT NULL,
    fail_count     INTEGER NOT NULL,
    error_count    INTEGER NOT NULL,
    total_count    INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    modified_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX test_batches_by_engine ON test_batches (workspace_id, engine_id, engine_version, created_at, id);

-- A run is claimed by a worker with a compare-and-swap on (status,
-- lease_until); a lapsed lease lets another worker take it over.
CREATE TABLE test_runs (
    workspace_id  TEXT NOT NULL,
    id            TEXT NOT NULL,
    batch_id      TEXT NOT NULL,
    definition_id TEXT NOT NULL,
    position      INTEGER NOT NULL,
    snapshot      TEXT NOT NULL, -- the definition as it was when the batch was created
    status        TEXT NOT NULL,
    lease_until   INTEGER NOT NULL,
    explanation   TEXT,
    transcript    TEXT,
    attempts      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    modified_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX test_runs_by_batch ON test_runs (workspace_id, batch_id, position);
-- Only the runs still to do, oldest batch first and each batch in its
-- order: what workers look for.
CREATE INDEX test_runs_open ON test_runs (created_at, batch_id, position) WHERE status IN ('pending', 'in_progress');
