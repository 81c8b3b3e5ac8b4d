package sqlstore

import (
	"github.com/agentry/agentry"
)

// WorkspaceByID reads a workspace by its id.
func (t *Tx) WorkspaceByID(id string) (*agentry.Workspace, error) {
	w := &agentry.Workspace{}
	err := t.queryRow(`SELECT id, name, created_at FROM workspaces WHERE id = ?`, id).Scan(&w.ID, &w.Name, &w.CreatedAt)
	return w, notFound(err)
}

// LockWorkspace locks the workspace row until the transaction ends (a
// missing row locks nothing). On SQLite the write transaction already holds
// the database's write lock.
func (t *Tx) LockWorkspace(id string) error {
	if t.s.Dialect.ForUpdate == "" {
		return nil
	}
	var got string
	err := t.queryRow(`SELECT id FROM workspaces WHERE id = ?`+t.s.Dialect.ForUpdate, id).Scan(&got)
	if err := notFound(err); err != nil && err != agentry.ErrNotFound {
		return err
	}
	return nil
}
