-- Phone numbers: unique within the server (one owner per number), scoped
-- by workspace in every query. config holds the fields Retell shows, as
-- JSON; the sticky bucket tables (one per direction, NULL while the number
-- routes at random or the list is empty) are computed when a list changes.
CREATE TABLE phone_numbers (
    phone_number         TEXT PRIMARY KEY,
    workspace_id         TEXT NOT NULL,
    type                 TEXT NOT NULL,
    config               TEXT NOT NULL,
    mode                 TEXT NOT NULL,
    fallback             TEXT NOT NULL DEFAULT '',
    sip_password         TEXT NOT NULL DEFAULT '',
    buckets_inbound      BLOB,
    buckets_outbound     BLOB,
    buckets_inbound_sms  BLOB,
    buckets_outbound_sms BLOB,
    created_at           INTEGER NOT NULL,
    modified_at          INTEGER NOT NULL
);
CREATE INDEX phone_numbers_by_created ON phone_numbers (workspace_id, created_at, phone_number);
CREATE INDEX phone_numbers_by_fallback ON phone_numbers (workspace_id, fallback) WHERE fallback <> '';

-- One row per list entry, so that the numbers binding an agent, a version
-- or a tag are found without reading configurations. agent_version is the
-- reference as written (a number, latest, latest_published or a tag). The
-- foreign key to the agent is a last guard: the service refuses to delete a
-- bound agent with a message before it would fire.
CREATE TABLE phone_bindings (
    workspace_id  TEXT NOT NULL,
    phone_number  TEXT NOT NULL REFERENCES phone_numbers (phone_number) ON DELETE CASCADE,
    direction     TEXT NOT NULL,
    position      INTEGER NOT NULL,
    agent_id      TEXT NOT NULL,
    agent_version TEXT NOT NULL,
    weight        REAL NOT NULL,
    PRIMARY KEY (phone_number, direction, position),
    FOREIGN KEY (workspace_id, agent_id) REFERENCES resources (workspace_id, id)
);
CREATE INDEX phone_bindings_by_agent ON phone_bindings (workspace_id, agent_id);
