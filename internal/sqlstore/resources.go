package sqlstore

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
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
	return t.lockWith(workspaceID, id)
}

const lockResourceQuery = `SELECT ` + resourceColumns + ` FROM resources WHERE workspace_id = ? AND id = ?`

// UpdateResource writes a resource's mutable columns. In a pipelined
// transaction that holds the resource's row lock, it goes out with the next
// statement (pipeline.go): the locked row cannot be missing.
func (t *Tx) UpdateResource(r *agentry.Resource) error {
	const update = `UPDATE resources SET name = ?, name_fold = ?, next_version = ?, modified_at = ? WHERE workspace_id = ? AND id = ?`
	args := []any{r.Name, strings.ToLower(r.Name), r.NextVersion, r.ModifiedAt, r.WorkspaceID, r.ID}
	if t.holdsLock(r.WorkspaceID, r.ID) {
		return t.execLater(false, update, args...)
	}
	return mustAffect(t.exec(update, args...))
}

// DeleteResource deletes a resource and its versions.
func (t *Tx) DeleteResource(workspaceID, id string) error {
	if _, err := t.exec(`DELETE FROM versions WHERE workspace_id = ? AND resource_id = ?`, workspaceID, id); err != nil {
		return err
	}
	t.unlock(workspaceID, id)
	return mustAffect(t.exec(`DELETE FROM resources WHERE workspace_id = ? AND id = ?`, workspaceID, id))
}

// ListResources reads a keyset page of resources of the query's kinds,
// ordered by (created_at, id).
func (t *Tx) ListResources(workspaceID string, q agentry.ResourceQuery) ([]agentry.Resource, error) {
	query, args, err := t.resourcePage(workspaceID, q)
	if err != nil {
		return nil, err
	}
	rows, err := t.query(query, args...)
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

// ListResourcesTags reads what ListResources reads and the tags of those
// resources, in one statement: the page is a subquery, its tags a left join
// by the tags' primary key. One statement reads one snapshot, so the store
// can run it outside a transaction (Store.Read); on PostgreSQL that is one
// round trip where BEGIN, two SELECTs and COMMIT were four.
//
// The joined rows are put in order here, not by an outer ORDER BY: a join
// need not keep its input's order, and sorting a page in Go costs less than
// the sort each database would add (SQLite's temporary B-tree made the
// statement slower than the two it replaced).
func (t *Tx) ListResourcesTags(workspaceID string, q agentry.ResourceQuery) ([]agentry.Resource, []agentry.Tag, error) {
	page, args, err := t.resourcePage(workspaceID, q)
	if err != nil {
		return nil, nil, err
	}
	rows, err := t.query(`SELECT p.workspace_id, p.id, p.kind, p.name, p.next_version, p.created_at, p.modified_at, `+
		prefixed("t.", tagColumns)+` FROM (`+page+`) p
		LEFT JOIN tags t ON t.workspace_id = p.workspace_id AND t.agent_id = p.id`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []agentry.Resource
	var tags []agentry.Tag
	seen := map[string]bool{}
	for rows.Next() {
		var r agentry.Resource
		var kind string
		var tag nullTag
		dest := append([]any{&r.WorkspaceID, &r.ID, &kind, &r.Name, &r.NextVersion, &r.CreatedAt, &r.ModifiedAt}, tag.dest()...)
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, err
		}
		if !seen[r.ID] {
			seen[r.ID] = true
			if r.Kind, err = kindOf(kind); err != nil {
				return nil, nil, err
			}
			out = append(out, r)
		}
		if tag.name.Valid {
			tg, err := tag.tag()
			if err != nil {
				return nil, nil, err
			}
			tags = append(tags, tg)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	// The page's order, (created_at, id) in the query's direction, as
	// resourcePage's ORDER BY; the tags by their agent's place in it, then
	// by name (bytewise).
	slices.SortFunc(out, func(a, b agentry.Resource) int {
		c := cmp.Or(cmp.Compare(a.CreatedAt, b.CreatedAt), strings.Compare(a.ID, b.ID))
		if q.Desc {
			return -c
		}
		return c
	})
	place := make(map[string]int, len(out))
	for i, r := range out {
		place[r.ID] = i
	}
	slices.SortFunc(tags, func(a, b agentry.Tag) int {
		return cmp.Or(cmp.Compare(place[a.AgentID], place[b.AgentID]), strings.Compare(a.Name, b.Name))
	})
	return out, tags, nil
}

// resourcePage builds the query of a page of resources, ordered by
// (created_at, id) in the query's direction.
func (t *Tx) resourcePage(workspaceID string, q agentry.ResourceQuery) (string, []any, error) {
	if len(q.Kinds) == 0 {
		return "", nil, fmt.Errorf("ListResources: no kinds given")
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
	if q.After != nil {
		// A row-value comparison, not "a < ? OR (a = ? AND b < ?)": both SQLite
		// and PostgreSQL turn it into a range of the (workspace_id, created_at,
		// id) index, so a page deep in the list costs what the first one does;
		// with the OR, SQLite scanned the index from the start.
		op := ">"
		if q.Desc {
			op = "<"
		}
		b.WriteString(` AND (created_at, id) ` + op + ` (?, ?)`)
		args = append(args, q.After.CreatedAt, q.After.ID)
	}
	// Every Limit is written, 0 too (no rows), as when it was a parameter.
	b.WriteString(` ORDER BY created_at ` + order(q.Desc) + `, id ` + order(q.Desc) + ` LIMIT ` + strconv.Itoa(q.Limit))
	return b.String(), args, nil
}

// limit is a version page's LIMIT clause, the number written in the SQL,
// not a parameter (and the same for a page of resources). PostgreSQL plans a prepared statement anew at each execution
// until a generic plan (one for any parameters) costs about what the
// custom ones did; with LIMIT $n the generic plan assumes a tenth of the
// table, costs eight times more, and is never chosen, so every page paid
// 0.2–0.5 ms of planning for a 0.1 ms scan. With the number in the text the
// generic plan is taken from the sixth execution on. A page has at most
// MaxPageLimit+1 rows, so there are few distinct texts to prepare. Zero is
// no limit.
func limit(n int) string {
	if n <= 0 {
		return ""
	}
	return ` LIMIT ` + strconv.Itoa(n)
}

// order is the SQL direction of a keyset order.
func order(desc bool) string {
	if desc {
		return "DESC"
	}
	return "ASC"
}

// prefixed qualifies each of a comma-separated column list with prefix.
func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
