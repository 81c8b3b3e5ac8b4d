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
    sample_count      INTEGER NOT NULL DEFAULT 0,
    sample_bytes      INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX voices_by_created ON voices (workspace_id, created_at, id);
