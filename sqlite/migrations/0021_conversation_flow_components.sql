-- Shared conversation flow components. config holds every field of the
-- component as a JSON document; revision counts writes, for the ETag.
CREATE TABLE conversation_flow_components (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    config       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    modified_at  INTEGER NOT NULL,
    revision     INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX conversation_flow_components_by_created ON conversation_flow_components (workspace_id, created_at, id);

-- What a published conversation flow version serves of each shared
-- component it uses: the component as it was when the version was
-- published. A published version never changes, so neither do these rows;
-- they go with the version.
CREATE TABLE component_snapshots (
    workspace_id TEXT NOT NULL,
    flow_id      TEXT NOT NULL,
    number       INTEGER NOT NULL,
    component_id TEXT NOT NULL,
    config       TEXT NOT NULL,
    modified_at  INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, flow_id, number, component_id),
    FOREIGN KEY (workspace_id, flow_id, number) REFERENCES versions (workspace_id, resource_id, number) ON DELETE CASCADE
);
