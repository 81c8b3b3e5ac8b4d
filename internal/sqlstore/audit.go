package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/agentry/agentry"
)

const auditColumns = `seq, workspace_id, at, actor_prefix, actor_label, request_id, action, object_type, object_id, version, paths, details`

// InsertAuditEntry appends an entry; the database numbers it. PostgreSQL's
// driver reports the number only through RETURNING, which reads a row back
// (a query, its rows and a scan); on SQLite (the backend with ? placeholders)
// seq is the rowid, which the driver reports after a plain exec: no rows and
// no scan, about a third of the insert's CPU in the profile of a publish.
func (t *Tx) InsertAuditEntry(e *agentry.AuditEntry) error {
	var paths, details any
	if e.Paths != nil {
		paths = jsonStrings(e.Paths)
	}
	if len(e.Details) > 0 {
		details = string(e.Details)
	}
	const insert = `INSERT INTO audit_log (workspace_id, at, actor_prefix, actor_label, request_id, action, object_type, object_id, version, paths, details)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	args := []any{e.WorkspaceID, e.At, e.Actor.KeyPrefix, e.Actor.Label, e.RequestID, e.Action, e.ObjectType, e.ObjectID,
		e.Version, paths, details}
	if t.s.Dialect.Numbered {
		// Whether the workspace has an enabled webhook comes back in the same
		// round trip: the ListWebhooks that follows the entry (the outbox)
		// then needs no query of its own when it has none, as most have.
		var hooks bool
		err := t.queryRow(insert+` RETURNING seq, EXISTS (SELECT 1 FROM webhooks WHERE workspace_id = ? AND enabled)`,
			append(args, e.WorkspaceID)...).Scan(&e.Seq, &hooks)
		if err == nil && !hooks {
			t.noWebhooks = e.WorkspaceID
		}
		return err
	}
	res, err := t.exec(insert, args...)
	if err != nil {
		return err
	}
	e.Seq, err = res.LastInsertId()
	return err
}

// jsonStrings encodes a list of strings as a JSON array, as json.Marshal
// does (with its escaping) but without reflection.
func jsonStrings(list []string) string {
	b := make([]byte, 0, 2+16*len(list))
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		q, _ := json.Marshal(s)
		b = append(b, q...)
	}
	return string(append(b, ']'))
}

// ListAuditEntries reads a keyset page of one workspace's log by seq, with
// the filters that are set.
func (t *Tx) ListAuditEntries(workspaceID string, q agentry.AuditQuery) ([]agentry.AuditEntry, error) {
	var b strings.Builder
	args := []any{workspaceID}
	b.WriteString(`SELECT ` + auditColumns + ` FROM audit_log WHERE workspace_id = ?`)
	where := func(cond string, vals ...any) {
		b.WriteString(" AND " + cond)
		args = append(args, vals...)
	}
	if q.ObjectType != "" {
		where(`object_type = ?`, q.ObjectType)
	}
	if q.ObjectID != "" {
		where(`object_id = ?`, q.ObjectID)
	}
	if q.Actor != "" {
		where(`(actor_prefix = ? OR actor_label = ?)`, q.Actor, q.Actor)
	}
	if q.Action != "" {
		where(`action = ?`, q.Action)
	}
	if q.ActionPrefix != "" {
		// A prefix: the action's first len(prefix) characters are it.
		where(`substr(action, 1, ?) = ?`, len(q.ActionPrefix), q.ActionPrefix)
	}
	if q.Since != 0 {
		where(`at >= ?`, q.Since)
	}
	if q.Until != 0 {
		where(`at < ?`, q.Until)
	}
	op, dir := ">", "ASC"
	if q.Desc {
		op, dir = "<", "DESC"
	}
	if q.After != nil {
		where(`seq `+op+` ?`, *q.After)
	}
	b.WriteString(` ORDER BY seq ` + dir + ` LIMIT ?`)
	args = append(args, q.Limit)
	rows, err := t.query(b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.AuditEntry
	for rows.Next() {
		var e agentry.AuditEntry
		var version sql.NullInt64
		var paths, details sql.NullString
		if err := rows.Scan(&e.Seq, &e.WorkspaceID, &e.At, &e.Actor.KeyPrefix, &e.Actor.Label, &e.RequestID,
			&e.Action, &e.ObjectType, &e.ObjectID, &version, &paths, &details); err != nil {
			return nil, err
		}
		if version.Valid {
			e.Version = &version.Int64
		}
		if paths.Valid {
			if err := json.Unmarshal([]byte(paths.String), &e.Paths); err != nil {
				return nil, err
			}
		}
		if details.Valid {
			e.Details = json.RawMessage(details.String)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// PruneAuditEntries deletes entries older than before, counting them per
// workspace first (in the same transaction, so the counts are what it
// deletes).
func (t *Tx) PruneAuditEntries(before int64) (map[string]int64, error) {
	rows, err := t.query(`SELECT workspace_id, COUNT(*) FROM audit_log WHERE at < ? GROUP BY workspace_id`, before)
	if err != nil {
		return nil, err
	}
	counts := map[string]int64{}
	for rows.Next() {
		var ws string
		var n int64
		if err := rows.Scan(&ws, &n); err != nil {
			rows.Close()
			return nil, err
		}
		counts[ws] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(counts) == 0 {
		return counts, nil
	}
	_, err = t.exec(`DELETE FROM audit_log WHERE at < ?`, before)
	return counts, err
}
