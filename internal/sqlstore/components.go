package sqlstore

import (
	"strings"

	"github.com/agentry/agentry"
)

const componentColumns = `workspace_id, id, config, created_at, modified_at, revision`

func scanComponent(sc interface{ Scan(...any) error }) (agentry.Component, error) {
	var c agentry.Component
	var config string
	err := sc.Scan(&c.WorkspaceID, &c.ID, &config, &c.CreatedAt, &c.ModifiedAt, &c.Revision)
	c.Config = []byte(config)
	return c, err
}

// InsertComponent inserts a shared component.
func (t *Tx) InsertComponent(c *agentry.Component) error {
	_, err := t.exec(`INSERT INTO conversation_flow_components (`+componentColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		c.WorkspaceID, c.ID, string(c.Config), c.CreatedAt, c.ModifiedAt, c.Revision)
	return err
}

// GetComponent reads a shared component.
func (t *Tx) GetComponent(workspaceID, id string) (*agentry.Component, error) {
	c, err := scanComponent(t.queryRow(`SELECT `+componentColumns+` FROM conversation_flow_components WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return &c, notFound(err)
}

// LockComponent reads a shared component and locks its row until the
// transaction ends.
func (t *Tx) LockComponent(workspaceID, id string) (*agentry.Component, error) {
	c, err := scanComponent(t.queryRow(`SELECT `+componentColumns+` FROM conversation_flow_components WHERE workspace_id = ? AND id = ?`+t.s.Dialect.ForUpdate, workspaceID, id))
	return &c, notFound(err)
}

// UpdateComponent writes a component's configuration, time and revision.
func (t *Tx) UpdateComponent(c *agentry.Component) error {
	return mustAffect(t.exec(`UPDATE conversation_flow_components SET config = ?, modified_at = ?, revision = ? WHERE workspace_id = ? AND id = ?`,
		string(c.Config), c.ModifiedAt, c.Revision, c.WorkspaceID, c.ID))
}

// DeleteComponent deletes a component (its links go with it).
func (t *Tx) DeleteComponent(workspaceID, id string) error {
	return mustAffect(t.exec(`DELETE FROM conversation_flow_components WHERE workspace_id = ? AND id = ?`, workspaceID, id))
}

// ListComponents reads a keyset page of components by (created_at, id).
func (t *Tx) ListComponents(workspaceID string, q agentry.KeysetQuery) ([]agentry.Component, error) {
	var b strings.Builder
	args := []any{workspaceID}
	b.WriteString(`SELECT ` + componentColumns + ` FROM conversation_flow_components WHERE workspace_id = ?`)
	op, dir := ">", "ASC"
	if q.Desc {
		op, dir = "<", "DESC"
	}
	if q.After != nil {
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
	out := []agentry.Component{}
	for rows.Next() {
		c, err := scanComponent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// InsertComponentSnapshot keeps a component with a published flow version.
func (t *Tx) InsertComponentSnapshot(s *agentry.ComponentSnapshot) error {
	_, err := t.exec(`INSERT INTO component_snapshots (workspace_id, flow_id, number, component_id, config, modified_at) VALUES (?, ?, ?, ?, ?, ?)`,
		s.WorkspaceID, s.FlowID, s.Number, s.ComponentID, string(s.Config), s.ModifiedAt)
	return err
}

// ComponentSnapshots reads the components a published flow version keeps.
func (t *Tx) ComponentSnapshots(workspaceID, flowID string, number int64) ([]agentry.ComponentSnapshot, error) {
	rows, err := t.query(`SELECT component_id, config, modified_at FROM component_snapshots WHERE workspace_id = ? AND flow_id = ? AND number = ? ORDER BY component_id`,
		workspaceID, flowID, number)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.ComponentSnapshot
	for rows.Next() {
		s := agentry.ComponentSnapshot{WorkspaceID: workspaceID, FlowID: flowID, Number: number}
		var config string
		if err := rows.Scan(&s.ComponentID, &config, &s.ModifiedAt); err != nil {
			return nil, err
		}
		s.Config = []byte(config)
		out = append(out, s)
	}
	return out, rows.Err()
}
