package sqlstore

import (
	"github.com/agentry/agentry"
)

// InsertWorkspace inserts a workspace row.
func (t *Tx) InsertWorkspace(w *agentry.Workspace) error {
	_, err := t.exec(`INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, w.ID, w.Name, w.CreatedAt)
	return err
}

// WorkspaceByName reads a workspace by its unique name.
func (t *Tx) WorkspaceByName(name string) (*agentry.Workspace, error) {
	w := &agentry.Workspace{}
	err := t.queryRow(`SELECT id, name, created_at FROM workspaces WHERE name = ?`, name).Scan(&w.ID, &w.Name, &w.CreatedAt)
	return w, notFound(err)
}

const keyColumns = `id, workspace_id, hash, prefix, label, created_at, revoked_at`

func scanKey(sc interface{ Scan(...any) error }) (agentry.APIKey, error) {
	var k agentry.APIKey
	err := sc.Scan(&k.ID, &k.WorkspaceID, &k.Hash, &k.Prefix, &k.Label, &k.CreatedAt, &k.RevokedAt)
	return k, err
}

// InsertKey inserts an API key row (its hash only).
func (t *Tx) InsertKey(k *agentry.APIKey) error {
	_, err := t.exec(`INSERT INTO api_keys (`+keyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.WorkspaceID, k.Hash, k.Prefix, k.Label, k.CreatedAt, k.RevokedAt)
	return err
}

// KeyByHash reads the key with the given hash.
func (t *Tx) KeyByHash(hash string) (*agentry.APIKey, error) {
	k, err := scanKey(t.queryRow(`SELECT `+keyColumns+` FROM api_keys WHERE hash = ?`, hash))
	return &k, notFound(err)
}

// ListKeys lists keys by creation, of one workspace or all.
func (t *Tx) ListKeys(workspaceID string) ([]agentry.APIKey, error) {
	rows, err := t.query(`SELECT `+keyColumns+` FROM api_keys WHERE ? = '' OR workspace_id = ? ORDER BY created_at, id`, workspaceID, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []agentry.APIKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// RevokeKey revokes a valid key by ID or prefix.
func (t *Tx) RevokeKey(idOrPrefix string, at int64) error {
	return mustAffect(t.exec(`UPDATE api_keys SET revoked_at = ? WHERE (id = ? OR prefix = ?) AND revoked_at = 0`, at, idOrPrefix, idOrPrefix))
}
