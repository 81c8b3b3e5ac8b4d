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

// WriteProber is a Store that can tell whether it can write now: by a
// write that no client sees. Readiness and startup ask it; a store that
// does not offer it is taken as writable.
type WriteProber interface {
	// ProbeWrite writes and commits a probe row. A store that cannot write
	// (a read-only file or database, a full disk) answers an *Error of code
	// EUNAVAILABLE that wraps ErrReadOnly.
	ProbeWrite(ctx context.Context) error
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
	After  *ResourceCursor
	Desc   bool
	Limit  int
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
	// Summary asks only for what a version summary shows: number,
	// base_version, published, title, description, modified_at. Config and
	// the other fields are left empty.
	Summary bool
}
