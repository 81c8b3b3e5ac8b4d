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
	// ListResourcesTags reads what ListResources reads and the tags of those
	// resources (in the page's order, then by name) in one statement, one snapshot: a
	// read that Store.Read may run outside a transaction.
	ListResourcesTags(workspaceID string, q ResourceQuery) ([]Resource, []Tag, error)

	InsertVersion(v *Version) error
	GetVersion(workspaceID, resourceID string, number int64) (*Version, error)
	// FindVersion returns the version that pick selects (PickLatest,
	// PickLatestDraft, PickLatestPublished).
	FindVersion(workspaceID, resourceID string, pick int) (*Version, error)
	UpdateVersion(v *Version) error
	// UpdateDraft writes the columns an edit of a draft changes (the
	// engine's only when pinned); PublishVersion those publishing changes.
	UpdateDraft(v *Version, pinned bool) error
	PublishVersion(v *Version) error
	// LockVersion is LockResource and GetVersion in one statement; with
	// routed it also answers AgentRouted. Either missing is ErrNotFound.
	LockVersion(workspaceID, id string, number int64, routed bool) (*Resource, *Version, bool, error)
	// LockFind is LockResource and FindVersion together; the version is
	// nil when none matches pick, and a missing resource is ErrNotFound.
	LockFind(workspaceID, id string, pick int) (*Resource, *Version, error)
	DeleteVersion(workspaceID, resourceID string, number int64) error
	CountVersions(workspaceID, resourceID string) (int, error)
	ListVersions(workspaceID, resourceID string, q VersionQuery) ([]Version, error)
	// ListVersionSummaries reads a resource's kind and what ListVersions
	// reads with q.Summary, in one statement, one snapshot (a read that
	// Store.Read may run outside a transaction). A missing resource is
	// ErrNotFound; one with no matching version gives its kind and no rows.
	ListVersionSummaries(workspaceID, resourceID string, q VersionQuery) (*Kind, []Version, error)
	// EngineUsers lists up to limit agent versions that pin the engine.
	EngineUsers(workspaceID, engineID string, limit int) ([]Version, error)

	// RecordDeletion appends to the deletion log, and drops entries older
	// than pruneBefore.
	RecordDeletion(d Deletion, pruneBefore int64) error
	// DeletionsSince lists the logged deletions at or after the given time.
	DeletionsSince(at int64) ([]Deletion, error)

	// Test case definitions, batch tests and their runs (testcase.go,
	// testbatch.go, testworker.go), and apps (app.go, appusage.go).
	InsertTestCase(d *TestCaseDefinition) error
	GetTestCase(workspaceID, id string) (*TestCaseDefinition, error)
	UpdateTestCase(d *TestCaseDefinition) error
	DeleteTestCase(workspaceID, id string) error
	// ListTestCases lists a keyset page of the definitions that target one
	// engine, ordered by (CreatedAt, ID).
	ListTestCases(workspaceID, engineID string, q KeysetQuery) ([]TestCaseDefinition, error)
	InsertTestBatch(b *TestBatch) error
	GetTestBatch(workspaceID, id string) (*TestBatch, error)
	// ListTestBatches lists a keyset page of the batches run against one
	// engine version, ordered by (CreatedAt, ID).
	ListTestBatches(workspaceID, engineID string, engineVersion int64, q KeysetQuery) ([]TestBatch, error)
	// CountTestResult adds one finished run of status pass, fail or error to
	// its batch's counts, and completes the batch when every run has
	// finished.
	CountTestResult(workspaceID, batchID, status string, at int64) error
	InsertTestRun(r *TestRun) error
	GetTestRun(workspaceID, id string) (*TestRun, error)
	// ListTestRuns lists a page of a batch's runs ordered by Position; After
	// is the last position of the previous page.
	ListTestRuns(workspaceID, batchID string, after *int64, desc bool, limit int) ([]TestRun, error)
	// NextTestRun returns the first run still to do in any workspace (oldest
	// batch first, each batch in its order): pending, or in progress with a
	// lease that ended before now.
	NextTestRun(now int64) (*TestRun, error)
	// UpdateTestRun writes a run's mutable columns if its status and lease
	// are still those the caller read (seen); it reports whether they were,
	// so that of several workers only one claims a run.
	UpdateTestRun(r *TestRun, seen TestRunState) (bool, error)
	InsertApp(a *App) error
	GetApp(workspaceID, id string) (*App, error)
	// LockApp reads an app and holds a write lock on its row until the
	// transaction ends.
	LockApp(workspaceID, id string) (*App, error)
	UpdateApp(a *App) error
	DeleteApp(workspaceID, id string) error
	ListApps(workspaceID string, q KeysetQuery) ([]App, error)
	// CountApps counts a workspace's apps of one provider, after locking the
	// workspace's row so that concurrent creates count one after another.
	CountApps(workspaceID, provider string) (int, error)
	// VersionsMentioning lists the versions of a workspace whose stored
	// configuration contains text (a plain substring, not a pattern).
	VersionsMentioning(workspaceID, text string) ([]Version, error)
	// AgentVersionsPinning lists the agent versions that pin one version of
	// an engine.
	AgentVersionsPinning(workspaceID, engineID string, number int64) ([]Version, error)
	// ComponentsMentioning lists the shared components of a workspace whose
	// configuration contains text, and SnapshotsMentioning the component
	// snapshots of published flow versions whose configuration does (plain
	// substrings, not patterns): the app tools of shared components.
	ComponentsMentioning(workspaceID, text string) ([]Component, error)
	SnapshotsMentioning(workspaceID, text string) ([]ComponentSnapshot, error)

	// Change history: the audit log, webhooks and the outbox of their
	// deliveries (history.go, webhooks.go, outbox.go, delivery.go).

	// InsertAuditEntry appends an entry and sets its Seq.
	InsertAuditEntry(e *AuditEntry) error
	ListAuditEntries(workspaceID string, q AuditQuery) ([]AuditEntry, error)
	// PruneAuditEntries deletes every entry older than before and returns
	// how many each workspace lost.
	PruneAuditEntries(before int64) (map[string]int64, error)
	InsertWebhook(w *Webhook) error
	GetWebhook(workspaceID, id string) (*Webhook, error)
	UpdateWebhook(w *Webhook) error
	// DeleteWebhook deletes a webhook with its deliveries and their attempts.
	DeleteWebhook(workspaceID, id string) error
	ListWebhooks(workspaceID string, q WebhookQuery) ([]Webhook, error)
	InsertDelivery(d *Delivery) error
	GetDelivery(workspaceID, webhookID, id string) (*Delivery, error)
	// ListDeliveries lists a webhook's deliveries, each with its attempts.
	ListDeliveries(workspaceID, webhookID string, q DeliveryQuery) ([]Delivery, error)
	// ClaimDeliveries takes up to limit pending deliveries that are due at
	// now, whose lease has run out and whose webhook is enabled, and leases
	// them to token until leaseUntil: rows another transaction is claiming
	// are skipped, not waited for. URL and Secret are filled in.
	ClaimDeliveries(now int64, limit int, token string, leaseUntil int64) ([]Delivery, error)
	// UpdateDelivery writes a delivery's state. With a token, only while
	// that token holds the lease (ErrNotFound otherwise), and the lease is
	// released; without one, the lease columns are left as they are.
	UpdateDelivery(d *Delivery, token string) error
	InsertAttempt(a *Attempt) error
	// PruneDeliveries deletes up to limit delivered or failed deliveries
	// finished before the given time, and returns how many it deleted.
	PruneDeliveries(before int64, limit int) (int, error)

	// The objects versions point at, which are not versioned themselves:
	// knowledge bases, shared flow components, voices and assets, and the
	// links that record which versions and components use which of them
	// (objects.go). Reads of a missing row are ErrNotFound.

	// WorkspaceByID reads a workspace.
	WorkspaceByID(id string) (*Workspace, error)
	// LockWorkspace holds a write lock on the workspace row until the
	// transaction ends. Writes that add links to knowledge bases or shared
	// components, and the deletion of those objects, take it first (before
	// any resource lock), so that no link can appear to an object being
	// deleted.
	LockWorkspace(id string) error

	InsertKnowledgeBase(kb *KnowledgeBase) error
	// GetKnowledgeBase reads a knowledge base's row (no sources);
	// LockKnowledgeBase also locks it.
	GetKnowledgeBase(workspaceID, id string) (*KnowledgeBase, error)
	LockKnowledgeBase(workspaceID, id string) (*KnowledgeBase, error)
	// KnowledgeBaseSources reads the metadata (no content) of a knowledge
	// base's sources, in the order they were added.
	KnowledgeBaseSources(workspaceID, id string) ([]KnowledgeBaseSource, error)
	// ListKnowledgeBases reads every knowledge base of the workspace, newest
	// first, with their sources' metadata.
	ListKnowledgeBases(workspaceID string) ([]KnowledgeBase, error)
	UpdateKnowledgeBase(kb *KnowledgeBase) error
	DeleteKnowledgeBase(workspaceID, id string) error
	InsertKnowledgeBaseSource(workspaceID, knowledgeBaseID string, src *KnowledgeBaseSource) error
	DeleteKnowledgeBaseSource(workspaceID, knowledgeBaseID, id string) error
	// KnowledgeBaseSourceContent reads one source with its content.
	KnowledgeBaseSourceContent(workspaceID, knowledgeBaseID, id string) (*KnowledgeBaseSource, error)

	InsertComponent(c *Component) error
	// GetComponent reads a shared component; LockComponent also locks its row.
	GetComponent(workspaceID, id string) (*Component, error)
	LockComponent(workspaceID, id string) (*Component, error)
	UpdateComponent(c *Component) error
	DeleteComponent(workspaceID, id string) error
	// ListComponents reads a keyset page of components by (CreatedAt, ID).
	ListComponents(workspaceID string, q KeysetQuery) ([]Component, error)
	InsertComponentSnapshot(s *ComponentSnapshot) error
	// ComponentSnapshots reads what a published flow version keeps of the
	// components it uses.
	ComponentSnapshots(workspaceID, flowID string, number int64) ([]ComponentSnapshot, error)

	InsertVoice(v *Voice) error
	GetVoice(workspaceID, id string) (*Voice, error)
	// ListVoices reads the workspace's own voices, oldest first.
	ListVoices(workspaceID string) ([]Voice, error)

	InsertAsset(a *Asset) error
	// GetAsset reads an asset, with its bytes when content is set.
	GetAsset(workspaceID, id string, content bool) (*Asset, error)

	// SetVersionLinks deletes a version's links found in the fields of
	// replace, then records links.
	SetVersionLinks(workspaceID, resourceID string, number int64, replace []string, links []Link) error
	// CopyVersionLinks gives version to of a resource the links of version from.
	CopyVersionLinks(workspaceID, resourceID string, from, to int64) error
	VersionLinks(workspaceID, resourceID string, number int64) ([]Link, error)
	// SetComponentLinks replaces a component's links.
	SetComponentLinks(workspaceID, componentID string, links []Link) error
	ComponentLinks(workspaceID, componentID string) ([]Link, error)
	// LinkUsers lists up to limit (0: all) versions and components that link
	// the object of kind and id, versions first.
	LinkUsers(workspaceID, kind, id string, limit int) ([]LinkUser, error)
	// DraftLinkers maps each of ids (objects of kind) to the resources that
	// have a draft version linking it, each once, in id order.
	DraftLinkers(workspaceID, kind string, ids []string) (map[string][]string, error)

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
	ListPhones(workspaceID string, q KeysetQuery) ([]Phone, error)
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

// KeysetQuery selects a page of rows ordered by (CreatedAt, ID): the rows
// after After in the direction Desc says, at most Limit of them.
type KeysetQuery struct {
	After *ResourceCursor
	Desc  bool
	Limit int
}

// EntryQuery selects a page of a tag's history, ordered by seq.
type EntryQuery struct {
	After *int64
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
