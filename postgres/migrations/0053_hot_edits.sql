-- An edit of a draft (update-agent and its kin) rewrites the version's title,
-- description, configuration, modification time and revision. PostgreSQL can
-- write such an update in place of the old row, without touching any index
-- (a HOT update), only when no index holds a column it changes and the row's
-- page has room for the new row. versions_summary held title, description
-- and modified_at, so no edit was HOT: each one added an entry to every index
-- of versions and left the old entries behind (0 of 305 edits in a measured
-- run). Without it a page of list-agent-versions reads its rows through
-- versions_pkey, which has the same order; the rows are a few per page, so a
-- page of summaries costs a few more buffers, the same at any table size.
DROP INDEX versions_summary;
-- New pages keep a quarter free for the next version of their rows (about
-- one configuration of 1.5 KB per 8 KB page). Existing pages are left as
-- they are; an edit of a row on a full page moves it once to a page with room.
ALTER TABLE versions SET (fillfactor = 75);
