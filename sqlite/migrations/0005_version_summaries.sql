-- A covering index for list-agent-versions: a page of summaries is read
-- from the index alone, never from the table rows, which carry whole
-- configurations.
CREATE INDEX agent_versions_summary ON agent_versions
    (workspace_id, agent_id, number, base_version, published, title, description, modified_at);
