package agentry

import (
	"context"
	"errors"
	"fmt"
)

// What retell-sdk 4.x asks that 5.x asks otherwise: lists of every version
// of every agent or engine, as one array; a publish of the latest version
// that leaves a new draft behind it; and the lists of phone numbers and
// shared components, as arrays without paging. (Its phone number fields are
// phonesingle.go.) Still in use by tools that bundle the older SDK, so
// served beside the newer endpoints, through the same rules.

// Limits of the 4.x lists: a page of up to 1000 items, 1000 by default.
const (
	LegacyDefaultLimit = 1000
	LegacyMaxLimit     = 1000
)

// VersionKey names one version: where a 4.x list page ends, as its
// pagination_key (the resource's id) and pagination_key_version.
type VersionKey struct {
	ResourceID string
	// Number is the version; nil means after every version of the resource.
	Number *int64
}

// ListAllVersions returns up to limit versions of the workspace's resources
// of kind, with their configurations: resources in the order they were
// created, each resource's versions in ascending order, starting after the
// version that after names (nil: from the start). A key naming a resource
// that no longer exists (or never did) is a 400: the client starts over.
func (s *Service) ListAllVersions(ctx context.Context, c Caller, kind *Kind, after *VersionKey, limit int) ([]Version, error) {
	if limit <= 0 || limit > LegacyMaxLimit {
		limit = LegacyDefaultLimit
	}
	var out []Version
	err := s.Store.View(ctx, func(tx Tx) error {
		var cursor *ResourceCursor
		if after != nil {
			r, err := getResource(tx, c.Workspace, kind, after.ResourceID, false)
			if err != nil {
				if ErrorCode(err) == ENOTFOUND {
					return Errorf(EINVALID, "pagination_key: no %s has id %q: start again without pagination_key", kind.Noun, after.ResourceID)
				}
				return err
			}
			if after.Number != nil {
				vs, err := tx.ListVersions(c.Workspace, r.ID, VersionQuery{After: after.Number, Limit: limit})
				if err != nil {
					return err
				}
				out = append(out, vs...)
			}
			cursor = &ResourceCursor{CreatedAt: r.CreatedAt, ID: r.ID}
		}
		// Resources a page at a time, each with its versions, until the
		// list is full or there are no more.
		for len(out) < limit {
			rs, err := tx.ListResources(c.Workspace, ResourceQuery{Kinds: kind.Names(), After: cursor, Limit: min(limit, 100)})
			if err != nil {
				return err
			}
			for _, r := range rs {
				vs, err := tx.ListVersions(c.Workspace, r.ID, VersionQuery{Limit: limit - len(out)})
				if err != nil {
					return err
				}
				out = append(out, vs...)
				if len(out) >= limit {
					return nil
				}
			}
			if len(rs) < min(limit, 100) {
				return nil
			}
			last := rs[len(rs)-1]
			cursor = &ResourceCursor{CreatedAt: last.CreatedAt, ID: last.ID}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PublishLatest publishes the latest version of an agent of kind and copies
// it into a new draft, in one transaction: what retell-sdk 4.x's publish
// does ("publish the latest version and create a new draft"). The latest
// version must be a draft; the engine version it pins is published too, and
// copied beside the new draft.
func (s *Service) PublishLatest(ctx context.Context, c Caller, kind *Kind, agentID string) (*Version, error) {
	if !kind.Agent || kind == AnyAgent {
		return nil, fmt.Errorf("agentry: PublishLatest of kind %s", kind)
	}
	var draft *Version
	var routed bool
	err := s.Store.Update(ctx, func(tx Tx) error {
		// The new draft keeps the published version's links to knowledge
		// bases and components: the workspace lock first (links.go).
		if err := tx.LockWorkspace(c.Workspace); err != nil {
			return err
		}
		r, err := getResource(tx, c.Workspace, kind, agentID, true)
		if err != nil {
			return err
		}
		v, err := tx.FindVersion(c.Workspace, r.ID, PickLatest)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ENOTFOUND, "%s %s has no version", r.Kind.Noun, r.ID)
		} else if err != nil {
			return err
		}
		if v.Published {
			return Errorf(EINVALID, "the latest version of %s %s, %d, is already published: create a draft with create-agent-version, change it, then publish it", r.Kind.Noun, r.ID, v.Number)
		}
		now := s.now()
		if routed, err = s.publish(tx, c, r, v, nil, nil, now); err != nil {
			return err
		}
		draft, _, err = s.branch(tx, c, r, v, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	if routed {
		s.Routes.ForgetAgent(c.Workspace, agentID)
	}
	return draft, nil
}

// ListAllPhones returns every phone number of the workspace, newest first
// (the order /v2/list-phone-numbers pages by default), read in one
// transaction: retell-sdk 4.x's list-phone-numbers, which has no paging.
func (s *Service) ListAllPhones(ctx context.Context, c Caller) ([]Phone, error) {
	var out []Phone
	err := s.Store.View(ctx, func(tx Tx) error {
		out = out[:0]
		return readAll(func(after *ResourceCursor, limit int) (int, *ResourceCursor, error) {
			page, err := tx.ListPhones(c.Workspace, KeysetQuery{After: after, Desc: true, Limit: limit})
			if err != nil || len(page) == 0 {
				return 0, nil, err
			}
			out = append(out, page...)
			last := page[len(page)-1]
			return len(page), &ResourceCursor{CreatedAt: last.CreatedAt, ID: last.Number}, nil
		})
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []Phone{}
	}
	return out, nil
}

// readAllBatch is how many rows readAll asks for at a time.
const readAllBatch = 100

// readAll calls next with the cursor after the last row it returned (nil at
// first; "after" in the list's order) until a call returns fewer rows than
// asked for: a whole keyset list in batches, for the lists of retell-sdk 4.x
// that have no paging.
func readAll(next func(after *ResourceCursor, limit int) (int, *ResourceCursor, error)) error {
	var after *ResourceCursor
	for {
		n, last, err := next(after, readAllBatch)
		if err != nil || n < readAllBatch {
			return err
		}
		after = last
	}
}

// ListAllComponents returns every shared conversation flow component of the
// workspace, newest first (the order of /v2/list-conversation-flow-components
// by default), with the flows that use each, read in one transaction:
// retell-sdk 4.x's list-conversation-flow-components, which has no paging.
func (s *Service) ListAllComponents(ctx context.Context, c Caller) ([]Component, error) {
	var out []Component
	err := s.Store.View(ctx, func(tx Tx) error {
		out = out[:0]
		err := readAll(func(after *ResourceCursor, limit int) (int, *ResourceCursor, error) {
			page, err := tx.ListComponents(c.Workspace, KeysetQuery{After: after, Desc: true, Limit: limit})
			if err != nil || len(page) == 0 {
				return 0, nil, err
			}
			out = append(out, page...)
			last := page[len(page)-1]
			return len(page), &ResourceCursor{CreatedAt: last.CreatedAt, ID: last.ID}, nil
		})
		if err != nil {
			return err
		}
		ptrs := make([]*Component, len(out))
		for i := range out {
			ptrs[i] = &out[i]
		}
		return fillLinkedFlows(tx, ptrs...)
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []Component{}
	}
	return out, nil
}
