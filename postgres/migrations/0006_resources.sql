-- Agents and response engines are both versioned resources, told apart by
-- their kind: the tables and columns say so. (Index names follow.)
ALTER TABLE agents RENAME TO resources;
ALTER TABLE resources RENAME COLUMN channel TO kind;
ALTER TABLE agent_versions RENAME TO versions;
ALTER TABLE versions RENAME COLUMN agent_id TO resource_id;
ALTER TABLE versions RENAME COLUMN channel TO kind;
ALTER TABLE deletions RENAME COLUMN agent_id TO resource_id;

ALTER INDEX agents_by_created RENAME TO resources_by_created;
ALTER INDEX agent_versions_by_published RENAME TO versions_by_published;
ALTER INDEX agent_versions_by_engine RENAME TO versions_by_engine;
ALTER INDEX agent_versions_summary RENAME TO versions_summary;
ALTER INDEX agents_pkey RENAME TO resources_pkey;
ALTER INDEX agent_versions_pkey RENAME TO versions_pkey;
