package sqlstore

import (
	"github.com/agentry/agentry"
)

// InsertAsset inserts an asset with its bytes.
func (t *Tx) InsertAsset(a *agentry.Asset) error {
	_, err := t.exec(`INSERT INTO assets (workspace_id, id, file_name, content_type, size, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.WorkspaceID, a.ID, a.FileName, a.ContentType, a.Size, a.Content, a.CreatedAt)
	return err
}

// GetAsset reads an asset, with its bytes when content is set.
func (t *Tx) GetAsset(workspaceID, id string, content bool) (*agentry.Asset, error) {
	a := &agentry.Asset{}
	cols := `workspace_id, id, file_name, content_type, size, created_at`
	dest := []any{&a.WorkspaceID, &a.ID, &a.FileName, &a.ContentType, &a.Size, &a.CreatedAt}
	if content {
		cols += `, content`
		dest = append(dest, &a.Content)
	}
	if err := t.queryRow(`SELECT `+cols+` FROM assets WHERE workspace_id = ? AND id = ?`, workspaceID, id).Scan(dest...); err != nil {
		return nil, notFound(err)
	}
	return a, nil
}
