package sqlstore

import (
	"strings"

	"github.com/agentry/agentry"
)

// linkBatch bounds the rows of one INSERT, well within every backend's
// limit on bound parameters.
const linkBatch = 500

// insertLinks inserts rows of (prefix values..., field?, kind, id) in
// batches: each row is the fixed values then the link's own.
func (t *Tx) insertLinks(table, columns string, fixed []any, withField bool, links []agentry.Link) error {
	per := len(fixed) + 2
	if withField {
		per++
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", per), ", ") + ")"
	for start := 0; start < len(links); start += linkBatch {
		batch := links[start:min(start+linkBatch, len(links))]
		args := make([]any, 0, per*len(batch))
		for _, l := range batch {
			args = append(args, fixed...)
			if withField {
				args = append(args, l.Field)
			}
			args = append(args, l.Kind, l.ID)
		}
		q := `INSERT INTO ` + table + ` (` + columns + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", len(batch)), ", ")
		if _, err := t.exec(q, args...); err != nil {
			return err
		}
	}
	return nil
}

// SetVersionLinks drops a version's links in the fields of replace and
// records links.
func (t *Tx) SetVersionLinks(workspaceID, resourceID string, number int64, replace []string, links []agentry.Link) error {
	if len(replace) > 0 {
		args := []any{workspaceID, resourceID, number}
		for _, f := range replace {
			args = append(args, f)
		}
		if _, err := t.exec(`DELETE FROM version_links WHERE workspace_id = ? AND resource_id = ? AND number = ? AND field IN (?`+
			strings.Repeat(`, ?`, len(replace)-1)+`)`, args...); err != nil {
			return err
		}
	}
	return t.insertLinks("version_links", "workspace_id, resource_id, number, field, target_kind, target_id",
		[]any{workspaceID, resourceID, number}, true, links)
}

// CopyVersionLinks gives version to the links of version from.
func (t *Tx) CopyVersionLinks(workspaceID, resourceID string, from, to int64) error {
	_, err := t.exec(`INSERT INTO version_links (workspace_id, resource_id, number, field, target_kind, target_id)
		SELECT workspace_id, resource_id, ?, field, target_kind, target_id FROM version_links
		WHERE workspace_id = ? AND resource_id = ? AND number = ?`, to, workspaceID, resourceID, from)
	return err
}

// VersionLinks reads a version's links.
func (t *Tx) VersionLinks(workspaceID, resourceID string, number int64) ([]agentry.Link, error) {
	return t.links(`SELECT field, target_kind, target_id FROM version_links WHERE workspace_id = ? AND resource_id = ? AND number = ?
		ORDER BY field, target_kind, target_id`, workspaceID, resourceID, number)
}

// SetComponentLinks replaces a component's links.
func (t *Tx) SetComponentLinks(workspaceID, componentID string, links []agentry.Link) error {
	if _, err := t.exec(`DELETE FROM component_links WHERE workspace_id = ? AND component_id = ?`, workspaceID, componentID); err != nil {
		return err
	}
	// A component keeps one row per target, whatever field holds it.
	seen := map[string]bool{}
	var rows []agentry.Link
	for _, l := range links {
		if k := l.Kind + "\x00" + l.ID; !seen[k] {
			seen[k] = true
			rows = append(rows, l)
		}
	}
	return t.insertLinks("component_links", "workspace_id, component_id, target_kind, target_id",
		[]any{workspaceID, componentID}, false, rows)
}

// ComponentLinks reads a component's links (Field is empty).
func (t *Tx) ComponentLinks(workspaceID, componentID string) ([]agentry.Link, error) {
	return t.links(`SELECT '', target_kind, target_id FROM component_links WHERE workspace_id = ? AND component_id = ?
		ORDER BY target_kind, target_id`, workspaceID, componentID)
}

func (t *Tx) links(query string, args ...any) ([]agentry.Link, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.Link
	for rows.Next() {
		var l agentry.Link
		if err := rows.Scan(&l.Field, &l.Kind, &l.ID); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// LinkUsers lists the versions, then the components, that link an object.
func (t *Tx) LinkUsers(workspaceID, kind, id string, limit int) ([]agentry.LinkUser, error) {
	lim := ""
	args := []any{workspaceID, kind, id}
	if limit > 0 {
		lim = ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := t.query(`SELECT DISTINCT l.resource_id, v.kind, l.number, v.published FROM version_links l
		JOIN versions v ON v.workspace_id = l.workspace_id AND v.resource_id = l.resource_id AND v.number = l.number
		WHERE l.workspace_id = ? AND l.target_kind = ? AND l.target_id = ?
		ORDER BY l.resource_id, l.number`+lim, args...)
	if err != nil {
		return nil, err
	}
	var out []agentry.LinkUser
	for rows.Next() {
		var u agentry.LinkUser
		var k string
		if err := rows.Scan(&u.ResourceID, &k, &u.Number, &u.Published); err != nil {
			rows.Close()
			return nil, err
		}
		if u.Kind, err = kindOf(k); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if limit > 0 && len(out) >= limit {
		return out, nil
	}
	args = []any{workspaceID, kind, id}
	if limit > 0 {
		args = append(args, limit-len(out))
	}
	rows, err = t.query(`SELECT component_id FROM component_links WHERE workspace_id = ? AND target_kind = ? AND target_id = ?
		ORDER BY component_id`+lim, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u agentry.LinkUser
		if err := rows.Scan(&u.ComponentID); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// DraftLinkers maps each of ids to the resources with a draft version that
// links it, in one statement.
func (t *Tx) DraftLinkers(workspaceID, kind string, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{workspaceID, kind}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := t.query(`SELECT DISTINCT l.target_id, l.resource_id FROM version_links l
		JOIN versions v ON v.workspace_id = l.workspace_id AND v.resource_id = l.resource_id AND v.number = l.number
		WHERE l.workspace_id = ? AND l.target_kind = ? AND l.target_id IN (?`+strings.Repeat(`, ?`, len(ids)-1)+`) AND NOT v.published
		ORDER BY l.target_id, l.resource_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var target, resource string
		if err := rows.Scan(&target, &resource); err != nil {
			return nil, err
		}
		out[target] = append(out[target], resource)
	}
	return out, rows.Err()
}
