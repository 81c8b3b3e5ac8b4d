package sqlstore

import (
	"database/sql"
	"errors"

	"github.com/agentry/agentry"
)

const versionColumns = `workspace_id, resource_id, kind, number, base_version, published, published_at, title, description, config, modified_at, revision, engine_id, engine_version`

func scanVersion(sc interface{ Scan(...any) error }) (agentry.Version, error) {
	var v agentry.Version
	var base sql.NullInt64
	var title, desc sql.NullString
	var kind, config string
	var engineVersion sql.NullInt64
	err := sc.Scan(&v.WorkspaceID, &v.ResourceID, &kind, &v.Number, &base, &v.Published, &v.PublishedAt,
		&title, &desc, &config, &v.ModifiedAt, &v.Revision, &v.EngineID, &engineVersion)
	if err == nil {
		v.Kind, err = kindOf(kind)
	}
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
	_, err := t.exec(`INSERT INTO versions (`+versionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.WorkspaceID, v.ResourceID, v.Kind.Name, v.Number, v.BaseVersion, v.Published, v.PublishedAt,
		v.Title, v.Description, string(v.Config), v.ModifiedAt, v.Revision, v.EngineID, v.EngineVersion)
	return err
}

// GetVersion reads one version by number.
func (t *Tx) GetVersion(workspaceID, resourceID string, number int64) (*agentry.Version, error) {
	v, err := scanVersion(t.queryRow(getVersionQuery, workspaceID, resourceID, number))
	return &v, notFound(err)
}

const getVersionQuery = `SELECT ` + versionColumns + ` FROM versions WHERE workspace_id = ? AND resource_id = ? AND number = ?`

// FindVersion reads the latest, latest draft or latest published version.
func (t *Tx) FindVersion(workspaceID, resourceID string, pick int) (*agentry.Version, error) {
	query, args := findVersionQuery(workspaceID, resourceID, pick)
	v, err := scanVersion(t.queryRow(query, args...))
	return &v, notFound(err)
}

// LockFind locks a resource's row as LockResource does and reads the version
// that pick selects as FindVersion does, nil when none does; a missing
// resource is ErrNotFound. The two statements go out together in a pipelined
// transaction, where the server runs the second once the lock is held.
func (t *Tx) LockFind(workspaceID, id string, pick int) (*agentry.Resource, *agentry.Version, error) {
	query, args := findVersionQuery(workspaceID, id, pick)
	var v agentry.Version
	var verr error
	r, err := t.lockWith(workspaceID, id, Stmt{Query: query, Args: args,
		Row: func(sc Scanner) error { v, verr = scanVersion(sc); return verr }})
	switch {
	case r == nil:
		return nil, nil, err
	case errors.Is(verr, sql.ErrNoRows):
		return r, nil, nil
	case err != nil:
		return nil, nil, err
	}
	return r, &v, nil
}

// lockWith locks a resource's row with LockResource's statement and runs the
// reads in more after it: together in a pipelined transaction, where the
// server runs them once the lock is held; one after another elsewhere. A
// missing resource is ErrNotFound and a nil resource; otherwise the error is
// the first that more's statements met.
func (t *Tx) lockWith(workspaceID, id string, more ...Stmt) (*agentry.Resource, error) {
	var r agentry.Resource
	var rerr error
	stmts := append([]Stmt{{Query: lockResourceQuery + t.s.Dialect.ForUpdate, Args: []any{workspaceID, id},
		Row: func(sc Scanner) error { r, rerr = scanResource(sc); return rerr }}}, more...)
	err := t.pipe(stmts...)
	if rerr != nil {
		return nil, notFound(rerr)
	}
	t.lock(workspaceID, id)
	return &r, err
}

// findVersionQuery is FindVersion's query.
func findVersionQuery(workspaceID, resourceID string, pick int) (string, []any) {
	where, order := "", "number DESC"
	switch pick {
	case agentry.PickLatestDraft:
		where = ` AND published = ?`
	case agentry.PickLatestPublished:
		where, order = ` AND published = ?`, "published_at DESC, number DESC"
	}
	args := []any{workspaceID, resourceID}
	if where != "" {
		args = append(args, pick == agentry.PickLatestPublished)
	}
	return `SELECT ` + versionColumns + ` FROM versions WHERE workspace_id = ? AND resource_id = ?` + where + ` ORDER BY ` + order + ` LIMIT 1`, args
}

// LockVersion reads a resource and one of its versions, locking the
// resource's row as LockResource does; with routed it also reports what
// AgentRouted would. Either row missing is ErrNotFound.
//
// Where a write transaction holds the whole database from its start (SQLite:
// BEGIN IMMEDIATE, no ForUpdate), every statement of it sees the latest
// rows, so the three reads are one statement. Where only the row is locked
// (PostgreSQL: FOR UPDATE, READ COMMITTED), a statement that waited for the
// lock would read the other rows as they were when it started, and an edit
// committed meanwhile could be lost; there the version and the routes are
// read by statements of their own after the lock is held, as before.
func (t *Tx) LockVersion(workspaceID, id string, number int64, routed bool) (*agentry.Resource, *agentry.Version, bool, error) {
	if t.s.Dialect.ForUpdate != "" {
		// Three statements, sent together in a pipelined transaction: the
		// server runs each after the one before has finished, so the second
		// and third read after the lock is held.
		var v agentry.Version
		var verr error
		var isRouted bool
		reads := []Stmt{{Query: getVersionQuery, Args: []any{workspaceID, id, number},
			Row: func(sc Scanner) error { v, verr = scanVersion(sc); return verr }}}
		if routed {
			reads = append(reads, Stmt{Query: agentRoutedQuery, Args: []any{workspaceID, id, workspaceID, id},
				Row: func(sc Scanner) error {
					var n int
					err := sc.Scan(&n)
					isRouted = n > 0
					return err
				}})
		}
		r, err := t.lockWith(workspaceID, id, reads...)
		switch {
		case r == nil:
			return nil, nil, false, err
		case verr != nil:
			return nil, nil, false, notFound(verr)
		case err != nil:
			return nil, nil, false, err
		}
		return r, &v, isRouted, nil
	}
	query := lockVersionQuery
	args := []any{workspaceID, id, number}
	if routed {
		// The EXISTS placeholders come first in the text.
		query = lockVersionRoutedQuery
		args = []any{workspaceID, id, workspaceID, id, workspaceID, id, number}
	}
	// The keys are the arguments: the driver's cost grows with every
	// column, so they are not read back.
	r := agentry.Resource{WorkspaceID: workspaceID, ID: id}
	v := agentry.Version{WorkspaceID: workspaceID, ResourceID: id, Number: number}
	var rkind, vkind, config string
	var base, engineVersion sql.NullInt64
	var title, desc sql.NullString
	var isRouted bool
	dest := []any{&rkind, &r.Name, &r.NextVersion, &r.CreatedAt, &r.ModifiedAt,
		&vkind, &base, &v.Published, &v.PublishedAt, &title, &desc, &config, &v.ModifiedAt, &v.Revision, &v.EngineID, &engineVersion}
	if routed {
		dest = append(dest, &isRouted)
	}
	if err := t.queryRow(query, args...).Scan(dest...); err != nil {
		return nil, nil, false, notFound(err)
	}
	var err error
	if r.Kind, err = kindOf(rkind); err != nil {
		return nil, nil, false, err
	}
	if v.Kind, err = kindOf(vkind); err != nil {
		return nil, nil, false, err
	}
	setOptional(&v, base, title, desc)
	if engineVersion.Valid {
		v.EngineVersion = &engineVersion.Int64
	}
	v.Config = []byte(config)
	return &r, &v, isRouted, nil
}

const (
	lockVersionSelect = `SELECT r.kind, r.name, r.next_version, r.created_at, r.modified_at,
		v.kind, v.base_version, v.published, v.published_at, v.title, v.description,
		v.config, v.modified_at, v.revision, v.engine_id, v.engine_version`
	lockVersionFrom = ` FROM resources r JOIN versions v ON v.workspace_id = r.workspace_id AND v.resource_id = r.id
		WHERE r.workspace_id = ? AND r.id = ? AND v.number = ?`
	lockVersionQuery       = lockVersionSelect + lockVersionFrom
	lockVersionRoutedQuery = lockVersionSelect + `,
		(EXISTS (SELECT 1 FROM tags WHERE workspace_id = ? AND agent_id = ?)
		OR EXISTS (SELECT 1 FROM phone_bindings WHERE workspace_id = ? AND agent_id = ?))` + lockVersionFrom
)

// UpdateVersion writes a version's mutable columns.
func (t *Tx) UpdateVersion(v *agentry.Version) error {
	return mustAffect(t.exec(`UPDATE versions SET published = ?, published_at = ?, title = ?, description = ?, config = ?, modified_at = ?, revision = ?,
		engine_id = ?, engine_version = ? WHERE workspace_id = ? AND resource_id = ? AND number = ?`,
		v.Published, v.PublishedAt, v.Title, v.Description, string(v.Config), v.ModifiedAt, v.Revision, v.EngineID, v.EngineVersion,
		v.WorkspaceID, v.ResourceID, v.Number))
}

// UpdateDraft writes what an edit of a draft changes: its configuration,
// title, description, modification time and revision, and with pinned its
// engine columns. Unlike UpdateVersion it leaves out the columns the edit
// cannot change: SQLite rewrites the entry of every index on a column that
// an UPDATE sets, changed or not (versions_by_published, versions_by_engine),
// and each page so written is one more WAL frame at commit.
func (t *Tx) UpdateDraft(v *agentry.Version, pinned bool) error {
	if pinned {
		return t.execLater(true, `UPDATE versions SET title = ?, description = ?, config = ?, modified_at = ?, revision = ?,
			engine_id = ?, engine_version = ? WHERE workspace_id = ? AND resource_id = ? AND number = ?`,
			v.Title, v.Description, string(v.Config), v.ModifiedAt, v.Revision, v.EngineID, v.EngineVersion,
			v.WorkspaceID, v.ResourceID, v.Number)
	}
	return t.execLater(true, `UPDATE versions SET title = ?, description = ?, config = ?, modified_at = ?, revision = ?
		WHERE workspace_id = ? AND resource_id = ? AND number = ?`,
		v.Title, v.Description, string(v.Config), v.ModifiedAt, v.Revision, v.WorkspaceID, v.ResourceID, v.Number)
}

// PublishVersion writes what publishing a draft changes: published, its
// time, title, description, modification time and revision; not the
// configuration or the engine pin, which publishing keeps (see
// UpdateDraft).
func (t *Tx) PublishVersion(v *agentry.Version) error {
	return t.execLater(true, `UPDATE versions SET published = ?, published_at = ?, title = ?, description = ?, modified_at = ?, revision = ?
		WHERE workspace_id = ? AND resource_id = ? AND number = ?`,
		v.Published, v.PublishedAt, v.Title, v.Description, v.ModifiedAt, v.Revision, v.WorkspaceID, v.ResourceID, v.Number)
}

// DeleteVersion deletes one version.
func (t *Tx) DeleteVersion(workspaceID, resourceID string, number int64) error {
	return mustAffect(t.exec(`DELETE FROM versions WHERE workspace_id = ? AND resource_id = ? AND number = ?`, workspaceID, resourceID, number))
}

// CountVersions counts a resource's versions.
func (t *Tx) CountVersions(workspaceID, resourceID string) (int, error) {
	if hasNUL([]any{workspaceID, resourceID}) {
		return 0, nil // an aggregate has a row even for no match; see noRows
	}
	var n int
	err := t.queryRow(`SELECT count(*) FROM versions WHERE workspace_id = ? AND resource_id = ?`, workspaceID, resourceID).Scan(&n)
	return n, err
}

// EngineUsers lists agent versions that pin an engine, oldest agent first.
func (t *Tx) EngineUsers(workspaceID, engineID string, limit int) ([]agentry.Version, error) {
	return t.versions(`SELECT `+versionColumns+` FROM versions WHERE workspace_id = ? AND engine_id = ? ORDER BY resource_id, number LIMIT ?`,
		workspaceID, engineID, limit)
}

// ListVersions reads a keyset page of versions ordered by number; a zero
// limit reads them all.
func (t *Tx) ListVersions(workspaceID, resourceID string, q agentry.VersionQuery) ([]agentry.Version, error) {
	query, args := versionPage(workspaceID, resourceID, q)
	if q.Summary {
		return t.summaries(workspaceID, resourceID, query, args...)
	}
	return t.versions(query, args...)
}

// ListVersionSummaries reads the kind of a resource and a page of its
// version summaries (q.Summary is implied) in one statement, so that the
// store can run it outside a transaction (Store.Read): on PostgreSQL one
// round trip where BEGIN, two SELECTs and COMMIT were four. The page is a
// subquery left-joined to the resource's row, so a resource without a
// matching version still gives its kind; no resource row is ErrNotFound.
func (t *Tx) ListVersionSummaries(workspaceID, resourceID string, q agentry.VersionQuery) (*agentry.Kind, []agentry.Version, error) {
	q.Summary = true
	page, args := versionPage(workspaceID, resourceID, q)
	rows, err := t.query(`SELECT r.kind, `+prefixed("v.", summaryColumns)+` FROM resources r LEFT JOIN (`+page+`) v ON 1 = 1
		WHERE r.workspace_id = ? AND r.id = ? ORDER BY v.number `+order(q.Desc), append(args, workspaceID, resourceID)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var kind *agentry.Kind
	var out []agentry.Version
	for rows.Next() {
		v := agentry.Version{WorkspaceID: workspaceID, ResourceID: resourceID}
		var name string
		var number, base, modified sql.NullInt64
		var published sql.NullBool
		var title, desc sql.NullString
		if err := rows.Scan(&name, &number, &base, &published, &title, &desc, &modified); err != nil {
			return nil, nil, err
		}
		if kind == nil {
			if kind, err = kindOf(name); err != nil {
				return nil, nil, err
			}
		}
		if !number.Valid {
			continue // the resource's row, without a version
		}
		v.Number, v.Published, v.ModifiedAt = number.Int64, published.Bool, modified.Int64
		setOptional(&v, base, title, desc)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if kind == nil {
		return nil, nil, agentry.ErrNotFound
	}
	return kind, out, nil
}

// versionPage builds the query of a page of one resource's versions.
func versionPage(workspaceID, resourceID string, q agentry.VersionQuery) (string, []any) {
	columns := versionColumns
	if q.Summary {
		columns = summaryColumns
	}
	query := `SELECT ` + columns + ` FROM versions WHERE workspace_id = ? AND resource_id = ?`
	args := []any{workspaceID, resourceID}
	op := ">"
	if q.Desc {
		op = "<"
	}
	if q.After != nil {
		query += ` AND number ` + op + ` ?`
		args = append(args, *q.After)
	}
	if q.PublishedOnly {
		query += ` AND published = ?`
		args = append(args, true)
	}
	if q.Tag != "" {
		query += ` AND number = (SELECT version FROM tags WHERE workspace_id = ? AND agent_id = ? AND name = ?)`
		args = append(args, workspaceID, resourceID, q.Tag)
	}
	return query + ` ORDER BY number ` + order(q.Desc) + limit(q.Limit), args
}

// summaryColumns are what a version summary shows. On SQLite the
// versions_summary index holds them all, so a page of summaries never reads
// the table (whose rows carry whole configurations); PostgreSQL dropped that
// index in migration 0053 so that edits of drafts are HOT updates, and reads
// a page's rows through versions_pkey.
const summaryColumns = `number, base_version, published, title, description, modified_at`

func (t *Tx) summaries(workspaceID, resourceID, query string, args ...any) ([]agentry.Version, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.Version
	for rows.Next() {
		v := agentry.Version{WorkspaceID: workspaceID, ResourceID: resourceID}
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
