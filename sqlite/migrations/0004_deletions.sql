-- A short log of deletions. Every replica reads the recent part of it to
-- forget the published versions it has cached, so a version deleted through
-- one replica stops being served by all of them. Rows older than an hour are
-- pruned as new deletions are recorded.
CREATE TABLE deletions (
    workspace_id TEXT NOT NULL,
    agent_id     TEXT NOT NULL,
    number       BIGINT, -- NULL: the whole agent or engine
    deleted_at   BIGINT NOT NULL
);
CREATE INDEX deletions_by_time ON deletions (deleted_at);
