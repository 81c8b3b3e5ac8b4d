-- Uploaded images and audio, bytes included.
CREATE TABLE assets (
    workspace_id TEXT NOT NULL,
    id           TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content      BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
