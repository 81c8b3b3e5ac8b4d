package sqlstore

import (
	"database/sql"

	"github.com/agentry/agentry"
)

// RecordDeletion appends to the deletion log and prunes entries older than
// pruneBefore (the index on deleted_at keeps both cheap).
func (t *Tx) RecordDeletion(d agentry.Deletion, pruneBefore int64) error {
	if _, err := t.exec(`DELETE FROM deletions WHERE deleted_at < ?`, pruneBefore); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO deletions (workspace_id, resource_id, number, deleted_at) VALUES (?, ?, ?, ?)`,
		d.WorkspaceID, d.ResourceID, d.Number, d.At)
	return err
}

// DeletionsSince lists logged deletions at or after at, oldest first.
func (t *Tx) DeletionsSince(at int64) ([]agentry.Deletion, error) {
	rows, err := t.query(`SELECT workspace_id, resource_id, number, deleted_at FROM deletions WHERE deleted_at >= ? ORDER BY deleted_at`, at)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.Deletion
	for rows.Next() {
		var d agentry.Deletion
		var n sql.NullInt64
		if err := rows.Scan(&d.WorkspaceID, &d.ResourceID, &n, &d.At); err != nil {
			return nil, err
		}
		if n.Valid {
			d.Number = &n.Int64
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
