-- One row that the readiness probe writes: a server whose database cannot
-- be written (a read-only file, a full disk, a read-only replica) is not
-- ready, and refuses to start. Only the probe touches it.
CREATE TABLE write_probe (
    id         INTEGER PRIMARY KEY,
    written_at BIGINT NOT NULL
);
