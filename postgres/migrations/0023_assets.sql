-- The same schema as sqlite/migrations/0023_assets.sql, in PostgreSQL types.

-- Uploaded images and audio, bytes included.
CREATE TABLE assets (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content      BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
