package agentry

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Service applies the versioning rules (DESIGN §1) over a Store. It is the
// only place those rules are written; every backend shares it. Its write
// methods take a Caller (who asks) and a request struct (what is asked).
type Service struct {
	Store Store
	// Rules are the field rules the service applies to every configuration
	// it stores (schema.Rules in production).
	Rules Rules
	// Now is the clock; tests inject a fixed one. Nil means time.Now.
	Now func() time.Time
	// MCP asks MCP servers for their tools (get-mcp-tools).
	MCP MCPClient
	// KnowledgeBaseIndexing is how long the emulated indexing of a knowledge
	// base's new sources takes (0: they are indexed at once), and
	// ConcurrencyLimit the concurrent-call limit get-concurrency reports
	// (knowledgebase.go, account.go).
	KnowledgeBaseIndexing time.Duration
	ConcurrencyLimit      int
	// Routes caches routing snapshots between requests (resolve.go); nil
	// reads them from the store every time.
	Routes *RouteCache
	// Random draws the number in [0, 1) that a random-mode phone number
	// picks an entry with; tests inject a seeded one. Nil means
	// math/rand/v2's Float64.
	Random func() float64
}

// Caller is who makes a request: the workspace of the calling key, which key
// (its public prefix and label, never the key itself), and the request's id.
type Caller struct {
	Workspace string
	KeyPrefix string
	KeyLabel  string
	RequestID string
}

// Address names one version of a resource: its kind (AnyAgent for either
// agent kind), its id, and a version reference (RefNone: the operation's
// default).
type Address struct {
	Kind    *Kind
	ID      string
	Version VersionRef
}

// UpdateRequest asks to apply a patch to a draft.
type UpdateRequest struct {
	Address
	Patch Config
	// IfMatch, when not empty, must equal the target version's current ETag.
	IfMatch string
}

// BranchRequest asks for a new draft copied from version Base of an agent
// (create-agent-version).
type BranchRequest struct {
	AgentID string
	Base    int64
}

// PublishRequest asks to publish draft Version of an agent in place.
type PublishRequest struct {
	AgentID string
	Version int64
	// Title and Description, when not nil, are stored with the version.
	Title, Description *string
	IfMatch            string
}

// DeleteVersionRequest asks to delete one version of an agent.
type DeleteVersionRequest struct {
	AgentID string
	Version int64
}

// DeleteRequest asks to delete a resource and all its versions. Force
// deletes an engine even while agent versions pin it.
type DeleteRequest struct {
	Kind  *Kind
	ID    string
	Force bool
}

func (s *Service) now() int64 {
	if s.Now != nil {
		return s.Now().UnixMilli()
	}
	return time.Now().UnixMilli()
}

// singleReader is a Store that can run a one-statement read outside a
// transaction (sqlstore.Store can).
type singleReader interface {
	Read(ctx context.Context, fn func(Tx) error) error
}

// readOne runs fn, which issues one statement, outside a transaction when
// the store allows it, and in View otherwise.
func (s *Service) readOne(ctx context.Context, fn func(Tx) error) error {
	if r, ok := s.Store.(singleReader); ok {
		return r.Read(ctx, fn)
	}
	return s.Store.View(ctx, fn)
}

// getResource reads (or, with lock, locks) a resource of the workspace. The
// kind must be covered: a chat agent is not found through the voice
// endpoints, nor an engine through agent endpoints.
func getResource(tx Tx, workspaceID string, kind *Kind, id string, lock bool) (*Resource, error) {
	var r *Resource
	var err error
	if lock {
		r, err = tx.LockResource(workspaceID, id)
	} else {
		r, err = tx.GetResource(workspaceID, id)
	}
	if errors.Is(err, ErrNotFound) || (err == nil && !kind.Covers(r.Kind)) {
		return nil, Errorf(ENOTFOUND, "%s %s not found", kind.Noun, id)
	}
	return r, err
}

// lockedVersion is what lockVersion found besides the resource: the version
// (nil when the reference is not a number, or the one-statement read found
// nothing) and, when asked for, whether routing points at the agent.
type lockedVersion struct {
	v      *Version
	routed *bool
}

// lockVersion is getResource with lock, and the version read in the same
// round trip: by number (Tx.LockVersion, which also answers whether a tag or
// phone number points at the agent when routed is asked), or for RefNone the
// one pick selects (Tx.LockFind). When that read finds nothing, the resource
// is read alone, for the error that tells a missing resource from a missing
// version; the caller then resolves ref itself (found.v is nil), as it does
// for every other form of reference.
func lockVersion(tx Tx, workspaceID string, kind *Kind, id string, ref VersionRef, pick int, routed bool) (*Resource, lockedVersion, error) {
	var r *Resource
	var found lockedVersion
	var err error
	switch ref.Form {
	case RefNumber:
		var isRouted bool
		r, found.v, isRouted, err = tx.LockVersion(workspaceID, id, ref.Number, routed)
		if routed {
			found.routed = &isRouted
		}
	case RefNone:
		r, found.v, err = tx.LockFind(workspaceID, id, pick)
	default:
		r, err = getResource(tx, workspaceID, kind, id, true)
		return r, lockedVersion{}, err
	}
	if err == nil && kind.Covers(r.Kind) {
		return r, found, nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, lockedVersion{}, err
	}
	r, err = getResource(tx, workspaceID, kind, id, true)
	return r, lockedVersion{}, err
}

func getVersion(tx Tx, r *Resource, number int64) (*Version, error) {
	v, err := tx.GetVersion(r.WorkspaceID, r.ID, number)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ENOTFOUND, "%s %s has no version %d", r.Kind.Noun, r.ID, number)
	}
	return v, err
}

// resolve finds the version a reference names; def is what RefNone means.
func resolve(tx Tx, r *Resource, ref VersionRef, def int) (*Version, error) {
	pick := def
	switch ref.Form {
	case RefNumber:
		return getVersion(tx, r, ref.Number)
	case RefTag:
		t, err := tx.GetTag(r.WorkspaceID, r.ID, ref.Tag)
		if errors.Is(err, ErrNotFound) {
			return nil, Errorf(ENOTFOUND, "%s %s has no tag %q", r.Kind.Noun, r.ID, ref.Tag)
		} else if err != nil {
			return nil, err
		}
		if t.Version != nil {
			return getVersion(tx, r, *t.Version)
		}
		// An unassigned tag names the latest version, as Retell resolves it.
		pick = PickLatest
	case RefLatest:
		pick = PickLatest
	case RefLatestPublished:
		pick = PickLatestPublished
	}
	v, err := tx.FindVersion(r.WorkspaceID, r.ID, pick)
	if !errors.Is(err, ErrNotFound) {
		return v, err
	}
	switch pick {
	case PickLatestDraft:
		advice := "create a draft with create-agent-version and edit that"
		if !r.Kind.Agent {
			advice = publishedAdvice(r.Kind, 0)
		}
		return nil, Errorf(EINVALID, "%s %s has no draft version to edit: every version is published; %s", r.Kind.Noun, r.ID, advice)
	case PickLatestPublished:
		return nil, Errorf(ENOTFOUND, "%s %s has no published version", r.Kind.Noun, r.ID)
	}
	return nil, fmt.Errorf("%s %s has no versions", r.Kind.Noun, r.ID)
}

// touch records a user change to a resource at now. name, when not nil, is
// the agent_name of its latest version after the change: only the writes
// that can change it read or pass it, so most writes read nothing more.
func touch(tx Tx, r *Resource, now int64, name *string) error {
	if name != nil {
		r.Name = *name
	}
	if now > r.ModifiedAt {
		r.ModifiedAt = now
	}
	return tx.UpdateResource(r)
}

// latestName reads the agent_name of a resource's latest version.
func latestName(tx Tx, r *Resource) (*string, error) {
	latest, err := tx.FindVersion(r.WorkspaceID, r.ID, PickLatest)
	if err != nil {
		return nil, err
	}
	name := nameOf(latest.Config)
	return &name, nil
}

// ETag is the entity tag of a version as it is now: it changes with every
// write to the version.
func ETag(v *Version) string { return fmt.Sprintf(`"%s.%d.%d"`, v.ResourceID, v.Number, v.Revision) }

func checkIfMatch(v *Version, ifMatch string) error {
	if ifMatch == "" || ifMatch == "*" || ifMatch == ETag(v) || ifMatch == "W/"+ETag(v) {
		return nil
	}
	return Errorf(EPRECONDITION, "Precondition failed for conditional update: version %d of %s %s has changed since ETag %s (it is now %s)", v.Number, v.Kind.Noun, v.ResourceID, ifMatch, ETag(v))
}

// publishedAdvice says how to change a published version of a kind.
func publishedAdvice(k *Kind, number int64) string {
	if k.Agent {
		return fmt.Sprintf("create a draft from it with create-agent-version (base_version %d) and edit that", number)
	}
	return "create a new draft of an agent that uses it with create-agent-version, which gives the engine a new draft too, and edit that"
}
