package agentry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// AgentService applies the versioning rules (DESIGN §1) over a Store. It is
// the only place those rules are written; every backend shares it.
type AgentService struct {
	Store Store
	// Now is the clock; tests inject a fixed one. Nil means time.Now.
	Now func() time.Time
	// Check, when set, checks a whole configuration of the given channel or
	// engine kind after a create or an update has been applied to it and
	// before it is stored: rules across fields (a starting state that must
	// exist, edges that must lead somewhere) need the merged result, which
	// only exists inside the transaction. Its error is returned as is.
	Check func(channel string, config Fields) error
}

// Metadata fields of a version: accepted in create and update bodies but kept
// beside the configuration rather than in it.
const (
	fieldTitle       = "version_title"
	fieldDescription = "version_description"
	fieldName        = "agent_name"
)

// mergedObjectFields are nested objects whose PATCH merges flag by flag
// instead of replacing the whole value, as the reference documents.
var mergedObjectFields = map[string]bool{"contact_memory_config": true}

func (s *AgentService) check(channel string, config Fields) error {
	if s.Check == nil {
		return nil
	}
	return s.Check(channel, config)
}

func (s *AgentService) now() int64 {
	if s.Now != nil {
		return s.Now().UnixMilli()
	}
	return time.Now().UnixMilli()
}

// CreateAgent creates an agent of the given channel with version 0, a draft
// holding fields (already validated against the channel's schema).
func (s *AgentService) CreateAgent(ctx context.Context, workspaceID, channel string, fields Fields) (*Version, error) {
	return s.create(ctx, workspaceID, channel, "agent_", fields)
}

// create makes a versioned resource (an agent or an engine) and its draft
// version 0.
func (s *AgentService) create(ctx context.Context, workspaceID, channel, idPrefix string, fields Fields) (*Version, error) {
	now := s.now()
	v := &Version{WorkspaceID: workspaceID, AgentID: NewID(idPrefix), Channel: channel, Number: 0, ModifiedAt: now}
	config := Fields{}
	if err := applyPatch(v, config, fields); err != nil {
		return nil, err
	}
	if err := s.check(channel, config); err != nil {
		return nil, err
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		if IsAgentChannel(channel) {
			if err := pinEngine(tx, v, config); err != nil {
				return err
			}
		}
		raw, err := encodeConfig(config)
		if err != nil {
			return err
		}
		v.Config = raw
		a := &Agent{WorkspaceID: workspaceID, ID: v.AgentID, Channel: channel, Name: nameOf(raw),
			NextVersion: 1, CreatedAt: now, ModifiedAt: now}
		if err := tx.InsertAgent(a); err != nil {
			return err
		}
		return tx.InsertVersion(v)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// GetVersion returns the version of an agent that ref names; RefNone means the
// latest (largest number).
func (s *AgentService) GetVersion(ctx context.Context, workspaceID, channel, agentID string, ref VersionRef) (*Version, error) {
	// The hot path, what a starting call asks for: the version row alone, in
	// one statement. A version row exists only while its agent does, and
	// carries the agent's channel, so the rules need nothing more when it is
	// found.
	if ref.Kind != RefTag {
		var v *Version
		err := s.readOne(ctx, func(tx Tx) (err error) {
			switch ref.Kind {
			case RefNumber:
				v, err = tx.GetVersion(workspaceID, agentID, ref.Number)
			case RefLatestPublished:
				v, err = tx.FindVersion(workspaceID, agentID, PickLatestPublished)
			default:
				v, err = tx.FindVersion(workspaceID, agentID, PickLatest)
			}
			return err
		})
		if err == nil && channelMatches(channel, v.Channel) {
			return v, nil
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	// Not found: the two-step read tells a missing agent from a missing
	// version, with the error each gives.
	var v *Version
	err := s.Store.View(ctx, func(tx Tx) error {
		a, err := getAgent(tx, workspaceID, channel, agentID, false)
		if err != nil {
			return err
		}
		v, err = resolve(tx, a, ref, PickLatest)
		return err
	})
	return v, err
}

// singleReader is a Store that can run a one-statement read outside a
// transaction (sqlstore.Store can).
type singleReader interface {
	Read(ctx context.Context, fn func(Tx) error) error
}

// readOne runs fn, which issues one statement, outside a transaction when
// the store allows it, and in View otherwise.
func (s *AgentService) readOne(ctx context.Context, fn func(Tx) error) error {
	if r, ok := s.Store.(singleReader); ok {
		return r.Read(ctx, fn)
	}
	return s.Store.View(ctx, fn)
}

// UpdateVersion applies a PATCH to the draft that ref names; RefNone means the
// latest draft. ifMatch, when not empty, must equal the target's current ETag.
func (s *AgentService) UpdateVersion(ctx context.Context, workspaceID, channel, agentID string, ref VersionRef, patch Fields, ifMatch string) (*Version, error) {
	var v *Version
	err := s.Store.Update(ctx, func(tx Tx) error {
		a, err := getAgent(tx, workspaceID, channel, agentID, true)
		if err != nil {
			return err
		}
		v, err = resolve(tx, a, ref, PickLatestDraft)
		if err != nil {
			return err
		}
		if err := checkIfMatch(v, ifMatch); err != nil {
			return err
		}
		if v.Published {
			return Errorf(EINVALID, "version %d of %s %s is published and cannot be changed: %s", v.Number, kindName(a.Channel), a.ID, publishedAdvice(a.Channel, v.Number))
		}
		var config Fields
		if err := json.Unmarshal(v.Config, &config); err != nil {
			return fmt.Errorf("decode config of %s v%d: %w", a.ID, v.Number, err)
		}
		if config == nil {
			config = Fields{}
		}
		if err := applyPatch(v, config, patch); err != nil {
			return err
		}
		if err := s.check(a.Channel, config); err != nil {
			return err
		}
		if _, ok := patch["response_engine"]; ok && IsAgentChannel(a.Channel) {
			if err := pinEngine(tx, v, config); err != nil {
				return err
			}
		}
		if v.Config, err = encodeConfig(config); err != nil {
			return err
		}
		v.ModifiedAt = s.now()
		v.Revision++
		if err := tx.UpdateVersion(v); err != nil {
			return err
		}
		return touchAgent(tx, a, v.ModifiedAt)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// CreateVersion copies version base (draft or published) into a new draft
// that takes the agent's next number.
func (s *AgentService) CreateVersion(ctx context.Context, workspaceID, agentID string, base int64) (*Version, error) {
	var v *Version
	err := s.Store.Update(ctx, func(tx Tx) error {
		a, err := getAgent(tx, workspaceID, "", agentID, true)
		if err != nil {
			return err
		}
		b, err := getVersion(tx, a, base)
		if err != nil {
			return err
		}
		now := s.now()
		v = &Version{WorkspaceID: workspaceID, AgentID: a.ID, Channel: a.Channel, Number: a.NextVersion,
			BaseVersion: &b.Number, Config: b.Config, ModifiedAt: now}
		a.NextVersion++
		v.EngineID, v.EngineVersion = b.EngineID, b.EngineVersion
		if err := branchEngine(tx, b, v, now); err != nil {
			return err
		}
		if err := tx.InsertVersion(v); err != nil {
			return err
		}
		return touchAgent(tx, a, now)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Publish turns draft number into a published version in place. title and
// description, when not nil, are stored with it.
func (s *AgentService) Publish(ctx context.Context, workspaceID, agentID string, number int64, title, description *string, ifMatch string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		a, err := getAgent(tx, workspaceID, "", agentID, true)
		if err != nil {
			return err
		}
		v, err := getVersion(tx, a, number)
		if err != nil {
			return err
		}
		if err := checkIfMatch(v, ifMatch); err != nil {
			return err
		}
		if v.Published {
			return Errorf(EINVALID, "version %d of agent %s is already published: published versions never change; create a new draft with create-agent-version and publish that", number, a.ID)
		}
		now := s.now()
		v.Published, v.PublishedAt, v.ModifiedAt = true, now, now
		if title != nil {
			v.Title = title
		}
		if description != nil {
			v.Description = description
		}
		v.Revision++
		if err := tx.UpdateVersion(v); err != nil {
			return err
		}
		if err := publishEngine(tx, v, now); err != nil {
			return err
		}
		return touchAgent(tx, a, now)
	})
}

// DeleteVersion deletes one version. The last remaining version cannot be
// deleted: the agent itself is deleted instead.
func (s *AgentService) DeleteVersion(ctx context.Context, workspaceID, agentID string, number int64) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		a, err := getAgent(tx, workspaceID, "", agentID, true)
		if err != nil {
			return err
		}
		if _, err := getVersion(tx, a, number); err != nil {
			return err
		}
		n, err := tx.CountVersions(workspaceID, a.ID)
		if err != nil {
			return err
		}
		if n <= 1 {
			return Errorf(EINVALID, "version %d is the only version of agent %s and cannot be deleted: delete the agent with delete-agent instead", number, a.ID)
		}
		if err := tx.DeleteVersion(workspaceID, a.ID, number); err != nil {
			return err
		}
		now := s.now()
		if err := logDeletion(tx, workspaceID, a.ID, &number, now); err != nil {
			return err
		}
		return touchAgent(tx, a, now)
	})
}

// DeleteAgent deletes an agent and every version of it.
func (s *AgentService) DeleteAgent(ctx context.Context, workspaceID, channel, agentID string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		a, err := getAgent(tx, workspaceID, channel, agentID, true)
		if err != nil {
			return err
		}
		if err := tx.DeleteAgent(workspaceID, a.ID); err != nil {
			return err
		}
		return logDeletion(tx, workspaceID, a.ID, nil, s.now())
	})
}

// DeletionLogRetention is how long the deletion log keeps an entry: far
// longer than any replica takes to read it.
const DeletionLogRetention = time.Hour

// logDeletion records a deletion in the log that replicas read to forget
// cached versions, in the deleting transaction.
func logDeletion(tx Tx, workspaceID, agentID string, number *int64, now int64) error {
	return tx.RecordDeletion(Deletion{WorkspaceID: workspaceID, AgentID: agentID, Number: number, At: now},
		now-DeletionLogRetention.Milliseconds())
}

// DeletionsSince lists the deletions logged at or after at (milliseconds).
func (s *AgentService) DeletionsSince(ctx context.Context, at int64) ([]Deletion, error) {
	var ds []Deletion
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		ds, err = tx.DeletionsSince(at)
		return err
	})
	return ds, err
}

// Versions returns every version of an agent, ascending by number.
func (s *AgentService) Versions(ctx context.Context, workspaceID, channel, agentID string) ([]Version, error) {
	var vs []Version
	err := s.Store.View(ctx, func(tx Tx) error {
		a, err := getAgent(tx, workspaceID, channel, agentID, false)
		if err != nil {
			return err
		}
		vs, err = tx.ListVersions(workspaceID, a.ID, VersionQuery{})
		return err
	})
	return vs, err
}

// getAgent reads (or, with lock, locks) an agent or engine of the workspace.
// The channel must match: a chat agent is not found through the voice
// endpoints, nor an engine through agent endpoints. "" means either agent
// channel (the version endpoints serve voice and chat agents alike).
func getAgent(tx Tx, workspaceID, channel, agentID string, lock bool) (*Agent, error) {
	var a *Agent
	var err error
	if lock {
		a, err = tx.LockAgent(workspaceID, agentID)
	} else {
		a, err = tx.GetAgent(workspaceID, agentID)
	}
	if errors.Is(err, ErrNotFound) || (err == nil && !channelMatches(channel, a.Channel)) {
		return nil, Errorf(ENOTFOUND, "%s %s not found", kindName(channel), agentID)
	}
	return a, err
}

func channelMatches(want, got string) bool {
	if want == "" {
		return IsAgentChannel(got)
	}
	return want == got
}

func getVersion(tx Tx, a *Agent, number int64) (*Version, error) {
	v, err := tx.GetVersion(a.WorkspaceID, a.ID, number)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ENOTFOUND, "%s %s has no version %d", kindName(a.Channel), a.ID, number)
	}
	return v, err
}

// resolve finds the version a reference names; def is what RefNone means.
func resolve(tx Tx, a *Agent, ref VersionRef, def int) (*Version, error) {
	pick := def
	switch ref.Kind {
	case RefNumber:
		return getVersion(tx, a, ref.Number)
	case RefTag:
		return nil, Errorf(ENOTFOUND, "%s %s has no tag %q", kindName(a.Channel), a.ID, ref.Tag)
	case RefLatest:
		pick = PickLatest
	case RefLatestPublished:
		pick = PickLatestPublished
	}
	v, err := tx.FindVersion(a.WorkspaceID, a.ID, pick)
	if !errors.Is(err, ErrNotFound) {
		return v, err
	}
	switch pick {
	case PickLatestDraft:
		advice := "create a draft with create-agent-version and edit that"
		if !IsAgentChannel(a.Channel) {
			advice = publishedAdvice(a.Channel, 0)
		}
		return nil, Errorf(EINVALID, "%s %s has no draft version to edit: every version is published; %s", kindName(a.Channel), a.ID, advice)
	case PickLatestPublished:
		return nil, Errorf(ENOTFOUND, "%s %s has no published version", kindName(a.Channel), a.ID)
	}
	return nil, fmt.Errorf("agent %s has no versions", a.ID)
}

// touchAgent records a user change to an agent at now and refreshes the name
// kept for listing from its latest version.
func touchAgent(tx Tx, a *Agent, now int64) error {
	latest, err := tx.FindVersion(a.WorkspaceID, a.ID, PickLatest)
	if err != nil {
		return err
	}
	a.Name = nameOf(latest.Config)
	if now > a.ModifiedAt {
		a.ModifiedAt = now
	}
	return tx.UpdateAgent(a)
}

// ETag is the entity tag of a version as it is now: it changes with every
// write to the version.
func ETag(v *Version) string { return fmt.Sprintf(`"%s.%d.%d"`, v.AgentID, v.Number, v.Revision) }

func checkIfMatch(v *Version, ifMatch string) error {
	if ifMatch == "" || ifMatch == "*" || ifMatch == ETag(v) || ifMatch == "W/"+ETag(v) {
		return nil
	}
	return Errorf(EPRECONDITION, "Precondition failed for conditional update: version %d of agent %s has changed since ETag %s (it is now %s)", v.Number, v.AgentID, ifMatch, ETag(v))
}

// applyPatch applies patch to config and to v's metadata. A JSON null removes
// a configuration field (the schema has already refused null where a field
// is not nullable).
func applyPatch(v *Version, config, patch Fields) error {
	for k, raw := range patch {
		null := isNull(raw)
		switch {
		case k == fieldTitle:
			v.Title = stringOrNil(raw)
		case k == fieldDescription:
			v.Description = stringOrNil(raw)
		case null:
			delete(config, k)
		case mergedObjectFields[k] && config[k] != nil:
			merged, err := mergeObjects(config[k], raw)
			if err != nil {
				return err
			}
			config[k] = merged
		default:
			config[k] = raw
		}
	}
	return nil
}

func mergeObjects(base, patch json.RawMessage) (json.RawMessage, error) {
	var b, p map[string]json.RawMessage
	if err := json.Unmarshal(base, &b); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, err
	}
	if b == nil {
		b = map[string]json.RawMessage{}
	}
	for k, val := range p {
		b[k] = val
	}
	return json.Marshal(b)
}

func encodeConfig(config Fields) (json.RawMessage, error) {
	// Compact each value so stored documents do not keep client whitespace.
	for k, raw := range config {
		buf, err := compact(raw)
		if err != nil {
			return nil, fmt.Errorf("config field %s: %w", k, err)
		}
		config[k] = buf
	}
	return json.Marshal(config)
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func stringOrNil(raw json.RawMessage) *string {
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil
	}
	return s
}

// nameOf returns agent_name from a stored configuration, or "".
func nameOf(config json.RawMessage) string {
	var c struct {
		Name *string `json:"agent_name"`
	}
	if json.Unmarshal(config, &c) != nil || c.Name == nil {
		return ""
	}
	return *c.Name
}
