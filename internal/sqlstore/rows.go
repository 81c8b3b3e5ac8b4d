package sqlstore

import (
	"database/sql"
	"strings"

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

const agentColumns = `workspace_id, id, channel, name, next_version, created_at, modified_at`

func scanAgent(sc interface{ Scan(...any) error }) (agentry.Agent, error) {
	var a agentry.Agent
	err := sc.Scan(&a.WorkspaceID, &a.ID, &a.Channel, &a.Name, &a.NextVersion, &a.CreatedAt, &a.ModifiedAt)
	return a, err
}

// InsertAgent inserts an agent row.
func (t *Tx) InsertAgent(a *agentry.Agent) error {
	_, err := t.exec(`INSERT INTO agents (`+agentColumns+`, name_fold) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.WorkspaceID, a.ID, a.Channel, a.Name, a.NextVersion, a.CreatedAt, a.ModifiedAt, strings.ToLower(a.Name))
	return err
}

// GetAgent reads an agent.
func (t *Tx) GetAgent(workspaceID, id string) (*agentry.Agent, error) {
	a, err := scanAgent(t.queryRow(`SELECT `+agentColumns+` FROM agents WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return &a, notFound(err)
}

// LockAgent reads an agent and locks its row until the transaction ends.
func (t *Tx) LockAgent(workspaceID, id string) (*agentry.Agent, error) {
	a, err := scanAgent(t.queryRow(`SELECT `+agentColumns+` FROM agents WHERE workspace_id = ? AND id = ?`+t.s.Dialect.ForUpdate, workspaceID, id))
	return &a, notFound(err)
}

// UpdateAgent writes an agent's mutable columns.
func (t *Tx) UpdateAgent(a *agentry.Agent) error {
	return mustAffect(t.exec(`UPDATE agents SET name = ?, name_fold = ?, next_version = ?, modified_at = ? WHERE workspace_id = ? AND id = ?`,
		a.Name, strings.ToLower(a.Name), a.NextVersion, a.ModifiedAt, a.WorkspaceID, a.ID))
}

// DeleteAgent deletes an agent and its versions.
func (t *Tx) DeleteAgent(workspaceID, id string) error {
	if _, err := t.exec(`DELETE FROM agent_versions WHERE workspace_id = ? AND agent_id = ?`, workspaceID, id); err != nil {
		return err
	}
	return mustAffect(t.exec(`DELETE FROM agents WHERE workspace_id = ? AND id = ?`, workspaceID, id))
}

// ListAgents reads a keyset page of agents ordered by (created_at, id).
func (t *Tx) ListAgents(workspaceID string, q agentry.AgentQuery) ([]agentry.Agent, error) {
	var b strings.Builder
	args := []any{workspaceID}
	b.WriteString(`SELECT ` + agentColumns + ` FROM agents WHERE workspace_id = ?`)
	if q.Channel != "" {
		b.WriteString(` AND channel = ?`)
		args = append(args, q.Channel)
	} else {
		b.WriteString(` AND channel IN ('voice', 'chat')`)
	}
	if q.Search != "" {
		// Both sides folded by Go: IDs are lower-case hex, so the ID match is
		// case-insensitive on every backend too.
		b.WriteString(` AND (name_fold LIKE ? ESCAPE '\' OR id LIKE ? ESCAPE '\')`)
		pat := strings.ToLower("%" + likeEscape(q.Search) + "%")
		args = append(args, pat, pat)
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
	var out []agentry.Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

const versionColumns = `workspace_id, agent_id, channel, number, base_version, published, published_at, title, description, config, modified_at, revision, engine_id, engine_version`

func scanVersion(sc interface{ Scan(...any) error }) (agentry.Version, error) {
	var v agentry.Version
	var base sql.NullInt64
	var title, desc sql.NullString
	var config string
	var engineVersion sql.NullInt64
	err := sc.Scan(&v.WorkspaceID, &v.AgentID, &v.Channel, &v.Number, &base, &v.Published, &v.PublishedAt,
		&title, &desc, &config, &v.ModifiedAt, &v.Revision, &v.EngineID, &engineVersion)
	setOptional(&v, base, title, desc)
	if engineVersion.Valid {
		v.EngineVersion = &engineVersion.Int64
	}
	v.Config = []byte(config)
	return v, err
}

// setOptional sets a version's nullable metadata from its columns.
func setOptional(v *agentry.Version, base sql.NullInt64, title, desc sql.NullString) {
	if base.Valid {
		v.BaseVersion = &base.Int64
	}
	if title.Valid {
		v.Title = &title.String
	}
	if desc.Valid {
		v.Description = &desc.String
	}
}

// InsertVersion inserts a version row.
func (t *Tx) InsertVersion(v *agentry.Version) error {
	_, err := t.exec(`INSERT INTO agent_versions (`+versionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.WorkspaceID, v.AgentID, v.Channel, v.Number, v.BaseVersion, v.Published, v.PublishedAt,
		v.Title, v.Description, string(v.Config), v.ModifiedAt, v.Revision, v.EngineID, v.EngineVersion)
	return err
}

// GetVersion reads one version by number.
func (t *Tx) GetVersion(workspaceID, agentID string, number int64) (*agentry.Version, error) {
	v, err := scanVersion(t.queryRow(`SELECT `+versionColumns+` FROM agent_versions WHERE workspace_id = ? AND agent_id = ? AND number = ?`,
		workspaceID, agentID, number))
	return &v, notFound(err)
}

// FindVersion reads the latest, latest draft or latest published version.
func (t *Tx) FindVersion(workspaceID, agentID string, pick int) (*agentry.Version, error) {
	where, order := "", "number DESC"
	switch pick {
	case agentry.PickLatestDraft:
		where = ` AND published = ?`
	case agentry.PickLatestPublished:
		where, order = ` AND published = ?`, "published_at DESC, number DESC"
	}
	args := []any{workspaceID, agentID}
	if where != "" {
		args = append(args, pick == agentry.PickLatestPublished)
	}
	v, err := scanVersion(t.queryRow(`SELECT `+versionColumns+` FROM agent_versions WHERE workspace_id = ? AND agent_id = ?`+where+` ORDER BY `+order+` LIMIT 1`, args...))
	return &v, notFound(err)
}

// UpdateVersion writes a version's mutable columns.
func (t *Tx) UpdateVersion(v *agentry.Version) error {
	return mustAffect(t.exec(`UPDATE agent_versions SET published = ?, published_at = ?, title = ?, description = ?, config = ?, modified_at = ?, revision = ?,
		engine_id = ?, engine_version = ? WHERE workspace_id = ? AND agent_id = ? AND number = ?`,
		v.Published, v.PublishedAt, v.Title, v.Description, string(v.Config), v.ModifiedAt, v.Revision, v.EngineID, v.EngineVersion,
		v.WorkspaceID, v.AgentID, v.Number))
}

// DeleteVersion deletes one version.
func (t *Tx) DeleteVersion(workspaceID, agentID string, number int64) error {
	return mustAffect(t.exec(`DELETE FROM agent_versions WHERE workspace_id = ? AND agent_id = ? AND number = ?`, workspaceID, agentID, number))
}

// CountVersions counts an agent's versions.
func (t *Tx) CountVersions(workspaceID, agentID string) (int, error) {
	var n int
	err := t.queryRow(`SELECT count(*) FROM agent_versions WHERE workspace_id = ? AND agent_id = ?`, workspaceID, agentID).Scan(&n)
	return n, err
}

// EngineUsers lists agent versions that pin an engine, oldest agent first.
func (t *Tx) EngineUsers(workspaceID, engineID string, limit int) ([]agentry.Version, error) {
	return t.versions(`SELECT `+versionColumns+` FROM agent_versions WHERE workspace_id = ? AND engine_id = ? ORDER BY agent_id, number LIMIT ?`,
		workspaceID, engineID, limit)
}

// ListVersions reads a keyset page of versions ordered by number; a zero
// limit reads them all.
func (t *Tx) ListVersions(workspaceID, agentID string, q agentry.VersionQuery) ([]agentry.Version, error) {
	columns := versionColumns
	if q.Summary {
		columns = summaryColumns
	}
	query := `SELECT ` + columns + ` FROM agent_versions WHERE workspace_id = ? AND agent_id = ?`
	args := []any{workspaceID, agentID}
	op, dir := ">", "ASC"
	if q.Desc {
		op, dir = "<", "DESC"
	}
	if q.After != nil {
		query += ` AND number ` + op + ` ?`
		args = append(args, *q.After)
	}
	query += ` ORDER BY number ` + dir
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	if q.Summary {
		return t.summaries(workspaceID, agentID, query, args...)
	}
	return t.versions(query, args...)
}

// summaryColumns are what a version summary shows; the agent_versions_summary
// index holds them all, so a page of summaries never reads the table (whose
// rows carry whole configurations).
const summaryColumns = `number, base_version, published, title, description, modified_at`

func (t *Tx) summaries(workspaceID, agentID, query string, args ...any) ([]agentry.Version, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.Version
	for rows.Next() {
		v := agentry.Version{WorkspaceID: workspaceID, AgentID: agentID}
		var base sql.NullInt64
		var title, desc sql.NullString
		if err := rows.Scan(&v.Number, &base, &v.Published, &title, &desc, &v.ModifiedAt); err != nil {
			return nil, err
		}
		setOptional(&v, base, title, desc)
		out = append(out, v)
	}
	return out, rows.Err()
}

func (t *Tx) versions(query string, args ...any) ([]agentry.Version, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
