-- The same schema as sqlite/migrations/0001_init.sql, in PostgreSQL types:
-- millisecond timestamps and counters are BIGINT.

-- Workspaces own keys and agents; every query is scoped by workspace_id.
CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- Only the SHA-256 of a key is stored; prefix tells keys apart in listings.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    hash         TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT NOT NULL DEFAULT 0
);

-- next_version is the per-agent counter; it only grows.
CREATE TABLE agents (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    channel      TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    next_version BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    modified_at  BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX agents_by_created ON agents (workspace_id, created_at, id);

-- config is the version's configuration as a JSON document. It is TEXT, not
-- JSONB, so that it reads back byte for byte as it was written.
CREATE TABLE agent_versions (
    workspace_id TEXT NOT NULL,
    agent_id     TEXT NOT NULL,
    channel      TEXT NOT NULL,
    number       BIGINT NOT NULL,
    base_version BIGINT,
    published    BOOLEAN NOT NULL,
    published_at BIGINT NOT NULL,
    title        TEXT,
    description  TEXT,
    config       TEXT NOT NULL,
    modified_at  BIGINT NOT NULL,
    revision     BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, agent_id, number),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES agents (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX agent_versions_by_published ON agent_versions (workspace_id, agent_id, published, published_at);
