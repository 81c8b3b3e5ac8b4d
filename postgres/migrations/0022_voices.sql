-- The same schema as sqlite/migrations/0022_voices.sql, in PostgreSQL types.

-- Voices a workspace cloned or added from a provider's community library.
-- The built-in catalog is data in the binary, not rows.
CREATE TABLE voices (
    workspace_id      TEXT NOT NULL,
    id                TEXT NOT NULL,
    origin            TEXT NOT NULL,
    provider          TEXT NOT NULL,
    name              TEXT NOT NULL,
    gender            TEXT NOT NULL,
    accent            TEXT NOT NULL DEFAULT '',
    age               TEXT NOT NULL DEFAULT '',
    provider_voice_id TEXT NOT NULL DEFAULT '',
    public_user_id    TEXT NOT NULL DEFAULT '',
    sample_count      BIGINT NOT NULL DEFAULT 0,
    sample_bytes      BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX voices_by_created ON voices (workspace_id, created_at, id);
