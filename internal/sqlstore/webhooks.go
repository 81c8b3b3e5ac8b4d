package sqlstore

import (
	"encoding/json"
	"strings"

	"github.com/agentry/agentry"
)

const webhookColumns = `id, workspace_id, url, events, secret, enabled, description, created_at, modified_at`

func scanWebhook(sc interface{ Scan(...any) error }) (agentry.Webhook, error) {
	var w agentry.Webhook
	var events string
	err := sc.Scan(&w.ID, &w.WorkspaceID, &w.URL, &events, &w.Secret, &w.Enabled, &w.Description, &w.CreatedAt, &w.ModifiedAt)
	if err == nil {
		err = json.Unmarshal([]byte(events), &w.Events)
	}
	return w, err
}

// InsertWebhook inserts a webhook row.
func (t *Tx) InsertWebhook(w *agentry.Webhook) error {
	t.noWebhooks = ""
	events, err := json.Marshal(w.Events)
	if err != nil {
		return err
	}
	_, err = t.exec(`INSERT INTO webhooks (`+webhookColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.WorkspaceID, w.URL, string(events), w.Secret, w.Enabled, w.Description, w.CreatedAt, w.ModifiedAt)
	return err
}

// GetWebhook reads a webhook of the workspace.
func (t *Tx) GetWebhook(workspaceID, id string) (*agentry.Webhook, error) {
	w, err := scanWebhook(t.queryRow(`SELECT `+webhookColumns+` FROM webhooks WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return &w, notFound(err)
}

// UpdateWebhook writes a webhook's changeable columns.
func (t *Tx) UpdateWebhook(w *agentry.Webhook) error {
	t.noWebhooks = ""
	events, err := json.Marshal(w.Events)
	if err != nil {
		return err
	}
	return mustAffect(t.exec(`UPDATE webhooks SET url = ?, events = ?, secret = ?, enabled = ?, description = ?, modified_at = ?
		WHERE workspace_id = ? AND id = ?`,
		w.URL, string(events), w.Secret, w.Enabled, w.Description, w.ModifiedAt, w.WorkspaceID, w.ID))
}

// DeleteWebhook deletes a webhook; its deliveries and their attempts go
// with it (ON DELETE CASCADE).
func (t *Tx) DeleteWebhook(workspaceID, id string) error {
	return mustAffect(t.exec(`DELETE FROM webhooks WHERE workspace_id = ? AND id = ?`, workspaceID, id))
}

// ListWebhooks reads a keyset page of a workspace's webhooks by (created_at, id).
func (t *Tx) ListWebhooks(workspaceID string, q agentry.WebhookQuery) ([]agentry.Webhook, error) {
	if q.EnabledOnly && workspaceID == t.noWebhooks {
		return nil, nil // InsertAuditEntry found none, in this transaction
	}
	var b strings.Builder
	args := []any{workspaceID}
	b.WriteString(`SELECT ` + webhookColumns + ` FROM webhooks WHERE workspace_id = ?`)
	if q.EnabledOnly {
		b.WriteString(` AND enabled = ?`)
		args = append(args, true)
	}
	op, dir := ">", "ASC"
	if q.Desc {
		op, dir = "<", "DESC"
	}
	if q.After != nil {
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
	var out []agentry.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}
