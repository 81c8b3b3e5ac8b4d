package sqlstore

import (
	"strings"

	"github.com/agentry/agentry"
)

const deliveryColumns = `id, workspace_id, webhook_id, event_id, event, audit_seq, body, created_at, state, attempts,
	next_attempt_at, window_start, lease_until, last_status, last_error, finished_at`

func scanDelivery(sc interface{ Scan(...any) error }) (agentry.Delivery, error) {
	var d agentry.Delivery
	var body string
	err := sc.Scan(&d.ID, &d.WorkspaceID, &d.WebhookID, &d.EventID, &d.Event, &d.AuditSeq, &body, &d.CreatedAt,
		&d.State, &d.Attempts, &d.NextAttemptAt, &d.WindowStart, &d.LeaseUntil, &d.LastStatus, &d.LastError, &d.FinishedAt)
	d.Body = []byte(body)
	return d, err
}

// placeholders is "?, ?, …" for n values.
func placeholders(n int) string { return "?" + strings.Repeat(", ?", n-1) }

// InsertDelivery queues a delivery in the outbox.
func (t *Tx) InsertDelivery(d *agentry.Delivery) error {
	_, err := t.exec(`INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event_id, event, audit_seq, body, created_at,
		state, attempts, next_attempt_at, window_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.WorkspaceID, d.WebhookID, d.EventID, d.Event, d.AuditSeq, string(d.Body), d.CreatedAt,
		d.State, d.Attempts, d.NextAttemptAt, d.WindowStart)
	return err
}

// GetDelivery reads one delivery of a webhook of the workspace, with its
// attempts.
func (t *Tx) GetDelivery(workspaceID, webhookID, id string) (*agentry.Delivery, error) {
	d, err := scanDelivery(t.queryRow(`SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE workspace_id = ? AND webhook_id = ? AND id = ?`,
		workspaceID, webhookID, id))
	if err != nil {
		return nil, notFound(err)
	}
	ds := []agentry.Delivery{d}
	if err := t.attempts(ds); err != nil {
		return nil, err
	}
	return &ds[0], nil
}

// ClaimDeliveries leases due deliveries to token. On PostgreSQL the SELECT
// locks the rows it returns and skips rows that another replica's claim has
// locked (FOR UPDATE SKIP LOCKED), so concurrent claims never wait on each
// other nor take the same row; once this transaction commits, lease_until
// keeps the rows out of every claim until it runs out. SQLite has one
// writer at a time, so its claims are serialized by the write lock.
func (t *Tx) ClaimDeliveries(now int64, limit int, token string, leaseUntil int64) ([]agentry.Delivery, error) {
	skipLocked := ""
	if t.s.Dialect.ForUpdate != "" {
		skipLocked = t.s.Dialect.ForUpdate + " SKIP LOCKED"
	}
	rows, err := t.query(`SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE state = 'pending' AND next_attempt_at <= ? AND lease_until <= ?
		AND webhook_id IN (SELECT id FROM webhooks WHERE enabled = ?)
		ORDER BY next_attempt_at LIMIT ?`+skipLocked, now, now, true, limit)
	if err != nil {
		return nil, err
	}
	var out []agentry.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return nil, err
	}
	ids := make([]any, 0, len(out))
	hooks := map[string]bool{}
	var hookIDs []any
	for _, d := range out {
		ids = append(ids, d.ID)
		if !hooks[d.WebhookID] {
			hooks[d.WebhookID] = true
			hookIDs = append(hookIDs, d.WebhookID)
		}
	}
	if _, err := t.exec(`UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ? WHERE id IN (`+placeholders(len(ids))+`)`,
		append([]any{token, leaseUntil}, ids...)...); err != nil {
		return nil, err
	}
	wrows, err := t.query(`SELECT id, url, secret FROM webhooks WHERE id IN (`+placeholders(len(hookIDs))+`)`, hookIDs...)
	if err != nil {
		return nil, err
	}
	defer wrows.Close()
	type target struct{ url, secret string }
	targets := map[string]target{}
	for wrows.Next() {
		var id string
		var tg target
		if err := wrows.Scan(&id, &tg.url, &tg.secret); err != nil {
			return nil, err
		}
		targets[id] = tg
	}
	if err := wrows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].LeaseUntil = leaseUntil
		out[i].URL, out[i].Secret = targets[out[i].WebhookID].url, targets[out[i].WebhookID].secret
	}
	return out, nil
}

// UpdateDelivery writes a delivery's state (see agentry.Tx).
func (t *Tx) UpdateDelivery(d *agentry.Delivery, token string) error {
	const set = `UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, window_start = ?,
		last_status = ?, last_error = ?, finished_at = ?`
	args := []any{d.State, d.Attempts, d.NextAttemptAt, d.WindowStart, d.LastStatus, d.LastError, d.FinishedAt}
	if token == "" {
		return mustAffect(t.exec(set+` WHERE workspace_id = ? AND id = ?`, append(args, d.WorkspaceID, d.ID)...))
	}
	d.LeaseUntil = 0
	return mustAffect(t.exec(set+`, lease_owner = '', lease_until = 0 WHERE id = ? AND lease_owner = ?`, append(args, d.ID, token)...))
}

// InsertAttempt records one attempt of a delivery.
func (t *Tx) InsertAttempt(a *agentry.Attempt) error {
	_, err := t.exec(`INSERT INTO webhook_attempts (delivery_id, n, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)`,
		a.DeliveryID, a.N, a.At, a.StatusCode, a.Error, a.DurationMS)
	return err
}

// ListDeliveries reads a keyset page of a webhook's deliveries by
// audit_seq, then the attempts of the page in one more query.
func (t *Tx) ListDeliveries(workspaceID, webhookID string, q agentry.DeliveryQuery) ([]agentry.Delivery, error) {
	var b strings.Builder
	args := []any{workspaceID, webhookID}
	b.WriteString(`SELECT ` + deliveryColumns + ` FROM webhook_deliveries WHERE workspace_id = ? AND webhook_id = ?`)
	if q.State != "" {
		b.WriteString(` AND state = ?`)
		args = append(args, q.State)
	}
	op, dir := ">", "ASC"
	if q.Desc {
		op, dir = "<", "DESC"
	}
	if q.After != nil {
		b.WriteString(` AND audit_seq ` + op + ` ?`)
		args = append(args, *q.After)
	}
	b.WriteString(` ORDER BY audit_seq ` + dir + ` LIMIT ?`)
	args = append(args, q.Limit)
	rows, err := t.query(b.String(), args...)
	if err != nil {
		return nil, err
	}
	var out []agentry.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	return out, t.attempts(out)
}

// attempts fills in the attempts of ds, in one query.
func (t *Tx) attempts(ds []agentry.Delivery) error {
	ids := make([]any, 0, len(ds))
	index := map[string]int{}
	for i, d := range ds {
		ids = append(ids, d.ID)
		index[d.ID] = i
	}
	rows, err := t.query(`SELECT delivery_id, n, at, status_code, error, duration_ms FROM webhook_attempts
		WHERE delivery_id IN (`+placeholders(len(ids))+`) ORDER BY delivery_id, n, at`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a agentry.Attempt
		if err := rows.Scan(&a.DeliveryID, &a.N, &a.At, &a.StatusCode, &a.Error, &a.DurationMS); err != nil {
			return err
		}
		d := &ds[index[a.DeliveryID]]
		d.Log = append(d.Log, a)
	}
	return rows.Err()
}

// PruneDeliveries deletes a batch of finished deliveries (and, by cascade,
// their attempts).
func (t *Tx) PruneDeliveries(before int64, limit int) (int, error) {
	res, err := t.exec(`DELETE FROM webhook_deliveries WHERE id IN
		(SELECT id FROM webhook_deliveries WHERE state <> 'pending' AND finished_at < ? LIMIT ?)`, before, limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
