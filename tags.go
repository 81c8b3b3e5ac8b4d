package agentry

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
)

// Tag is a named pointer at one version of an agent (an environment such as
// prod or staging), with the dynamic variables that calls served through it
// get. A tag without a version is unassigned: references to it name the
// agent's latest version.
type Tag struct {
	WorkspaceID string
	AgentID     string
	Name        string
	Version     *int64
	Variables   map[string]string
	// PublishedOnly makes the tag refuse draft versions.
	PublishedOnly bool
	// Seq is the number of the tag's latest history entry: what If-Match
	// compares (see TagETag).
	Seq int64
	// AssignedAt is when the tag last took a version (ms; 0 if never);
	// AssignedOrder orders the assignments of one agent's tags, so that a
	// version's preferred tag (its most recently assigned) is never a tie.
	AssignedAt    int64
	AssignedOrder int64
	CreatedAt     int64
	ModifiedAt    int64
}

// TagEntry is one entry of a tag's history: a create, move, delete or
// revert, with the state before and after. Entries are only ever appended.
type TagEntry struct {
	WorkspaceID string
	AgentID     string
	Tag         string
	Seq         int64
	Action      string // TagCreated, TagMoved, TagDeleted, TagReverted
	// Before and After are the tag's state around the entry; Exists is
	// false before a create and after a delete.
	Before, After TagState
	// RevertOf is the entry whose before-state a revert restored.
	RevertOf *int64
	// Actor is who moved the tag (audit.go), RequestID the request that did.
	Actor     Actor
	RequestID string
	Reason    *string
	At        int64
}

// TagState is a tag's state as a history entry records it.
type TagState struct {
	Exists        bool
	Version       *int64
	Variables     map[string]string
	PublishedOnly bool
}

// Actions of tag history entries.
const (
	TagCreated  = "create"
	TagMoved    = "move"
	TagDeleted  = "delete"
	TagReverted = "revert"
)

// TagETag is the entity tag of a tag as it is now: it changes with every
// entry of its history, so If-Match fails once the tag moved.
func TagETag(t *Tag) string { return fmt.Sprintf(`"%s.%s.%d"`, t.AgentID, t.Name, t.Seq) }

// ParseTagName checks a tag name: the reference's pattern, and none of the
// words that are references of their own (latest, latest_published, v1…).
func ParseTagName(name string) (string, error) {
	ref, err := ParseVersionRef(name)
	if err != nil || ref.Form != RefTag {
		return "", Errorf(EINVALID, "tag: %q is not a tag name: use [a-z][a-z0-9_-]{0,19}, other than latest, latest_published and v followed by digits", name)
	}
	return name, nil
}

func (t *Tag) state() TagState {
	if t == nil {
		return TagState{}
	}
	return TagState{Exists: true, Version: t.Version, Variables: t.Variables, PublishedOnly: t.PublishedOnly}
}

func (s TagState) equal(o TagState) bool {
	return s.Exists == o.Exists && s.PublishedOnly == o.PublishedOnly && maps.Equal(s.Variables, o.Variables) &&
		(s.Version == nil) == (o.Version == nil) && (s.Version == nil || *s.Version == *o.Version)
}

// PutTagRequest creates, moves or unassigns a tag.
type PutTagRequest struct {
	AgentID string
	Name    string
	// Version is the version to point at; nil unassigns the tag.
	Version *int64
	// Variables replace the tag's dynamic variables; nil keeps them.
	Variables map[string]string
	// PublishedOnly, when not nil, sets the tag's flag.
	PublishedOnly *bool
	Reason        *string
	IfMatch       string
}

// DeleteTagRequest deletes a tag.
type DeleteTagRequest struct {
	AgentID, Name string
	Reason        *string
	IfMatch       string
}

// RevertTagRequest restores a tag's state from before history entry Seq.
type RevertTagRequest struct {
	AgentID, Name string
	Seq           int64
	Reason        *string
	IfMatch       string
}

// Tags lists an agent's tags (voice or chat), by name.
func (s *Service) Tags(ctx context.Context, c Caller, agentID string) ([]Tag, error) {
	var tags []Tag
	err := s.Store.View(ctx, func(tx Tx) error {
		r, err := getResource(tx, c.Workspace, AnyAgent, agentID, false)
		if err != nil {
			return err
		}
		tags, err = tx.ListTags(c.Workspace, r.ID)
		return err
	})
	return tags, err
}

// GetTag returns one tag.
func (s *Service) GetTag(ctx context.Context, c Caller, agentID, name string) (*Tag, error) {
	var t *Tag
	err := s.Store.View(ctx, func(tx Tx) error {
		r, err := getResource(tx, c.Workspace, AnyAgent, agentID, false)
		if err != nil {
			return err
		}
		t, err = tx.GetTag(c.Workspace, r.ID, name)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ENOTFOUND, "agent %s has no tag %q", r.ID, name)
		}
		return err
	})
	return t, err
}

// PutTag creates a tag, moves it to a version, unassigns it or changes its
// variables or flag. A request that changes nothing records nothing.
func (s *Service) PutTag(ctx context.Context, c Caller, req PutTagRequest) (*Tag, *TagEntry, error) {
	if err := checkVariables(req.Variables); err != nil {
		return nil, nil, err
	}
	return s.writeTag(ctx, c, req.AgentID, req.Name, req.IfMatch, func(tx Tx, r *Resource, cur *Tag) (tagChange, error) {
		next := TagState{Exists: true, Version: req.Version, Variables: map[string]string{}}
		if cur != nil {
			next.Variables, next.PublishedOnly = cur.Variables, cur.PublishedOnly
		}
		if req.Variables != nil {
			next.Variables = req.Variables
		}
		if req.PublishedOnly != nil {
			next.PublishedOnly = *req.PublishedOnly
		}
		action := TagMoved
		if cur == nil {
			action = TagCreated
		}
		return tagChange{next: next, action: action, reason: req.Reason}, nil
	})
}

// DeleteTag deletes a tag; its history stays. A tag that a phone number
// binds cannot be deleted.
func (s *Service) DeleteTag(ctx context.Context, c Caller, req DeleteTagRequest) (*TagEntry, error) {
	_, e, err := s.writeTag(ctx, c, req.AgentID, req.Name, req.IfMatch, func(tx Tx, r *Resource, cur *Tag) (tagChange, error) {
		if cur == nil {
			return tagChange{}, Errorf(ENOTFOUND, "agent %s has no tag %q", r.ID, req.Name)
		}
		return tagChange{next: TagState{}, action: TagDeleted, reason: req.Reason}, nil
	})
	return e, err
}

// RevertTag gives a tag back the state it had before history entry Seq, as
// a new entry; the history itself is never rewritten.
func (s *Service) RevertTag(ctx context.Context, c Caller, req RevertTagRequest) (*Tag, *TagEntry, error) {
	return s.writeTag(ctx, c, req.AgentID, req.Name, req.IfMatch, func(tx Tx, r *Resource, cur *Tag) (tagChange, error) {
		e, err := tx.GetTagEntry(c.Workspace, r.ID, req.Name, req.Seq)
		if errors.Is(err, ErrNotFound) {
			return tagChange{}, Errorf(ENOTFOUND, "tag %q of agent %s has no history entry %d", req.Name, r.ID, req.Seq)
		} else if err != nil {
			return tagChange{}, err
		}
		if !e.Before.Exists {
			return tagChange{}, Errorf(EINVALID, "seq: entry %d created tag %q, so there is no earlier state to return to; delete the tag instead", req.Seq, req.Name)
		}
		seq := req.Seq
		return tagChange{next: e.Before, action: TagReverted, revertOf: &seq, reason: req.Reason}, nil
	})
}

// tagChange is what a tag write asks for: the state after it (Exists false
// deletes the tag) and how the history entry describes it.
type tagChange struct {
	next     TagState
	action   string
	revertOf *int64
	reason   *string
}

// writeTag is the one place where a tag changes: every create, move,
// unassign, delete and revert comes through here, in one transaction that
// holds the agent's row lock (so it serialises with version deletes and
// other tag writes on any replica), checks If-Match, applies the rules,
// writes the tag and appends its history entry. It returns the tag after
// the change (nil once deleted) and the entry (nil when nothing changed).
func (s *Service) writeTag(ctx context.Context, c Caller, agentID, name, ifMatch string,
	change func(tx Tx, r *Resource, cur *Tag) (tagChange, error)) (*Tag, *TagEntry, error) {
	var after *Tag
	var entry *TagEntry
	err := s.Store.Update(ctx, func(tx Tx) error {
		// The agent first: another workspace's agent answers as a missing
		// one whatever the tag's name.
		r, err := getResource(tx, c.Workspace, AnyAgent, agentID, true)
		if err != nil {
			return err
		}
		if _, err := ParseTagName(name); err != nil {
			return err
		}
		cur, err := tx.GetTag(c.Workspace, r.ID, name)
		if errors.Is(err, ErrNotFound) {
			cur = nil
		} else if err != nil {
			return err
		}
		if err := checkTagIfMatch(r.ID, name, cur, ifMatch); err != nil {
			return err
		}
		ch, err := change(tx, r, cur)
		if err != nil {
			return err
		}
		if ch.next.equal(cur.state()) {
			after = cur
			return nil
		}
		now := s.now()
		if ch.next.Exists {
			if after, err = nextTag(tx, r, name, cur, ch.next, now); err != nil {
				return err
			}
		} else if err := refuseBoundTag(tx, r, name); err != nil {
			return err
		}
		last, err := tx.LastTagSeq(c.Workspace, r.ID, name)
		if err != nil {
			return err
		}
		entry = &TagEntry{WorkspaceID: c.Workspace, AgentID: r.ID, Tag: name, Seq: last + 1, Action: ch.action,
			Before: cur.state(), After: ch.next, RevertOf: ch.revertOf, Reason: ch.reason, At: now,
			Actor: Actor{KeyPrefix: c.KeyPrefix, Label: c.KeyLabel}, RequestID: c.RequestID}
		if err := tx.InsertTagEntry(entry); err != nil {
			return err
		}
		if err := s.record(tx, c, tagRecord(entry)); err != nil {
			return err
		}
		if after == nil {
			err = tx.DeleteTag(c.Workspace, r.ID, name)
		} else {
			after.Seq = entry.Seq
			err = tx.PutTag(after)
		}
		if err != nil {
			return err
		}
		return logRouteChange(tx, c.Workspace, r.ID, now)
	})
	if err != nil {
		return nil, nil, err
	}
	if entry != nil {
		s.Routes.ForgetAgent(c.Workspace, agentID)
	}
	return after, entry, nil
}

// tagRecord is the audit entry and webhook event of a tag's history entry:
// tag.moved for a create, move or unassignment, tag.reverted, tag.deleted.
func tagRecord(e *TagEntry) Change {
	action := "tag.moved"
	switch e.Action {
	case TagReverted:
		action = "tag.reverted"
	case TagDeleted:
		action = "tag.deleted"
	}
	details := map[string]any{"tag": e.Tag, "seq": e.Seq, "history_action": e.Action,
		"version_before": e.Before.Version, "version_after": e.After.Version,
		"dynamic_variables_before": e.Before.Variables, "dynamic_variables_after": e.After.Variables}
	if e.RevertOf != nil {
		details["revert_of"] = *e.RevertOf
	}
	if e.Reason != nil {
		details["reason"] = *e.Reason
	}
	return Change{Action: action, Object: ObjectAgent, ID: e.AgentID, Version: e.After.Version, Details: details}
}

// nextTag checks the state a tag is to take and returns the tag row for it:
// the version must exist, and be published when the tag takes only
// published versions.
func nextTag(tx Tx, r *Resource, name string, cur *Tag, next TagState, now int64) (*Tag, error) {
	t := &Tag{WorkspaceID: r.WorkspaceID, AgentID: r.ID, Name: name, Version: next.Version,
		Variables: next.Variables, PublishedOnly: next.PublishedOnly, CreatedAt: now, ModifiedAt: now}
	if cur != nil {
		t.CreatedAt, t.AssignedAt, t.AssignedOrder = cur.CreatedAt, cur.AssignedAt, cur.AssignedOrder
	}
	if t.Version == nil {
		t.AssignedAt, t.AssignedOrder = 0, 0
		return t, nil
	}
	v, err := tx.GetVersion(r.WorkspaceID, r.ID, *t.Version)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(EUNPROCESSABLE, "agent %s has no version %d for tag %q to point at", r.ID, *t.Version, name)
	} else if err != nil {
		return nil, err
	}
	if t.PublishedOnly && !v.Published {
		return nil, Errorf(EINVALID, "version: tag %q takes only published versions (published_only), and version %d of agent %s is a draft: publish it first", name, v.Number, r.ID)
	}
	if cur == nil || cur.Version == nil || *cur.Version != *t.Version {
		order, err := tx.MaxTagOrder(r.WorkspaceID, r.ID)
		if err != nil {
			return nil, err
		}
		t.AssignedAt, t.AssignedOrder = now, order+1
	}
	return t, nil
}

// checkTagIfMatch applies If-Match to a tag: "*" needs the tag to exist,
// anything else its current ETag.
func checkTagIfMatch(agentID, name string, cur *Tag, ifMatch string) error {
	switch {
	case ifMatch == "":
		return nil
	case cur == nil:
		return Errorf(EPRECONDITION, "Precondition failed for conditional update: tag %q of agent %s does not exist (If-Match %s)", name, agentID, ifMatch)
	case ifMatch == "*" || ifMatch == TagETag(cur) || ifMatch == "W/"+TagETag(cur):
		return nil
	}
	return Errorf(EPRECONDITION, "Precondition failed for conditional update: tag %q of agent %s has changed since ETag %s (it is now %s)", name, agentID, ifMatch, TagETag(cur))
}

// MaxVariables is the most dynamic variables a tag holds.
const MaxVariables = 100

func checkVariables(vars map[string]string) error {
	if len(vars) > MaxVariables {
		return Errorf(EINVALID, "dynamic_variables: must have at most %d variables, got %d", MaxVariables, len(vars))
	}
	for k := range vars {
		if strings.TrimSpace(k) == "" {
			return Errorf(EINVALID, "dynamic_variables: a variable name must not be empty")
		}
	}
	return nil
}

// HistoryPage is one page of a tag's history.
type HistoryPage = Page[TagEntry]

// TagHistory returns one page of a tag's history, newest first by default.
// The history of a deleted tag stays readable while its agent exists.
func (s *Service) TagHistory(ctx context.Context, c Caller, agentID, name string, p PageRequest) (*HistoryPage, error) {
	p = p.normalized()
	after, err := seqAfter("h", p)
	if err != nil {
		return nil, err
	}
	q := EntryQuery{After: after, Desc: p.Desc, Limit: p.Limit + 1}
	var items []TagEntry
	err = s.Store.View(ctx, func(tx Tx) error {
		r, err := getResource(tx, c.Workspace, AnyAgent, agentID, false)
		if err != nil {
			return err
		}
		last, err := tx.LastTagSeq(c.Workspace, r.ID, name)
		if err != nil {
			return err
		}
		if last == 0 {
			return Errorf(ENOTFOUND, "agent %s has no tag %q", r.ID, name)
		}
		items, err = tx.ListTagEntries(c.Workspace, r.ID, name, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	return seqPage(items, p, "h", func(e *TagEntry) int64 { return e.Seq }), nil
}
