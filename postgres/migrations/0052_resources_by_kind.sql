-- A page of one kind of resource (list-agents filtered by channel, every
-- list of engines) read the (workspace_id, created_at, id) index and skipped
-- the rows of the other kinds: in a workspace of 100,000 agents an empty
-- page of engines read all of them (145 ms). With kind after workspace_id,
-- such a page is a range of this index whatever the other kinds hold. A page
-- of both agent kinds keeps reading resources_by_created, in order. kind and
-- created_at never change, so updates of a resource stay HOT.
CREATE INDEX resources_by_kind ON resources (workspace_id, kind, created_at, id);
