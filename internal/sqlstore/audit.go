package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/agentry/agentry"
)

const auditColumns = `seq, workspace_id, at, actor_prefix, actor_label, request_id, action, object_type, object_id, version, paths, details`

// InsertAuditEntry appends an entry; the database numbers it (RETURNING
// works on SQLite and PostgreSQL alike).
func (t *Tx) InsertAuditEntry(e *agentry.AuditEntry) error {
	var paths, details any
	if e.Paths != nil {
		b, err := json.Marshal(e.Paths)
		if err != nil {
			return err
		}
		paths = string(b)
	}
	if len(e.Details) > 0 {
		details = string(e.Details)
	}
	return t.queryRow(`INSERT INTO audit_log (workspace_id, at, actor_prefix, actor_label, request_id, action, object_type, object_id, version, paths, details)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
		e.WorkspaceID, e.At, e.Actor.KeyPrefix, e.Actor.Label, e.RequestID, e.Action, e.ObjectType, e.ObjectID,
		e.Version, paths, details).Scan(&e.Seq)
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
