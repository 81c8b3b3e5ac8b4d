-- The response engine version an agent version pins, as real columns so an
-- engine's users can be found without reading configurations.
ALTER TABLE agent_versions ADD COLUMN engine_id TEXT NOT NULL DEFAULT '';
ALTER TABLE agent_versions ADD COLUMN engine_version BIGINT;
CREATE INDEX agent_versions_by_engine ON agent_versions (workspace_id, engine_id) WHERE engine_id <> '';
