-- Apps: connections to external systems that app tools run against (issue
-- 16). Secrets are never stored: only the auth type and its non-secret
-- identifiers.
CREATE TABLE apps (
    workspace_id      TEXT NOT NULL,
    id                TEXT NOT NULL,
    type              TEXT NOT NULL,
    provider          TEXT NOT NULL,
    name              TEXT,
    tenant_url        TEXT,
    tenant_id         TEXT,
    auth_type         TEXT,
    auth_client_id    TEXT,
    auth_username     TEXT,
    crm_config        TEXT,
    connection_status TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    modified_at       BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX apps_by_created ON apps (workspace_id, created_at, id);
CREATE INDEX apps_by_provider ON apps (workspace_id, provider);
