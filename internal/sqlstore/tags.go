package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/agentry/agentry"
)

const tagColumns = `workspace_id, agent_id, name, version, variables, published_only, seq, assigned_at, assigned_order, created_at, modified_at`

func scanTag(sc interface{ Scan(...any) error }) (agentry.Tag, error) {
	var t agentry.Tag
	var version sql.NullInt64
	var vars string
	err := sc.Scan(&t.WorkspaceID, &t.AgentID, &t.Name, &version, &vars, &t.PublishedOnly, &t.Seq,
		&t.AssignedAt, &t.AssignedOrder, &t.CreatedAt, &t.ModifiedAt)
	if err != nil {
		return t, err
	}
	if version.Valid {
		t.Version = &version.Int64
	}
	t.Variables, err = decodeVariables(vars)
	return t, err
}

// nullTag holds the tag columns of an outer join, NULL where the row has
// no tag.
type nullTag struct {
	workspaceID, agentID, name, vars sql.NullString
	version                          sql.NullInt64
	publishedOnly                    sql.NullBool
	seq, assignedAt, assignedOrder   sql.NullInt64
	createdAt, modifiedAt            sql.NullInt64
}

// dest is what Scan fills, in the order of tagColumns.
func (n *nullTag) dest() []any {
	return []any{&n.workspaceID, &n.agentID, &n.name, &n.version, &n.vars, &n.publishedOnly, &n.seq,
		&n.assignedAt, &n.assignedOrder, &n.createdAt, &n.modifiedAt}
}

// tag is the tag scanned, when name is not NULL.
func (n *nullTag) tag() (agentry.Tag, error) {
	t := agentry.Tag{WorkspaceID: n.workspaceID.String, AgentID: n.agentID.String, Name: n.name.String,
		PublishedOnly: n.publishedOnly.Bool, Seq: n.seq.Int64, AssignedAt: n.assignedAt.Int64,
		AssignedOrder: n.assignedOrder.Int64, CreatedAt: n.createdAt.Int64, ModifiedAt: n.modifiedAt.Int64}
	if n.version.Valid {
		t.Version = &n.version.Int64
	}
	var err error
	t.Variables, err = decodeVariables(n.vars.String)
	return t, err
}

func decodeVariables(s string) (map[string]string, error) {
	m := map[string]string{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	return m, nil
}

func encodeVariables(m map[string]string) (string, error) {
	if m == nil {
		m = map[string]string{}
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// GetTag reads one tag.
func (t *Tx) GetTag(workspaceID, agentID, name string) (*agentry.Tag, error) {
	tag, err := scanTag(t.queryRow(`SELECT `+tagColumns+` FROM tags WHERE workspace_id = ? AND agent_id = ? AND name = ?`,
		workspaceID, agentID, name))
	return &tag, notFound(err)
}

// ListTags reads the tags of the given agents, by agent and name.
func (t *Tx) ListTags(workspaceID string, agentIDs ...string) ([]agentry.Tag, error) {
	if len(agentIDs) == 0 {
		return nil, nil
	}
	args := []any{workspaceID}
	for _, id := range agentIDs {
		args = append(args, id)
	}
	rows, err := t.query(`SELECT `+tagColumns+` FROM tags WHERE workspace_id = ? AND agent_id IN (?`+
		strings.Repeat(`, ?`, len(agentIDs)-1)+`) ORDER BY agent_id, name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.Tag
	for rows.Next() {
		tag, err := scanTag(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, tag)
	}
	return out, rows.Err()
}

// PutTag inserts or replaces a tag row.
func (t *Tx) PutTag(tag *agentry.Tag) error {
	vars, err := encodeVariables(tag.Variables)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO tags (`+tagColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, agent_id, name) DO UPDATE SET version = excluded.version, variables = excluded.variables,
		published_only = excluded.published_only, seq = excluded.seq, assigned_at = excluded.assigned_at,
		assigned_order = excluded.assigned_order, modified_at = excluded.modified_at`,
		tag.WorkspaceID, tag.AgentID, tag.Name, tag.Version, vars, tag.PublishedOnly, tag.Seq,
		tag.AssignedAt, tag.AssignedOrder, tag.CreatedAt, tag.ModifiedAt)
	return err
}

// DeleteTag deletes a tag row (its history stays).
func (t *Tx) DeleteTag(workspaceID, agentID, name string) error {
	return mustAffect(t.exec(`DELETE FROM tags WHERE workspace_id = ? AND agent_id = ? AND name = ?`, workspaceID, agentID, name))
}

// MaxTagOrder is the largest assigned_order among an agent's tags.
func (t *Tx) MaxTagOrder(workspaceID, agentID string) (int64, error) {
	var n int64
	err := t.queryRow(`SELECT COALESCE(MAX(assigned_order), 0) FROM tags WHERE workspace_id = ? AND agent_id = ?`,
		workspaceID, agentID).Scan(&n)
	return n, err
}

// LastTagSeq is the seq of a tag name's latest history entry, or 0.
func (t *Tx) LastTagSeq(workspaceID, agentID, name string) (int64, error) {
	var n int64
	err := t.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM tag_history WHERE workspace_id = ? AND agent_id = ? AND tag = ?`,
		workspaceID, agentID, name).Scan(&n)
	return n, err
}

const entryColumns = `workspace_id, agent_id, tag, seq, action, existed_before, version_before, variables_before, published_only_before,
	exists_after, version_after, variables_after, published_only_after, revert_of, actor_prefix, actor_label, request_id, reason, changed_at`

// InsertTagEntry appends a history entry; a seq taken already is
// ErrDuplicate.
func (t *Tx) InsertTagEntry(e *agentry.TagEntry) error {
	before, err := stateVariables(e.Before)
	if err != nil {
		return err
	}
	after, err := stateVariables(e.After)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO tag_history (`+entryColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.WorkspaceID, e.AgentID, e.Tag, e.Seq, e.Action,
		e.Before.Exists, e.Before.Version, before, e.Before.PublishedOnly,
		e.After.Exists, e.After.Version, after, e.After.PublishedOnly,
		e.RevertOf, e.Actor.KeyPrefix, e.Actor.Label, e.RequestID, e.Reason, e.At)
	return err
}

// stateVariables encodes a state's variables, NULL where the tag did not
// exist.
func stateVariables(s agentry.TagState) (*string, error) {
	if !s.Exists {
		return nil, nil
	}
	v, err := encodeVariables(s.Variables)
	return &v, err
}

func scanEntry(sc interface{ Scan(...any) error }) (agentry.TagEntry, error) {
	var e agentry.TagEntry
	var vb, va, revert sql.NullInt64
	var varsBefore, varsAfter, reason sql.NullString
	err := sc.Scan(&e.WorkspaceID, &e.AgentID, &e.Tag, &e.Seq, &e.Action,
		&e.Before.Exists, &vb, &varsBefore, &e.Before.PublishedOnly,
		&e.After.Exists, &va, &varsAfter, &e.After.PublishedOnly,
		&revert, &e.Actor.KeyPrefix, &e.Actor.Label, &e.RequestID, &reason, &e.At)
	if err != nil {
		return e, err
	}
	if vb.Valid {
		e.Before.Version = &vb.Int64
	}
	if va.Valid {
		e.After.Version = &va.Int64
	}
	if revert.Valid {
		e.RevertOf = &revert.Int64
	}
	if reason.Valid {
		e.Reason = &reason.String
	}
	if varsBefore.Valid {
		if e.Before.Variables, err = decodeVariables(varsBefore.String); err != nil {
			return e, err
		}
	}
	if varsAfter.Valid {
		e.After.Variables, err = decodeVariables(varsAfter.String)
	}
	return e, err
}

// GetTagEntry reads one history entry.
func (t *Tx) GetTagEntry(workspaceID, agentID, name string, seq int64) (*agentry.TagEntry, error) {
	e, err := scanEntry(t.queryRow(`SELECT `+entryColumns+` FROM tag_history WHERE workspace_id = ? AND agent_id = ? AND tag = ? AND seq = ?`,
		workspaceID, agentID, name, seq))
	return &e, notFound(err)
}

// ListTagEntries reads a keyset page of a tag's history, ordered by seq.
func (t *Tx) ListTagEntries(workspaceID, agentID, name string, q agentry.EntryQuery) ([]agentry.TagEntry, error) {
	query := `SELECT ` + entryColumns + ` FROM tag_history WHERE workspace_id = ? AND agent_id = ? AND tag = ?`
	args := []any{workspaceID, agentID, name}
	op, dir := ">", "ASC"
	if q.Desc {
		op, dir = "<", "DESC"
	}
	if q.After != nil {
		query += ` AND seq ` + op + ` ?`
		args = append(args, *q.After)
	}
	query += ` ORDER BY seq ` + dir + ` LIMIT ?`
	args = append(args, q.Limit)
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.TagEntry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
