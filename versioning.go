package agentry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Create makes a resource of the configuration's kind (an agent or an
// engine) with version 0, a draft holding the configuration.
func (s *Service) Create(ctx context.Context, c Caller, cfg Config) (*Version, error) {
	kind := cfg.kind
	if kind == nil || cfg.patch {
		return nil, fmt.Errorf("agentry: Create needs a configuration from CheckCreate")
	}
	now := s.now()
	v := &Version{WorkspaceID: c.Workspace, ResourceID: NewID(kind.IDPrefix), Kind: kind, Number: 0, ModifiedAt: now}
	config := Fields{}
	if err := applyPatch(v, config, cfg.fields); err != nil {
		return nil, err
	}
	if err := s.checkConfig(kind, config); err != nil {
		return nil, err
	}
	links, err := linksOf(config)
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		if err := guardLinks(tx, c.Workspace, links, EUNPROCESSABLE); err != nil {
			return err
		}
		if kind.Agent {
			if err := pinEngine(tx, v, config); err != nil {
				return err
			}
		}
		raw, err := encodeConfig(config)
		if err != nil {
			return err
		}
		v.Config = raw
		r := &Resource{WorkspaceID: c.Workspace, ID: v.ResourceID, Kind: kind, Name: nameOf(raw),
			NextVersion: 1, CreatedAt: now, ModifiedAt: now}
		if err := tx.InsertResource(r); err != nil {
			return err
		}
		if err := s.record(tx, c, Change{Action: ObjectType(kind) + ".created", Object: ObjectType(kind), ID: v.ResourceID, Version: &v.Number, Details: map[string]any{"kind": kind.Name, "engine": engineDetails(v)}}); err != nil {
			return err
		}
		if err := tx.InsertVersion(v); err != nil {
			return err
		}
		return setVersionLinks(tx, v, nil, links)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Get returns the version of a resource that the address names; RefNone
// means the latest (largest number).
func (s *Service) Get(ctx context.Context, c Caller, a Address) (*Version, error) {
	// The hot path, what a starting call asks for: the version row alone, in
	// one statement. A version row exists only while its resource does, and
	// carries the resource's kind, so the rules need nothing more when it is
	// found.
	if a.Version.Form != RefTag {
		var v *Version
		err := s.readOne(ctx, func(tx Tx) (err error) {
			switch a.Version.Form {
			case RefNumber:
				v, err = tx.GetVersion(c.Workspace, a.ID, a.Version.Number)
			case RefLatestPublished:
				v, err = tx.FindVersion(c.Workspace, a.ID, PickLatestPublished)
			default:
				v, err = tx.FindVersion(c.Workspace, a.ID, PickLatest)
			}
			return err
		})
		if err == nil && a.Kind.Covers(v.Kind) {
			return v, nil
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	// Not found: the two-step read tells a missing resource from a missing
	// version, with the error each gives.
	var v *Version
	err := s.Store.View(ctx, func(tx Tx) error {
		r, err := getResource(tx, c.Workspace, a.Kind, a.ID, false)
		if err != nil {
			return err
		}
		v, err = resolve(tx, r, a.Version, PickLatest)
		return err
	})
	return v, err
}

// Update applies a patch to the draft that the address names; RefNone means
// the latest draft.
func (s *Service) Update(ctx context.Context, c Caller, req UpdateRequest) (*Version, error) {
	if req.Patch.kind == nil || !req.Patch.patch || !req.Kind.Covers(req.Patch.kind) {
		return nil, fmt.Errorf("agentry: Update needs a patch from CheckPatch of kind %s", req.Kind)
	}
	patch := req.Patch.fields
	links, err := linksOf(patch)
	if err != nil {
		return nil, err
	}
	var v *Version
	err = s.Store.Update(ctx, func(tx Tx) error {
		if err := guardLinks(tx, c.Workspace, links, EUNPROCESSABLE); err != nil {
			return err
		}
		r, found, err := lockVersion(tx, c.Workspace, req.Kind, req.ID, req.Version, PickLatestDraft, false)
		if err != nil {
			return err
		}
		v = found.v
		if r.Kind != req.Patch.kind {
			return fmt.Errorf("agentry: a patch checked as %s cannot apply to %s %s of kind %s", req.Patch.kind, r.Kind.Noun, r.ID, r.Kind)
		}
		if v == nil {
			if v, err = resolve(tx, r, req.Version, PickLatestDraft); err != nil {
				return err
			}
		}
		if err := checkIfMatch(v, req.IfMatch); err != nil {
			return err
		}
		if v.Published {
			return Errorf(EINVALID, "version %d of %s %s is published and cannot be changed: %s", v.Number, r.Kind.Noun, r.ID, publishedAdvice(r.Kind, v.Number))
		}
		// The stored document is cut into members, not decoded (see
		// splitConfig), unless it is not in the form this writes.
		config, canonical := splitConfig(v.Config)
		if !canonical {
			if err := json.Unmarshal(v.Config, &config); err != nil {
				return fmt.Errorf("decode config of %s v%d: %w", r.ID, v.Number, err)
			}
			if config == nil {
				config = Fields{}
			}
		}
		relink := patchLinkFields(config, patch)
		apply := patch
		if canonical {
			if apply, err = canonicalPatch(patch); err != nil {
				return err
			}
		}
		if err := applyPatch(v, config, apply); err != nil {
			return err
		}
		if err := s.checkConfig(r.Kind, config); err != nil {
			return err
		}
		_, pinned := patch["response_engine"]
		if pinned && r.Kind.Agent {
			if err := pinEngine(tx, v, config); err != nil {
				return err
			}
		}
		if canonical {
			v.Config = appendCanonical(make([]byte, 0, len(v.Config)+64), config)
		} else if v.Config, err = encodeConfig(config); err != nil {
			return err
		}
		v.ModifiedAt = s.now()
		v.Revision++
		if err := tx.UpdateDraft(v, pinned && r.Kind.Agent); err != nil {
			return err
		}
		if len(relink) > 0 {
			if err := setVersionLinks(tx, v, relink, links); err != nil {
				return err
			}
		}
		// The listed name is the latest version's: only a patch of
		// agent_name on the latest version changes it.
		var name *string
		if _, renamed := patch[fieldName]; renamed {
			latest := v.Number == r.NextVersion-1
			if !latest {
				l, err := tx.FindVersion(r.WorkspaceID, r.ID, PickLatest)
				if err != nil {
					return err
				}
				latest = l.Number == v.Number
			}
			if latest {
				n := nameOf(v.Config)
				name = &n
			}
		}
		if err := s.record(tx, c, Change{Action: ObjectType(r.Kind) + ".updated", Object: ObjectType(r.Kind), ID: r.ID, Version: &v.Number, Paths: patchPaths(patch)}); err != nil {
			return err
		}
		return touch(tx, r, v.ModifiedAt, name)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Branch copies version Base (draft or published) of an agent into a new
// draft that takes the agent's next number (create-agent-version).
func (s *Service) Branch(ctx context.Context, c Caller, req BranchRequest) (*Version, error) {
	var v *Version
	var routed bool // a tag or phone number points at the agent: routing snapshots hold its versions
	err := s.Store.Update(ctx, func(tx Tx) error {
		// The copies keep the base's links to knowledge bases and shared
		// components, which must not be deleted meanwhile (see links.go).
		if err := tx.LockWorkspace(c.Workspace); err != nil {
			return err
		}
		r, err := getResource(tx, c.Workspace, AnyAgent, req.AgentID, true)
		if err != nil {
			return err
		}
		b, err := getVersion(tx, r, req.Base)
		if err != nil {
			return err
		}
		var err2 error
		v, routed, err2 = s.branch(tx, c, r, b, s.now())
		return err2
	})
	if err != nil {
		return nil, err
	}
	if routed {
		s.Routes.ForgetAgent(c.Workspace, req.AgentID)
	}
	return v, nil
}

// branch copies version b of agent r into a new draft with r's next number,
// the engine version b pins copied beside it, and the base's links to
// knowledge bases and components. The caller holds the workspace lock (the
// links) and r's row lock. It reports whether a tag or phone number points at
// the agent, whose routing snapshots must then be forgotten.
func (s *Service) branch(tx Tx, c Caller, r *Resource, b *Version, now int64) (*Version, bool, error) {
	v := &Version{WorkspaceID: r.WorkspaceID, ResourceID: r.ID, Kind: r.Kind, Number: r.NextVersion,
		BaseVersion: &b.Number, Config: b.Config, ModifiedAt: now}
	r.NextVersion++
	v.EngineID, v.EngineVersion = b.EngineID, b.EngineVersion
	if err := branchEngine(tx, b, v, now); err != nil {
		return nil, false, err
	}
	if err := tx.InsertVersion(v); err != nil {
		return nil, false, err
	}
	if err := tx.CopyVersionLinks(r.WorkspaceID, r.ID, b.Number, v.Number); err != nil {
		return nil, false, err
	}
	if err := s.record(tx, c, Change{Action: "agent_version.created", Object: ObjectAgent, ID: r.ID, Version: &v.Number, Details: map[string]any{"base_version": b.Number, "engine": engineDetails(v)}}); err != nil {
		return nil, false, err
	}
	routed, err := routedChange(tx, r, now)
	if err != nil {
		return nil, false, err
	}
	// The new draft has the highest number: it is the latest version.
	name := nameOf(v.Config)
	return v, routed, touch(tx, r, now, &name)
}

// Publish turns a draft of an agent into a published version in place, and
// publishes the engine version it pins in the same transaction.
func (s *Service) Publish(ctx context.Context, c Caller, req PublishRequest) error {
	var routed bool
	err := s.Store.Update(ctx, func(tx Tx) error {
		r, found, err := lockVersion(tx, c.Workspace, AnyAgent, req.AgentID, VersionRef{Form: RefNumber, Number: req.Version}, PickLatest, true)
		if err != nil {
			return err
		}
		v := found.v
		if v == nil {
			if v, err = getVersion(tx, r, req.Version); err != nil {
				return err
			}
		}
		if err := checkIfMatch(v, req.IfMatch); err != nil {
			return err
		}
		var err2 error
		routed, err2 = s.publishKnown(tx, c, r, v, req.Title, req.Description, s.now(), found.routed)
		return err2
	})
	if err == nil && routed {
		s.Routes.ForgetAgent(c.Workspace, req.AgentID)
	}
	return err
}

// publish publishes draft v of agent r in place, with the engine version it
// pins; a title or description given replaces the version's. The caller
// holds r's row lock. It reports whether a tag or phone number points at the
// agent, whose routing snapshots must then be forgotten.
func (s *Service) publish(tx Tx, c Caller, r *Resource, v *Version, title, description *string, now int64) (bool, error) {
	return s.publishKnown(tx, c, r, v, title, description, now, nil)
}

// publishKnown is publish where the caller may already know, from the read
// that locked r (lockVersion), whether a tag or phone number points at the
// agent; routed nil means it must be read.
func (s *Service) publishKnown(tx Tx, c Caller, r *Resource, v *Version, title, description *string, now int64, routed *bool) (bool, error) {
	if v.Published {
		return false, Errorf(EINVALID, "version %d of agent %s is already published: published versions never change; create a new draft with create-agent-version and publish that", v.Number, r.ID)
	}
	v.Published, v.PublishedAt, v.ModifiedAt = true, now, now
	if title != nil {
		v.Title = title
	}
	if description != nil {
		v.Description = description
	}
	v.Revision++
	if err := tx.PublishVersion(v); err != nil {
		return false, err
	}
	if err := s.record(tx, c, Change{Action: "agent_version.published", Object: ObjectAgent, ID: r.ID, Version: &v.Number, Details: map[string]any{"version_title": v.Title, "version_description": v.Description, "engine": engineDetails(v)}}); err != nil {
		return false, err
	}
	if err := publishEngine(tx, v, now); err != nil {
		return false, err
	}
	isRouted, err := routedChangeKnown(tx, r, now, routed)
	if err != nil {
		return false, err
	}
	return isRouted, touch(tx, r, now, nil)
}

// DeleteVersion deletes one version of an agent. The last remaining version
// cannot be deleted: the agent itself is deleted instead.
func (s *Service) DeleteVersion(ctx context.Context, c Caller, req DeleteVersionRequest) error {
	err := s.Store.Update(ctx, func(tx Tx) error {
		r, err := getResource(tx, c.Workspace, AnyAgent, req.AgentID, true)
		if err != nil {
			return err
		}
		v, err := getVersion(tx, r, req.Version)
		if err != nil {
			return err
		}
		n, err := tx.CountVersions(c.Workspace, r.ID)
		if err != nil {
			return err
		}
		if n <= 1 {
			return Errorf(EINVALID, "version %d is the only version of agent %s and cannot be deleted: delete the agent with delete-agent instead", req.Version, r.ID)
		}
		if err := refuseUsedVersion(tx, r, v); err != nil {
			return err
		}
		if err := tx.DeleteVersion(c.Workspace, r.ID, req.Version); err != nil {
			return err
		}
		if err := s.record(tx, c, Change{Action: "agent_version.deleted", Object: ObjectAgent, ID: r.ID, Version: &req.Version}); err != nil {
			return err
		}
		now := s.now()
		number := req.Version
		if err := logDeletion(tx, c.Workspace, r.ID, &number, now); err != nil {
			return err
		}
		name, err := latestName(tx, r)
		if err != nil {
			return err
		}
		return touch(tx, r, now, name)
	})
	if err == nil {
		s.Routes.ForgetAgent(c.Workspace, req.AgentID)
	}
	return err
}

// Delete deletes a resource and every version of it. An engine that agent
// versions pin is refused unless Force is set.
func (s *Service) Delete(ctx context.Context, c Caller, req DeleteRequest) error {
	err := s.Store.Update(ctx, func(tx Tx) error {
		r, err := getResource(tx, c.Workspace, req.Kind, req.ID, true)
		if err != nil {
			return err
		}
		if r.Kind.Engine && !req.Force {
			if err := refuseUsedEngine(tx, r); err != nil {
				return err
			}
		}
		if r.Kind.Agent {
			if err := refuseBoundAgent(tx, r); err != nil {
				return err
			}
		}
		if err := tx.DeleteResource(c.Workspace, r.ID); err != nil {
			return err
		}
		if err := s.record(tx, c, Change{Action: ObjectType(r.Kind) + ".deleted", Object: ObjectType(r.Kind), ID: r.ID, Details: map[string]any{"kind": r.Kind.Name, "force": req.Force}}); err != nil {
			return err
		}
		return logDeletion(tx, c.Workspace, r.ID, nil, s.now())
	})
	if err == nil {
		s.Routes.ForgetAgent(c.Workspace, req.ID)
	}
	return err
}

// Versions returns every version of a resource, ascending by number.
func (s *Service) Versions(ctx context.Context, c Caller, kind *Kind, id string) ([]Version, error) {
	var vs []Version
	err := s.Store.View(ctx, func(tx Tx) error {
		r, err := getResource(tx, c.Workspace, kind, id, false)
		if err != nil {
			return err
		}
		vs, err = tx.ListVersions(c.Workspace, r.ID, VersionQuery{})
		return err
	})
	return vs, err
}

// DeletionLogRetention is how long the deletion log keeps an entry: far
// longer than any replica takes to read it.
const DeletionLogRetention = time.Hour

// logDeletion records a deletion in the log that replicas read to forget
// cached versions, in the deleting transaction.
func logDeletion(tx Tx, workspaceID, resourceID string, number *int64, now int64) error {
	return tx.RecordDeletion(Deletion{WorkspaceID: workspaceID, ResourceID: resourceID, Number: number, At: now},
		now-DeletionLogRetention.Milliseconds())
}

// DeletionsSince lists the deletions logged at or after at (milliseconds).
func (s *Service) DeletionsSince(ctx context.Context, at int64) ([]Deletion, error) {
	var ds []Deletion
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		ds, err = tx.DeletionsSince(at)
		return err
	})
	return ds, err
}
