-- Agents and response engines are both versioned resources, told apart by
-- their kind: the tables and columns say so. (Index names follow.)
ALTER TABLE agents RENAME TO resources;
ALTER TABLE resources RENAME COLUMN channel TO kind;
ALTER TABLE agent_versions RENAME TO versions;
ALTER TABLE versions RENAME COLUMN agent_id TO resource_id;
ALTER TABLE versions RENAME COLUMN channel TO kind;
ALTER TABLE deletions RENAME COLUMN agent_id TO resource_id;

DROP INDEX agents_by_created;
CREATE INDEX resources_by_created ON resources (workspace_id, created_at, id);
DROP INDEX agent_versions_by_published;
CREATE INDEX versions_by_published ON versions (workspace_id, resource_id, published, published_at);
DROP INDEX agent_versions_by_engine;
CREATE INDEX versions_by_engine ON versions (workspace_id, engine_id) WHERE engine_id <> '';
DROP INDEX agent_versions_summary;
CREATE INDEX versions_summary ON versions
    (workspace_id, resource_id, number, base_version, published, title, description, modified_at);
