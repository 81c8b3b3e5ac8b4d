package sqlstore

import "github.com/agentry/agentry"

const phoneColumns = `workspace_id, phone_number, type, config, mode, fallback, sip_password,
	buckets_inbound, buckets_outbound, buckets_inbound_sms, buckets_outbound_sms, created_at, modified_at`

func scanPhone(sc interface{ Scan(...any) error }) (agentry.Phone, error) {
	var p agentry.Phone
	var config string
	buckets := make([][]byte, len(agentry.Directions))
	err := sc.Scan(&p.WorkspaceID, &p.Number, &p.Type, &config, &p.Mode, &p.Fallback, &p.SIPPassword,
		&buckets[0], &buckets[1], &buckets[2], &buckets[3], &p.CreatedAt, &p.ModifiedAt)
	p.Config = []byte(config)
	for i, d := range agentry.Directions {
		if len(buckets[i]) > 0 {
			if p.Buckets == nil {
				p.Buckets = map[agentry.Direction][]byte{}
			}
			p.Buckets[d] = buckets[i]
		}
	}
	return p, err
}

// bucketArgs are the four bucket columns of p, NULL where a direction has
// no table.
func bucketArgs(p *agentry.Phone) []any {
	out := make([]any, len(agentry.Directions))
	for i, d := range agentry.Directions {
		if b := p.Buckets[d]; len(b) > 0 {
			out[i] = b
		}
	}
	return out
}

// InsertPhone inserts a phone number and its binding rows. A number that
// any workspace holds is ErrDuplicate; the insert does not fail the
// transaction on PostgreSQL (ON CONFLICT DO NOTHING), so the caller may go
// on.
func (t *Tx) InsertPhone(p *agentry.Phone) error {
	args := append([]any{p.WorkspaceID, p.Number, p.Type, string(p.Config), p.Mode, p.Fallback, p.SIPPassword}, bucketArgs(p)...)
	args = append(args, p.CreatedAt, p.ModifiedAt)
	res, err := t.exec(`INSERT INTO phone_numbers (`+phoneColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (phone_number) DO NOTHING`, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return agentry.ErrDuplicate
	}
	return t.insertBindings(p)
}

func (t *Tx) insertBindings(p *agentry.Phone) error {
	for _, d := range agentry.Directions {
		for i, b := range p.Lists[d] {
			if _, err := t.exec(`INSERT INTO phone_bindings (workspace_id, phone_number, direction, position, agent_id, agent_version, weight)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, p.WorkspaceID, p.Number, string(d), i, b.AgentID, b.Version.String(), b.Weight); err != nil {
				return err
			}
		}
	}
	return nil
}

// GetPhone reads a phone number of a workspace.
func (t *Tx) GetPhone(workspaceID, number string) (*agentry.Phone, error) {
	p, err := scanPhone(t.queryRow(`SELECT `+phoneColumns+` FROM phone_numbers WHERE workspace_id = ? AND phone_number = ?`, workspaceID, number))
	return &p, notFound(err)
}

// LockPhone reads a phone number and locks its row until the transaction
// ends.
func (t *Tx) LockPhone(workspaceID, number string) (*agentry.Phone, error) {
	p, err := scanPhone(t.queryRow(`SELECT `+phoneColumns+` FROM phone_numbers WHERE workspace_id = ? AND phone_number = ?`+t.s.Dialect.ForUpdate,
		workspaceID, number))
	return &p, notFound(err)
}

// UpdatePhone writes a phone number's mutable columns and replaces its
// binding rows.
func (t *Tx) UpdatePhone(p *agentry.Phone) error {
	args := append([]any{string(p.Config), p.Mode, p.Fallback, p.SIPPassword}, bucketArgs(p)...)
	args = append(args, p.ModifiedAt, p.WorkspaceID, p.Number)
	err := mustAffect(t.exec(`UPDATE phone_numbers SET config = ?, mode = ?, fallback = ?, sip_password = ?,
		buckets_inbound = ?, buckets_outbound = ?, buckets_inbound_sms = ?, buckets_outbound_sms = ?, modified_at = ?
		WHERE workspace_id = ? AND phone_number = ?`, args...))
	if err != nil {
		return err
	}
	if _, err := t.exec(`DELETE FROM phone_bindings WHERE phone_number = ?`, p.Number); err != nil {
		return err
	}
	return t.insertBindings(p)
}

// DeletePhone deletes a phone number and its binding rows.
func (t *Tx) DeletePhone(workspaceID, number string) error {
	if _, err := t.exec(`DELETE FROM phone_bindings WHERE workspace_id = ? AND phone_number = ?`, workspaceID, number); err != nil {
		return err
	}
	return mustAffect(t.exec(`DELETE FROM phone_numbers WHERE workspace_id = ? AND phone_number = ?`, workspaceID, number))
}

// ListPhones reads a keyset page of a workspace's phone numbers, ordered by
// (created_at, phone_number).
func (t *Tx) ListPhones(workspaceID string, q agentry.KeysetQuery) ([]agentry.Phone, error) {
	query := `SELECT ` + phoneColumns + ` FROM phone_numbers WHERE workspace_id = ?`
	args := []any{workspaceID}
	op, dir := ">", "ASC"
	if q.Desc {
		op, dir = "<", "DESC"
	}
	if q.After != nil {
		query += ` AND (created_at, phone_number) ` + op + ` (?, ?)`
		args = append(args, q.After.CreatedAt, q.After.ID)
	}
	query += ` ORDER BY created_at ` + dir + `, phone_number ` + dir + ` LIMIT ?`
	args = append(args, q.Limit)
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.Phone
	for rows.Next() {
		p, err := scanPhone(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PhoneUses lists the binding rows that name an agent.
func (t *Tx) PhoneUses(workspaceID, agentID string) ([]agentry.PhoneUse, error) {
	rows, err := t.query(`SELECT phone_number, direction, agent_version FROM phone_bindings WHERE workspace_id = ? AND agent_id = ?
		ORDER BY phone_number, direction, position`, workspaceID, agentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.PhoneUse
	for rows.Next() {
		var u agentry.PhoneUse
		var d string
		if err := rows.Scan(&u.Number, &d, &u.Version); err != nil {
			return nil, err
		}
		u.Direction = agentry.Direction(d)
		out = append(out, u)
	}
	return out, rows.Err()
}

// FallbackUsers lists the numbers that fall back to number.
func (t *Tx) FallbackUsers(workspaceID, number string) ([]string, error) {
	rows, err := t.query(`SELECT phone_number FROM phone_numbers WHERE workspace_id = ? AND fallback = ? ORDER BY phone_number`, workspaceID, number)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// AgentBound reports whether a binding row names the agent.
func (t *Tx) AgentBound(workspaceID, agentID string) (bool, error) {
	var n int
	err := t.queryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM phone_bindings WHERE workspace_id = ? AND agent_id = ? LIMIT 1) AS b`,
		workspaceID, agentID).Scan(&n)
	return n > 0, err
}

// AgentRouted reports whether a binding row names the agent or the agent
// has a tag.
func (t *Tx) AgentRouted(workspaceID, agentID string) (bool, error) {
	var n int
	err := t.queryRow(agentRoutedQuery, workspaceID, agentID, workspaceID, agentID).Scan(&n)
	return n > 0, err
}

const agentRoutedQuery = `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM tags WHERE workspace_id = ? AND agent_id = ? LIMIT 1) AS t)
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM phone_bindings WHERE workspace_id = ? AND agent_id = ? LIMIT 1) AS b)`

// VersionStates lists what routing needs of an agent's versions.
func (t *Tx) VersionStates(workspaceID, agentID string) ([]agentry.VersionState, error) {
	rows, err := t.query(`SELECT number, published, published_at FROM versions WHERE workspace_id = ? AND resource_id = ? ORDER BY number`,
		workspaceID, agentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []agentry.VersionState
	for rows.Next() {
		var v agentry.VersionState
		if err := rows.Scan(&v.Number, &v.Published, &v.PublishedAt); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
