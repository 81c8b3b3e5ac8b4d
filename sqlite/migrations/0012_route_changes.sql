-- A short log of changes to what routing snapshots hold (an agent's tags or
-- versions, a phone number). Every replica reads the recent part of it to
-- forget the snapshots it cached, as it reads the deletions log. Rows older
-- than an hour are pruned as new ones are recorded.
CREATE TABLE route_changes (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    subject      TEXT NOT NULL,
    changed_at   INTEGER NOT NULL
);
CREATE INDEX route_changes_by_time ON route_changes (changed_at);
