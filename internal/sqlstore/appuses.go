package sqlstore

import (
	"fmt"

	"github.com/agentry/agentry"
)

// What uses an app beyond versions: the app tools of shared components, as
// they are now and as published flow versions keep them.

// ComponentsMentioning reads the shared components of a workspace whose
// configuration contains text (the dialect's Contains). It is only the
// coarse filter; callers decode what it finds.
func (t *Tx) ComponentsMentioning(workspaceID, text string) ([]agentry.Component, error) {
	rows, err := t.query(`SELECT `+componentColumns+` FROM conversation_flow_components WHERE workspace_id = ? AND `+
		fmt.Sprintf(t.s.Dialect.Contains, "config")+` ORDER BY id`, workspaceID, text)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.Component
	for rows.Next() {
		c, err := scanComponent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SnapshotsMentioning reads the component snapshots of a workspace's
// published flow versions whose configuration contains text.
func (t *Tx) SnapshotsMentioning(workspaceID, text string) ([]agentry.ComponentSnapshot, error) {
	rows, err := t.query(`SELECT flow_id, number, component_id, config, modified_at FROM component_snapshots WHERE workspace_id = ? AND `+
		fmt.Sprintf(t.s.Dialect.Contains, "config")+` ORDER BY flow_id, number, component_id`, workspaceID, text)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.ComponentSnapshot
	for rows.Next() {
		s := agentry.ComponentSnapshot{WorkspaceID: workspaceID}
		var config string
		if err := rows.Scan(&s.FlowID, &s.Number, &s.ComponentID, &config, &s.ModifiedAt); err != nil {
			return nil, err
		}
		s.Config = []byte(config)
		out = append(out, s)
	}
	return out, rows.Err()
}
