package sqlstore

import "github.com/agentry/agentry"

// RecordRouteChange appends to the route change log and prunes entries
// older than pruneBefore (the index on changed_at keeps both cheap).
func (t *Tx) RecordRouteChange(ch agentry.RouteChange, pruneBefore int64) error {
	if _, err := t.exec(`DELETE FROM route_changes WHERE changed_at < ?`, pruneBefore); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO route_changes (id, workspace_id, subject, changed_at) VALUES (?, ?, ?, ?)`,
		ch.ID, ch.WorkspaceID, ch.Subject, ch.At)
	return err
}

// RouteChangesSince lists logged route changes at or after at, oldest
// first.
func (t *Tx) RouteChangesSince(at int64) ([]agentry.RouteChange, error) {
	rows, err := t.query(`SELECT id, workspace_id, subject, changed_at FROM route_changes WHERE changed_at >= ? ORDER BY changed_at, id`, at)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.RouteChange
	for rows.Next() {
		var ch agentry.RouteChange
		if err := rows.Scan(&ch.ID, &ch.WorkspaceID, &ch.Subject, &ch.At); err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, rows.Err()
}
