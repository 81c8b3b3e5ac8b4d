package agentry

import "context"

// Store is what a storage backend offers: transactions over rows. It knows
// nothing of drafts or publishing; the rules live in the services above it.
// Each call of Update or View is exactly one database transaction.
type Store interface {
	// Update runs fn in one read-write transaction, committed when fn returns
	// nil and rolled back otherwise. A 2xx answer is only sent after commit.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in one read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// Tx is one transaction's row operations. Missing rows are ErrNotFound;
// unique-constraint violations are ErrDuplicate.
type Tx interface {
	InsertWorkspace(w *Workspace) error
	WorkspaceByName(name string) (*Workspace, error)
	InsertKey(k *APIKey) error
	KeyByHash(hash string) (*APIKey, error)
	// ListKeys lists keys of one workspace, or of all when workspaceID is "".
	ListKeys(workspaceID string) ([]APIKey, error)
	// RevokeKey marks the key whose ID or prefix is idOrPrefix as revoked at
	// the given time.
	RevokeKey(idOrPrefix string, at int64) error

	InsertResource(r *Resource) error
	// GetResource reads a resource. LockResource reads it and holds a write
	// lock on its row until the transaction ends, so that writes to one
	// resource (counter, publish, edits) are serialized across processes.
	GetResource(workspaceID, id string) (*Resource, error)
	LockResource(workspaceID, id string) (*Resource, error)
	UpdateResource(r *Resource) error
	// DeleteResource deletes the resource row and every version of it.
	DeleteResource(workspaceID, id string) error
	ListResources(workspaceID string, q ResourceQuery) ([]Resource, error)

	InsertVersion(v *Version) error
	GetVersion(workspaceID, resourceID string, number int64) (*Version, error)
	// FindVersion returns the version that pick selects (PickLatest,
	// PickLatestDraft, PickLatestPublished).
	FindVersion(workspaceID, resourceID string, pick int) (*Version, error)
	UpdateVersion(v *Version) error
	DeleteVersion(workspaceID, resourceID string, number int64) error
	CountVersions(workspaceID, resourceID string) (int, error)
	ListVersions(workspaceID, resourceID string, q VersionQuery) ([]Version, error)
	// EngineUsers lists up to limit agent versions that pin the engine.
	EngineUsers(workspaceID, engineID string, limit int) ([]Version, error)

	// RecordDeletion appends to the deletion log, and drops entries older
	// than pruneBefore.
	RecordDeletion(d Deletion, pruneBefore int64) error
	// DeletionsSince lists the logged deletions at or after the given time.
	DeletionsSince(at int64) ([]Deletion, error)

	// Routing: tags, their history, phone numbers and the route change
	// log (tags.go, phones.go, resolve.go).

	// GetTag reads one tag; ListTags the tags of the given agents, by agent
	// and name.
	GetTag(workspaceID, agentID, name string) (*Tag, error)
	ListTags(workspaceID string, agentIDs ...string) ([]Tag, error)
	// PutTag inserts or replaces a tag row.
	PutTag(t *Tag) error
	DeleteTag(workspaceID, agentID, name string) error
	// MaxTagOrder is the largest AssignedOrder among an agent's tags (0 if
	// none).
	MaxTagOrder(workspaceID, agentID string) (int64, error)
	// LastTagSeq is the seq of a tag name's latest history entry (0 if
	// none), whether or not the tag still exists.
	LastTagSeq(workspaceID, agentID, name string) (int64, error)
	InsertTagEntry(e *TagEntry) error
	GetTagEntry(workspaceID, agentID, name string, seq int64) (*TagEntry, error)
	ListTagEntries(workspaceID, agentID, name string, q EntryQuery) ([]TagEntry, error)

	// InsertPhone inserts a phone number and its binding rows (from Lists);
	// a number that exists in any workspace is ErrDuplicate.
	InsertPhone(p *Phone) error
	GetPhone(workspaceID, number string) (*Phone, error)
	// LockPhone reads a phone number and locks its row until the
	// transaction ends.
	LockPhone(workspaceID, number string) (*Phone, error)
	// UpdatePhone writes a phone number's mutable columns and replaces its
	// binding rows.
	UpdatePhone(p *Phone) error
	DeletePhone(workspaceID, number string) error
	ListPhones(workspaceID string, q PhoneQuery) ([]Phone, error)
	// PhoneUses lists the list entries that bind an agent, by number,
	// direction and position.
	PhoneUses(workspaceID, agentID string) ([]PhoneUse, error)
	// FallbackUsers lists the numbers whose fallback number is number.
	FallbackUsers(workspaceID, number string) ([]string, error)
	// AgentBound reports whether a phone number binds the agent;
	// AgentRouted whether one does or the agent has a tag.
	AgentBound(workspaceID, agentID string) (bool, error)
	AgentRouted(workspaceID, agentID string) (bool, error)
	// VersionStates lists an agent's versions (number, published,
	// published_at), ascending.
	VersionStates(workspaceID, agentID string) ([]VersionState, error)
	// RecordRouteChange appends to the route change log and drops entries
	// older than pruneBefore.
	RecordRouteChange(ch RouteChange, pruneBefore int64) error
	// RouteChangesSince lists the logged route changes at or after at.
	RouteChangesSince(at int64) ([]RouteChange, error)
}

// EntryQuery selects a page of a tag's history, ordered by seq.
type EntryQuery struct {
	After *int64
	Desc  bool
	Limit int
}

// PhoneQuery selects a page of phone numbers, ordered by (CreatedAt,
// Number); the cursor's ID is the number.
type PhoneQuery struct {
	After *ResourceCursor
	Desc  bool
	Limit int
}

// Deletion is an entry of the deletion log: a version (Number set) or a
// whole resource (Number nil) that was deleted at At.
type Deletion struct {
	WorkspaceID string
	ResourceID  string
	Number      *int64
	At          int64 // milliseconds since the epoch, by the deleting process's clock
}

// Version picks for Tx.FindVersion.
const (
	PickLatest          = iota // the largest number, draft or published
	PickLatestDraft            // the largest-numbered draft
	PickLatestPublished        // the most recently published
)

// ResourceQuery selects a page of resources, ordered by (CreatedAt, ID).
type ResourceQuery struct {
	Kinds  []string // the stored kind names to list (Kind.Names); at least one
	Search string   // case-insensitive substring of the name, or substring of the ID
	// PublishedOnly keeps agents that have a published version; Tag those
	// whose tag of that name is assigned.
	PublishedOnly bool
	Tag           string
	After         *ResourceCursor
	Desc          bool
	Limit         int
}

// ResourceCursor is the keyset position after which a page of resources
// starts.
type ResourceCursor struct {
	CreatedAt int64
	ID        string
}

// VersionQuery selects a page of one resource's versions, ordered by number.
type VersionQuery struct {
	After *int64
	Desc  bool
	Limit int // 0 means every version
	// PublishedOnly keeps published versions; Tag the version that the tag
	// of that name holds.
	PublishedOnly bool
	Tag           string
	// Summary asks only for what a version summary shows: number,
	// base_version, published, title, description, modified_at. Config and
	// the other fields are left empty.
	Summary bool
}
