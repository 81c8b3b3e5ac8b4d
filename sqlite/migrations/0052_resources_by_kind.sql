-- A page of one kind of resource (list-agents filtered by channel, every
-- list of engines) read the (workspace_id, created_at, id) index and skipped
-- the rows of the other kinds, so its cost grew with the other kinds' rows.
-- With kind after workspace_id, such a page is a range of this index. A page
-- of both agent kinds keeps reading resources_by_created, in order (SQLite
-- plans both so without statistics).
CREATE INDEX resources_by_kind ON resources (workspace_id, kind, created_at, id);
