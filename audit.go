package agentry

import (
	"context"
	"encoding/json"
	"strings"
)

// AuditEntry is one change in the audit log. Entries are only ever added (by
// record, in the transaction of the change) and pruned by an operator; no
// endpoint edits or deletes one. Its JSON form is the API's.
type AuditEntry struct {
	WorkspaceID string `json:"-"`
	// Seq orders the log: it grows with every entry written. Entries about
	// one object are in the order of its changes, since writes to an object
	// are serialized.
	Seq        int64           `json:"seq"`
	At         int64           `json:"timestamp"` // milliseconds since the epoch
	Actor      Actor           `json:"actor"`
	RequestID  string          `json:"request_id"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Version    *int64          `json:"version,omitempty"`
	Paths      []string        `json:"paths,omitempty"`
	Details    json.RawMessage `json:"details,omitempty"`
}

// Actor is who made a change: the calling key's public prefix and label
// (never the key), or, for an operator's command that works on the database
// directly (`agentry keys create`), no prefix and a label naming the command
// and the user who ran it.
type Actor struct {
	KeyPrefix string
	Label     string
}

// Actor types in JSON.
const (
	ActorAPIKey   = "api_key"
	ActorOperator = "operator"
)

// Type is ActorAPIKey for a key, ActorOperator otherwise.
func (a Actor) Type() string {
	if a.KeyPrefix != "" {
		return ActorAPIKey
	}
	return ActorOperator
}

// MarshalJSON writes {"type", "key_prefix"?, "label"}.
func (a Actor) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type      string `json:"type"`
		KeyPrefix string `json:"key_prefix,omitempty"`
		Label     string `json:"label"`
	}{a.Type(), a.KeyPrefix, a.Label})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (a *Actor) UnmarshalJSON(b []byte) error {
	var w struct {
		KeyPrefix string `json:"key_prefix"`
		Label     string `json:"label"`
	}
	err := json.Unmarshal(b, &w)
	a.KeyPrefix, a.Label = w.KeyPrefix, w.Label
	return err
}

// AuditFilter narrows the audit log. Every field that is set must hold.
type AuditFilter struct {
	ObjectType string
	ObjectID   string
	// Actor matches an entry whose actor's key prefix or label is exactly it.
	Actor string
	// Action is an action name, or a prefix ending in ".*" ("agent_version.*").
	Action string
	// Since and Until bound the time, in milliseconds: Since <= at < Until.
	// Zero leaves that side open.
	Since, Until int64
}

// AuditQuery selects a page of one workspace's audit log, ordered by Seq.
type AuditQuery struct {
	AuditFilter
	// ActionPrefix, when set instead of Action, matches actions that start
	// with it (it ends with ".").
	ActionPrefix string
	After        *int64 // the Seq after which the page starts
	Desc         bool
	Limit        int
}

// AuditPage is one page of the audit log.
type AuditPage = Page[AuditEntry]

// Audit returns one page of the caller's workspace's audit log, newest
// first unless the page asks otherwise.
func (s *Service) Audit(ctx context.Context, c Caller, f AuditFilter, p PageRequest) (*AuditPage, error) {
	p = p.normalized()
	q := AuditQuery{AuditFilter: f, Desc: p.Desc, Limit: p.Limit + 1}
	if prefix, ok := strings.CutSuffix(f.Action, "*"); ok {
		q.Action, q.ActionPrefix = "", prefix
	}
	after, err := seqAfter("au", p)
	if err != nil {
		return nil, err
	}
	q.After = after
	var items []AuditEntry
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		items, err = tx.ListAuditEntries(c.Workspace, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	return seqPage(items, p, "au", func(e *AuditEntry) int64 { return e.Seq }), nil
}

// CheckAuditAction checks an action filter: a catalogue name, or a prefix
// of names ending in ".*".
func CheckAuditAction(action string) error {
	if action == "" || EventNamed(action) != nil {
		return nil
	}
	if prefix, ok := strings.CutSuffix(action, ".*"); ok && prefix != "" {
		for _, e := range Events() {
			if strings.HasPrefix(e.Name, prefix+".") {
				return nil
			}
		}
	}
	return Errorf(EINVALID, "action: %q is not an action of the audit log nor a prefix of one ending in .* (e.g. agent_version.published, agent_version.*)", action)
}

// PruneAudit deletes the audit entries older than before (milliseconds
// since the epoch) in every workspace, and records in each workspace that
// lost entries an audit_log.pruned entry naming who pruned and how many. It
// is an operator's command: nothing in the API deletes entries. It returns
// how many entries it deleted.
func PruneAudit(ctx context.Context, st Store, operator Caller, before, now int64) (int64, error) {
	var total int64
	err := st.Update(ctx, func(tx Tx) error {
		total = 0
		counts, err := tx.PruneAuditEntries(before)
		if err != nil {
			return err
		}
		for ws, n := range counts {
			total += n
			c := operator
			c.Workspace = ws
			err := record(tx, c, now, Change{Action: "audit_log.pruned", Object: ObjectAuditLog, ID: ws,
				Details: map[string]any{"before": before, "deleted": n}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return total, err
}
