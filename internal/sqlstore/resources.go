package sqlstore

import (
	"fmt"
	"strings"

	"github.com/agentry/agentry"
)

const resourceColumns = `workspace_id, id, kind, name, next_version, created_at, modified_at`

func scanResource(sc interface{ Scan(...any) error }) (agentry.Resource, error) {
	var r agentry.Resource
	var kind string
	err := sc.Scan(&r.WorkspaceID, &r.ID, &kind, &r.Name, &r.NextVersion, &r.CreatedAt, &r.ModifiedAt)
	if err == nil {
		r.Kind, err = kindOf(kind)
	}
	return r, err
}

// kindOf returns the kind stored as name.
func kindOf(name string) (*agentry.Kind, error) {
	if k := agentry.KindNamed(name); k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("stored kind %q is not one this agentry knows", name)
}

// InsertResource inserts a resource row.
func (t *Tx) InsertResource(r *agentry.Resource) error {
	_, err := t.exec(`INSERT INTO resources (`+resourceColumns+`, name_fold) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.WorkspaceID, r.ID, r.Kind.Name, r.Name, r.NextVersion, r.CreatedAt, r.ModifiedAt, strings.ToLower(r.Name))
	return err
}

// GetResource reads a resource.
func (t *Tx) GetResource(workspaceID, id string) (*agentry.Resource, error) {
	r, err := scanResource(t.queryRow(`SELECT `+resourceColumns+` FROM resources WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return &r, notFound(err)
}

// LockResource reads a resource and locks its row until the transaction
// ends.
func (t *Tx) LockResource(workspaceID, id string) (*agentry.Resource, error) {
	r, err := scanResource(t.queryRow(`SELECT `+resourceColumns+` FROM resources WHERE workspace_id = ? AND id = ?`+t.s.Dialect.ForUpdate, workspaceID, id))
	return &r, notFound(err)
}

// UpdateResource writes a resource's mutable columns.
func (t *Tx) UpdateResource(r *agentry.Resource) error {
	return mustAffect(t.exec(`UPDATE resources SET name = ?, name_fold = ?, next_version = ?, modified_at = ? WHERE workspace_id = ? AND id = ?`,
		r.Name, strings.ToLower(r.Name), r.NextVersion, r.ModifiedAt, r.WorkspaceID, r.ID))
}

// DeleteResource deletes a resource and its versions.
func (t *Tx) DeleteResource(workspaceID, id string) error {
	if _, err := t.exec(`DELETE FROM versions WHERE workspace_id = ? AND resource_id = ?`, workspaceID, id); err != nil {
		return err
	}
	return mustAffect(t.exec(`DELETE FROM resources WHERE workspace_id = ? AND id = ?`, workspaceID, id))
}

// ListResources reads a keyset page of resources of the query's kinds,
// ordered by (created_at, id).
func (t *Tx) ListResources(workspaceID string, q agentry.ResourceQuery) ([]agentry.Resource, error) {
	if len(q.Kinds) == 0 {
		return nil, fmt.Errorf("ListResources: no kinds given")
	}
	var b strings.Builder
	args := []any{workspaceID}
	b.WriteString(`SELECT ` + resourceColumns + ` FROM resources WHERE workspace_id = ? AND kind IN (?` + strings.Repeat(`, ?`, len(q.Kinds)-1) + `)`)
	for _, k := range q.Kinds {
		args = append(args, k)
	}
	if q.Search != "" {
		// Both sides folded by Go: IDs are lower-case hex, so the ID match is
		// case-insensitive on every backend too.
		b.WriteString(` AND (` + fmt.Sprintf(t.s.Dialect.Contains, "name_fold") + ` OR ` + fmt.Sprintf(t.s.Dialect.Contains, "id") + `)`)
		folded := strings.ToLower(q.Search)
		args = append(args, folded, folded)
	}
	if q.PublishedOnly {
		b.WriteString(` AND EXISTS (SELECT 1 FROM versions v WHERE v.workspace_id = resources.workspace_id AND v.resource_id = resources.id AND v.published = ?)`)
		args = append(args, true)
	}
	if q.Tag != "" {
		b.WriteString(` AND EXISTS (SELECT 1 FROM tags t WHERE t.workspace_id = resources.workspace_id AND t.agent_id = resources.id AND t.name = ? AND t.version IS NOT NULL)`)
		args = append(args, q.Tag)
	}
	op, dir := ">", "ASC"
	if q.Desc {
		op, dir = "<", "DESC"
	}
	if q.After != nil {
		// A row-value comparison, not "a < ? OR (a = ? AND b < ?)": both SQLite
		// and PostgreSQL turn it into a range of the (workspace_id, created_at,
		// id) index, so a page deep in the list costs what the first one does;
		// with the OR, SQLite scanned the index from the start.
		b.WriteString(` AND (created_at, id) ` + op + ` (?, ?)`)
		args = append(args, q.After.CreatedAt, q.After.ID)
	}
	b.WriteString(` ORDER BY created_at ` + dir + `, id ` + dir + ` LIMIT ?`)
	args = append(args, q.Limit)
	rows, err := t.query(b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.Resource
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
