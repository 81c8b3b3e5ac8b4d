-- What stored configurations refer to beyond versions: knowledge bases,
-- shared components and assets, one row per (field, target). A version's
-- rows go with it, a component's with the component, so that "who uses
-- this knowledge base" and "which flows link this component" are index
-- lookups, never scans of configurations.
CREATE TABLE version_links (
    workspace_id TEXT NOT NULL,
    resource_id  TEXT NOT NULL,
    number       INTEGER NOT NULL,
    field        TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    PRIMARY KEY (workspace_id, resource_id, number, field, target_kind, target_id),
    FOREIGN KEY (workspace_id, resource_id, number) REFERENCES versions (workspace_id, resource_id, number) ON DELETE CASCADE
);
CREATE INDEX version_links_by_target ON version_links (workspace_id, target_kind, target_id);

CREATE TABLE component_links (
    workspace_id TEXT NOT NULL,
    component_id TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    PRIMARY KEY (workspace_id, component_id, target_kind, target_id),
    FOREIGN KEY (workspace_id, component_id) REFERENCES conversation_flow_components (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX component_links_by_target ON component_links (workspace_id, target_kind, target_id);
