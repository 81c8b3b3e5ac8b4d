-- Tags: named pointers at one version of an agent (environments such as
-- prod), with the dynamic variables that calls served through them get.
-- version NULL: the tag is unassigned. seq is the number of the tag's latest
-- history entry (what If-Match compares); assigned_order orders the
-- assignments of one agent's tags, for each version's preferred tag.
CREATE TABLE tags (
    workspace_id   TEXT NOT NULL,
    agent_id       TEXT NOT NULL,
    name           TEXT NOT NULL,
    version        INTEGER,
    variables      TEXT NOT NULL,
    published_only BOOLEAN NOT NULL,
    seq            INTEGER NOT NULL,
    assigned_at    INTEGER NOT NULL,
    assigned_order INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    modified_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, agent_id, name),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES resources (workspace_id, id) ON DELETE CASCADE
);

-- Every change of a tag, appended and never rewritten; it outlives the tag
-- (not its agent). variables_* are NULL where the tag did not exist.
CREATE TABLE tag_history (
    workspace_id          TEXT NOT NULL,
    agent_id              TEXT NOT NULL,
    tag                   TEXT NOT NULL,
    seq                   INTEGER NOT NULL,
    action                TEXT NOT NULL,
    existed_before        BOOLEAN NOT NULL,
    version_before        INTEGER,
    variables_before      TEXT,
    published_only_before BOOLEAN NOT NULL,
    exists_after          BOOLEAN NOT NULL,
    version_after         INTEGER,
    variables_after       TEXT,
    published_only_after  BOOLEAN NOT NULL,
    revert_of             INTEGER,
    actor_prefix          TEXT NOT NULL,
    actor_label           TEXT NOT NULL,
    request_id            TEXT NOT NULL,
    reason                TEXT,
    changed_at            INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, agent_id, tag, seq),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES resources (workspace_id, id) ON DELETE CASCADE
);
