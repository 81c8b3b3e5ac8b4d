package agentry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Phone is a phone number of a workspace: its number (unique within the
// server), how it was obtained, the fields Retell shows of it, the weighted
// lists of agents it binds per direction, and how it routes.
type Phone struct {
	WorkspaceID string
	Number      string
	// Type is retell-twilio or retell-telnyx for a number bought with
	// create-phone-number, custom for an imported one.
	Type string
	// Config holds every response field beyond the number, its type, its
	// pretty form and the timestamp, as a JSON object (the binding lists as
	// the client sent them).
	Config json.RawMessage
	// Lists are the binding lists parsed from Config.
	Lists map[Direction][]Binding
	Mode  string
	// Buckets are the sticky tables of the non-empty lists while Mode is
	// sticky (buckets.go).
	Buckets map[Direction][]byte
	// Fallback is config.fallback_number, a column so that nested fallbacks
	// can be found.
	Fallback string
	// SIPPassword is the SIP trunk password: stored, never answered.
	SIPPassword string
	CreatedAt   int64
	ModifiedAt  int64
	// Single is what the single-agent fields of retell-sdk 4.x show of the
	// lists (phonesingle.go): set by FillSingleAgents for an answer.
	Single map[Direction]SingleAgent
	// fromSingle marks the lists that a write's single-agent fields set, so
	// that its errors name the fields the client sent.
	fromSingle map[Direction]bool
}

// PhoneUse is one list entry that binds an agent: which number, which list,
// at which reference.
type PhoneUse struct {
	Number    string
	Direction Direction
	Version   string // the reference as VersionRef.String writes it
}

// PhonePage is one page of phone numbers.
type PhonePage = Page[Phone]

// GetPhone returns a phone number of the workspace.
func (s *Service) GetPhone(ctx context.Context, c Caller, number string) (*Phone, error) {
	var p *Phone
	err := s.readOne(ctx, func(tx Tx) (err error) {
		p, err = tx.GetPhone(c.Workspace, number)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, phoneNotFound(number)
	}
	if err != nil {
		return nil, err
	}
	return p, p.parseLists()
}

// parseLists reads the binding lists out of the stored configuration.
func (p *Phone) parseLists() error {
	var config Fields
	if err := json.Unmarshal(p.Config, &config); err != nil {
		return fmt.Errorf("decode config of phone number %s: %w", p.Number, err)
	}
	p.Lists = map[Direction][]Binding{}
	for _, d := range Directions {
		if raw, ok := config[d.Field()]; ok {
			list, err := ParseBindings(d.Field(), raw)
			if err != nil {
				return fmt.Errorf("stored %s of %s: %w", d.Field(), p.Number, err)
			}
			p.Lists[d] = list
		}
	}
	return nil
}

func phoneNotFound(number string) error {
	return Errorf(ENOTFOUND, "phone number %s not found", number)
}

// ListPhones returns one page of the workspace's phone numbers, ordered by
// creation.
func (s *Service) ListPhones(ctx context.Context, c Caller, p PageRequest) (*PhonePage, error) {
	p = p.normalized()
	q, err := keysetQuery("p", p)
	if err != nil {
		return nil, err
	}
	var items []Phone
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		items, err = tx.ListPhones(c.Workspace, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	return keysetPage(items, p, "p", func(ph *Phone) (int64, string) { return ph.CreatedAt, ph.Number }), nil
}

// DeletePhone deletes a phone number and its bindings.
func (s *Service) DeletePhone(ctx context.Context, c Caller, number string) error {
	_, err := s.writePhone(ctx, c, number, false, func(tx Tx, cur *Phone) (*Phone, error) { return nil, nil })
	return err
}

// SetRoutingMode sets how a number picks among the entries of its lists:
// ModeRandom or ModeSticky.
func (s *Service) SetRoutingMode(ctx context.Context, c Caller, number, mode string) (*Phone, error) {
	if mode != ModeRandom && mode != ModeSticky {
		return nil, Errorf(EINVALID, "mode: must be random or sticky, got %q", mode)
	}
	return s.writePhone(ctx, c, number, false, func(tx Tx, cur *Phone) (*Phone, error) {
		next := *cur
		next.Mode = mode
		return &next, nil
	})
}

// writePhone is the one place where a phone number and its bindings change:
// create, import, update, routing mode and delete all come through here, in
// one transaction. It locks the number's row, lets change compute the next
// state (nil deletes it), locks and checks every agent a changed list binds
// (in id order, after the number, so writers never wait in a cycle), keeps
// the sticky tables, writes the row and its binding rows, and logs a route
// change for the number and for every agent it binds or unbinds.
func (s *Service) writePhone(ctx context.Context, c Caller, number string, create bool,
	change func(tx Tx, cur *Phone) (*Phone, error)) (*Phone, error) {
	var next *Phone
	var touched []string
	err := s.Store.Update(ctx, func(tx Tx) error {
		var cur *Phone
		if !create {
			var err error
			cur, err = tx.LockPhone(c.Workspace, number)
			if errors.Is(err, ErrNotFound) {
				return phoneNotFound(number)
			} else if err != nil {
				return err
			}
			if err := cur.parseLists(); err != nil {
				return err
			}
		}
		var err error
		if next, err = change(tx, cur); err != nil {
			return err
		}
		now := s.now()
		touched = boundAgents(cur, next)
		if next == nil {
			if err := tx.DeletePhone(c.Workspace, number); err != nil {
				return err
			}
		} else {
			if err := s.checkPhone(tx, cur, next); err != nil {
				return err
			}
			next.ModifiedAt = now
			if create {
				next.CreatedAt = now
				if err := tx.InsertPhone(next); err != nil {
					if errors.Is(err, ErrDuplicate) {
						return &Error{Code: EINVALID, Message: fmt.Sprintf("phone_number: %s is already in use", next.Number), Err: ErrDuplicate}
					}
					return err
				}
			} else if err := tx.UpdatePhone(next); err != nil {
				return err
			}
			number = next.Number
		}
		for _, subject := range append([]string{number}, touched...) {
			if err := logRouteChange(tx, c.Workspace, subject, now); err != nil {
				return err
			}
		}
		return s.record(tx, c, phoneRecord(number, cur, next, create))
	})
	if err != nil {
		return nil, err
	}
	s.Routes.ForgetPhone(c.Workspace, number)
	for _, id := range touched {
		s.Routes.ForgetAgent(c.Workspace, id)
	}
	return next, nil
}

// phoneRecord is the audit entry and webhook event of a phone number write:
// created, deleted, routing_changed when a binding list or the routing mode
// changed, updated otherwise.
func phoneRecord(number string, cur, next *Phone, create bool) Change {
	ch := Change{Object: ObjectPhoneNumber, ID: number}
	switch {
	case create:
		ch.Action = "phone_number.created"
	case next == nil:
		ch.Action = "phone_number.deleted"
	case cur.Mode != next.Mode || !sameLists(cur.Lists, next.Lists):
		ch.Action = "phone_number.routing_changed"
	default:
		ch.Action = "phone_number.updated"
	}
	if next != nil {
		lists := map[string]any{}
		for dir, bs := range next.Lists {
			entries := make([]map[string]any, 0, len(bs))
			for _, b := range bs {
				entries = append(entries, map[string]any{"agent_id": b.AgentID, "agent_version": b.Version.String(), "weight": b.Weight})
			}
			lists[string(dir)] = entries
		}
		ch.Details = map[string]any{"routing_mode": next.Mode, "lists": lists}
		if !create {
			ch.Paths = changedPhoneFields(cur, next)
		}
	}
	return ch
}

// changedPhoneFields lists, as JSON Pointers in name order, the fields of a
// number's answer that a write changed; a new SIP password shows as
// /sip_outbound_trunk_config, never its value. A change of routing mode
// alone changes none (details show the mode).
func changedPhoneFields(cur, next *Phone) []string {
	var a, b map[string]json.RawMessage
	if json.Unmarshal(cur.Config, &a) != nil || json.Unmarshal(next.Config, &b) != nil {
		return nil
	}
	changed := map[string]bool{}
	for k, v := range b {
		if w, ok := a[k]; !ok || !sameJSON(v, w) {
			changed[k] = true
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			changed[k] = true
		}
	}
	if cur.SIPPassword != next.SIPPassword {
		changed["sip_outbound_trunk_config"] = true
	}
	fields := make(Fields, len(changed))
	for k := range changed {
		fields[k] = nil
	}
	return patchPaths(fields)
}

// sameJSON reports whether two JSON texts hold the same value (the order
// of an object's keys and space aside).
func sameJSON(a, b json.RawMessage) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// sameLists reports whether two sets of binding lists are equal, entry by
// entry.
func sameLists(a, b map[Direction][]Binding) bool {
	if len(a) != len(b) {
		return false
	}
	for dir, as := range a {
		bs, ok := b[dir]
		if !ok || len(as) != len(bs) {
			return false
		}
		for i := range as {
			if as[i].key() != bs[i].key() || as[i].Weight != bs[i].Weight {
				return false
			}
		}
	}
	return true
}

// boundAgents lists, without repeats, the agents that cur or next binds in
// a list that differs between them: the agents whose routed state may
// change.
func boundAgents(cur, next *Phone) []string {
	var ids []string
	for _, d := range Directions {
		var a, b []Binding
		if cur != nil {
			a = cur.Lists[d]
		}
		if next != nil {
			b = next.Lists[d]
		}
		if slices.Equal(a, b) {
			continue
		}
		for _, e := range append(slices.Clone(a), b...) {
			if !slices.Contains(ids, e.AgentID) {
				ids = append(ids, e.AgentID)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// checkPhone applies the rules of a phone number's next state that need the
// database, and keeps its sticky tables: every changed list's agents exist
// (locked until commit), are of the direction's kind and have the version
// each entry names; the fallback number does not nest.
func (s *Service) checkPhone(tx Tx, cur, next *Phone) error {
	var changed []Direction
	for _, d := range Directions {
		var old []Binding
		if cur != nil {
			old = cur.Lists[d]
		}
		if !slices.Equal(old, next.Lists[d]) {
			changed = append(changed, d)
		}
	}
	locked := map[string]*Resource{}
	var ids []string
	for _, d := range changed {
		for _, b := range next.Lists[d] {
			if _, ok := locked[b.AgentID]; !ok {
				locked[b.AgentID] = nil
				ids = append(ids, b.AgentID)
			}
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		r, err := tx.LockResource(next.WorkspaceID, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err == nil && r.Kind.Agent {
			locked[id] = r
		}
	}
	for _, d := range changed {
		for i, b := range next.Lists[d] {
			idPath, versionPath := fmt.Sprintf("%s[%d].agent_id", d.Field(), i), fmt.Sprintf("%s[%d].agent_version", d.Field(), i)
			if next.fromSingle[d] {
				idPath, versionPath = d.SingleFields()
			}
			if err := checkBinding(tx, locked[b.AgentID], idPath, versionPath, d, b); err != nil {
				return err
			}
		}
	}
	if err := checkFallback(tx, next); err != nil {
		return err
	}
	if next.Mode != ModeSticky {
		next.Buckets = nil
		return nil
	}
	buckets := map[Direction][]byte{}
	for _, d := range Directions {
		var old []byte
		var previous []Binding
		if cur != nil && cur.Mode == ModeSticky {
			old, previous = cur.Buckets[d], cur.Lists[d]
		}
		if t := Rebalance(old, previous, next.Lists[d]); t != nil {
			buckets[d] = t
		}
	}
	next.Buckets = buckets
	return nil
}

// checkBinding checks one list entry against the agent it names (r, nil
// when no agent has that id under the key); its errors name idPath or
// versionPath.
func checkBinding(tx Tx, r *Resource, idPath, versionPath string, d Direction, b Binding) error {
	if r == nil {
		return Errorf(EUNPROCESSABLE, "%s: agent %s does not exist", idPath, b.AgentID)
	}
	if r.Kind != d.AgentKind() {
		want := "voice agents (calls)"
		if d.AgentKind() == ChatAgent {
			want = "chat agents (SMS)"
		}
		return Errorf(EINVALID, "%s: %s is a %s agent, and %s takes %s", idPath, r.ID, r.Kind.Name, d.Field(), want)
	}
	switch b.Version.Form {
	case RefNumber:
		if _, err := tx.GetVersion(r.WorkspaceID, r.ID, b.Version.Number); errors.Is(err, ErrNotFound) {
			return Errorf(EUNPROCESSABLE, "%s: agent %s has no version %d", versionPath, r.ID, b.Version.Number)
		} else if err != nil {
			return err
		}
	case RefLatestPublished:
		if _, err := tx.FindVersion(r.WorkspaceID, r.ID, PickLatestPublished); errors.Is(err, ErrNotFound) {
			return Errorf(EUNPROCESSABLE, "%s: agent %s has no published version for latest_published to name", versionPath, r.ID)
		} else if err != nil {
			return err
		}
	case RefTag:
		if _, err := tx.GetTag(r.WorkspaceID, r.ID, b.Version.Tag); errors.Is(err, ErrNotFound) {
			return Errorf(EUNPROCESSABLE, "%s: agent %s has no tag %q", versionPath, r.ID, b.Version.Tag)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// checkFallback applies the reference's rule: a fallback number is not the
// number itself, and fallbacks do not nest (the fallback has no fallback of
// its own, and no number falls back to a number that has one).
func checkFallback(tx Tx, p *Phone) error {
	if p.Fallback == "" {
		return nil
	}
	if p.Fallback == p.Number {
		return Errorf(EINVALID, "fallback_number: must not be the number itself (%s)", p.Number)
	}
	target, err := tx.GetPhone(p.WorkspaceID, p.Fallback)
	switch {
	case err == nil && target.Fallback != "":
		return Errorf(EINVALID, "fallback_number: %s has a fallback number of its own (%s); fallbacks cannot nest", p.Fallback, target.Fallback)
	case err != nil && !errors.Is(err, ErrNotFound):
		return err
	}
	users, err := tx.FallbackUsers(p.WorkspaceID, p.Number)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return Errorf(EINVALID, "fallback_number: %s is the fallback number of %s, so it cannot have one of its own; fallbacks cannot nest", p.Number, strings.Join(users, ", "))
	}
	return nil
}
