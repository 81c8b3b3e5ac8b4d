-- name_fold is the agent name folded to lower case by agentry itself (Go's
-- Unicode folding), so a case-insensitive name search behaves the same on
-- every backend and for every script, not only ASCII.
ALTER TABLE agents ADD COLUMN name_fold TEXT NOT NULL DEFAULT '';
UPDATE agents SET name_fold = lower(name);
