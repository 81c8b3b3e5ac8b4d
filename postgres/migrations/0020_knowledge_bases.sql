-- The same schema as sqlite/migrations/0020_knowledge_bases.sql, in PostgreSQL types.

-- Knowledge bases and their sources. Indexing is emulated by time:
-- indexed_at is when the first indexing ends, ready_at when the latest one
-- (after sources were added) ends; a source is listed once its own ready_at
-- has passed. Source bytes (files, texts) are kept in the row.
CREATE TABLE knowledge_bases (
    workspace_id        TEXT NOT NULL,
    id                  TEXT NOT NULL,
    name                TEXT NOT NULL,
    enable_auto_refresh BOOLEAN NOT NULL,
    max_chunk_size      BIGINT NOT NULL,
    min_chunk_size      BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    indexed_at          BIGINT NOT NULL,
    ready_at            BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX knowledge_bases_by_created ON knowledge_bases (workspace_id, created_at, id);

CREATE TABLE knowledge_base_sources (
    workspace_id      TEXT NOT NULL,
    knowledge_base_id TEXT NOT NULL,
    id                TEXT NOT NULL,
    position          BIGINT NOT NULL,
    type              TEXT NOT NULL,
    title             TEXT NOT NULL DEFAULT '',
    filename          TEXT NOT NULL DEFAULT '',
    url               TEXT NOT NULL DEFAULT '',
    content_type      TEXT NOT NULL DEFAULT '',
    size              BIGINT NOT NULL DEFAULT 0,
    content           BYTEA,
    created_at        BIGINT NOT NULL,
    ready_at          BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, knowledge_base_id, id),
    FOREIGN KEY (workspace_id, knowledge_base_id) REFERENCES knowledge_bases (workspace_id, id) ON DELETE CASCADE
);
