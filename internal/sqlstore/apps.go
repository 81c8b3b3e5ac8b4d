package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/agentry/agentry"
)

// Apps, and the version queries that find what uses one.

const appColumns = `workspace_id, id, type, provider, name, tenant_url, tenant_id, auth_type, auth_client_id, auth_username, crm_config, connection_status, created_at, modified_at`

func scanApp(sc interface{ Scan(...any) error }) (agentry.App, error) {
	var a agentry.App
	var name, tenantURL, tenantID, authType, clientID, username, crm sql.NullString
	err := sc.Scan(&a.WorkspaceID, &a.ID, &a.Type, &a.Provider, &name, &tenantURL, &tenantID,
		&authType, &clientID, &username, &crm, &a.ConnectionStatus, &a.CreatedAt, &a.ModifiedAt)
	a.Name, a.TenantURL, a.TenantID = nullable(name), nullable(tenantURL), nullable(tenantID)
	if authType.Valid {
		a.Auth = &agentry.AppAuth{Type: authType.String, ClientID: clientID.String, Username: username.String}
	}
	if crm.Valid {
		a.CRMConfig = []byte(crm.String)
	}
	return a, err
}

func nullable(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// appAuthColumns are the values of auth_type, auth_client_id and
// auth_username.
func appAuthColumns(a *agentry.App) (authType, clientID, username sql.NullString) {
	if a.Auth == nil {
		return
	}
	some := func(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
	return sql.NullString{String: a.Auth.Type, Valid: true}, some(a.Auth.ClientID), some(a.Auth.Username)
}

// InsertApp inserts an app.
func (t *Tx) InsertApp(a *agentry.App) error {
	authType, clientID, username := appAuthColumns(a)
	_, err := t.exec(`INSERT INTO apps (`+appColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.WorkspaceID, a.ID, a.Type, a.Provider, a.Name, a.TenantURL, a.TenantID, authType, clientID, username,
		nullJSON(a.CRMConfig), a.ConnectionStatus, a.CreatedAt, a.ModifiedAt)
	return err
}

// GetApp reads an app.
func (t *Tx) GetApp(workspaceID, id string) (*agentry.App, error) {
	a, err := scanApp(t.queryRow(`SELECT `+appColumns+` FROM apps WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return &a, notFound(err)
}

// LockApp reads an app and locks its row until the transaction ends.
func (t *Tx) LockApp(workspaceID, id string) (*agentry.App, error) {
	a, err := scanApp(t.queryRow(`SELECT `+appColumns+` FROM apps WHERE workspace_id = ? AND id = ?`+t.s.Dialect.ForUpdate, workspaceID, id))
	return &a, notFound(err)
}

// UpdateApp writes an app's mutable columns.
func (t *Tx) UpdateApp(a *agentry.App) error {
	authType, clientID, username := appAuthColumns(a)
	return mustAffect(t.exec(`UPDATE apps SET name = ?, tenant_url = ?, tenant_id = ?, auth_type = ?, auth_client_id = ?, auth_username = ?,
		crm_config = ?, connection_status = ?, modified_at = ? WHERE workspace_id = ? AND id = ?`,
		a.Name, a.TenantURL, a.TenantID, authType, clientID, username, nullJSON(a.CRMConfig), a.ConnectionStatus, a.ModifiedAt,
		a.WorkspaceID, a.ID))
}

// DeleteApp deletes an app.
func (t *Tx) DeleteApp(workspaceID, id string) error {
	return mustAffect(t.exec(`DELETE FROM apps WHERE workspace_id = ? AND id = ?`, workspaceID, id))
}

// ListApps reads a keyset page of a workspace's apps.
func (t *Tx) ListApps(workspaceID string, q agentry.KeysetQuery) ([]agentry.App, error) {
	query, args := keyset(`SELECT `+appColumns+` FROM apps WHERE workspace_id = ?`, []any{workspaceID}, q)
	return collect(t, scanApp, query, args...)
}

// CountApps counts one provider's apps of a workspace after locking the
// workspace's row (on PostgreSQL; SQLite writers are serialized anyway), so
// that two creates cannot both see room for one more.
func (t *Tx) CountApps(workspaceID, provider string) (int, error) {
	var id string
	err := t.queryRow(`SELECT id FROM workspaces WHERE id = ?`+t.s.Dialect.ForUpdate, workspaceID).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	var n int
	err = t.queryRow(`SELECT count(*) FROM apps WHERE workspace_id = ? AND provider = ?`, workspaceID, provider).Scan(&n)
	return n, err
}

// VersionsMentioning reads the versions of a workspace whose configuration
// contains text, a plain substring (the dialect's Contains: no pattern, no
// length limit). It is only the coarse filter; callers decode what it finds.
func (t *Tx) VersionsMentioning(workspaceID, text string) ([]agentry.Version, error) {
	return t.versions(`SELECT `+versionColumns+` FROM versions WHERE workspace_id = ? AND `+fmt.Sprintf(t.s.Dialect.Contains, "config")+` ORDER BY resource_id, number`,
		workspaceID, text)
}

// AgentVersionsPinning reads the agent versions that pin one engine
// version.
func (t *Tx) AgentVersionsPinning(workspaceID, engineID string, number int64) ([]agentry.Version, error) {
	return t.versions(`SELECT `+versionColumns+` FROM versions WHERE workspace_id = ? AND engine_id = ? AND engine_version = ? ORDER BY resource_id, number`,
		workspaceID, engineID, number)
}
