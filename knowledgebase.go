package agentry

import (
	"context"
	"errors"
	"net/url"
)

// Knowledge bases: sources (texts, files and URLs) that Retell LLMs and
// conversation flows retrieve from. agentry keeps every source, the bytes of
// files and texts included, and never fetches a URL: a URL source is
// recorded as given. Indexing is emulated by time, so that a client polling
// get-knowledge-base sees what it would see on Retell: a new knowledge base
// is in_progress, and complete once Service.KnowledgeBaseIndexing has
// passed; adding sources makes it refreshing_in_progress for that long
// again. A source is listed once its own indexing has ended. Status is
// computed from timestamps when read, so every replica answers alike and
// nothing runs in the background.

// Knowledge base ids, source types, statuses and limits.
const (
	KnowledgeBaseIDPrefix = "knowledge_base_"
	SourceIDPrefix        = "source_"

	SourceDocument = "document"
	SourceText     = "text"
	SourceURL      = "url"

	KnowledgeBaseInProgress = "in_progress"
	KnowledgeBaseComplete   = "complete"
	KnowledgeBaseRefreshing = "refreshing_in_progress"

	// MaxKnowledgeBaseFiles is how many files one request may add, and
	// MaxKnowledgeBaseFileBytes how large each may be (the reference's
	// limits: 25 files of 50 MB).
	MaxKnowledgeBaseFiles     = 25
	MaxKnowledgeBaseFileBytes = 50 << 20

	DefaultMaxChunkSize = 2000
	DefaultMinChunkSize = 400
)

// KnowledgeBase is a knowledge base and its sources.
type KnowledgeBase struct {
	WorkspaceID       string
	ID                string
	Name              string
	EnableAutoRefresh bool
	MaxChunkSize      int
	MinChunkSize      int
	CreatedAt         int64
	// IndexedAt is when the first indexing ends, ReadyAt when the latest
	// one (after sources were added) ends; milliseconds since the epoch.
	IndexedAt int64
	ReadyAt   int64
	// Sources are every source, in the order they were added (metadata
	// only, no content).
	Sources []KnowledgeBaseSource
	// AsOf is the service's time when it read the knowledge base: Status and
	// Indexed answer as of then.
	AsOf int64
}

// Status is the processing state as of AsOf.
func (kb *KnowledgeBase) Status() string {
	switch {
	case kb.AsOf >= kb.ReadyAt:
		return KnowledgeBaseComplete
	case kb.AsOf < kb.IndexedAt:
		return KnowledgeBaseInProgress
	}
	return KnowledgeBaseRefreshing
}

// Indexed lists the sources whose indexing had ended by AsOf: what Retell
// lists. During a refresh the sources indexed before it stay listed.
func (kb *KnowledgeBase) Indexed() []KnowledgeBaseSource {
	out := []KnowledgeBaseSource{}
	for _, s := range kb.Sources {
		if s.ReadyAt <= kb.AsOf {
			out = append(out, s)
		}
	}
	return out
}

// KnowledgeBaseSource is one source of a knowledge base.
type KnowledgeBaseSource struct {
	ID       string
	Type     string // SourceDocument, SourceText or SourceURL
	Position int    // its place among the sources added by one request
	Title    string // a text's title
	Filename string // a document's file name
	URL      string // a URL source's address
	// ContentType and Size describe Content: a document's bytes, or a
	// text's text. Content is only read when asked for.
	ContentType string
	Size        int64
	Content     []byte
	CreatedAt   int64
	ReadyAt     int64 // when its indexing ends
}

// TextSource is a text to add to a knowledge base.
type TextSource struct{ Title, Text string }

// FileSource is a file to add to a knowledge base.
type FileSource struct {
	Name        string
	ContentType string
	Data        []byte
}

// NewSources are the sources one request adds.
type NewSources struct {
	Texts []TextSource
	Files []FileSource
	URLs  []string
}

// CreateKnowledgeBaseRequest asks for a new knowledge base. Zero chunk
// sizes take the defaults.
type CreateKnowledgeBaseRequest struct {
	Name              string
	EnableAutoRefresh bool
	MaxChunkSize      int
	MinChunkSize      int
	Sources           NewSources
}

func knowledgeBaseNotFound(id string) error {
	return Errorf(ENOTFOUND, "knowledge base %s not found", id)
}

// checkSources applies the rules on sources that field rules cannot state.
func checkSources(n NewSources) error {
	if len(n.Files) > MaxKnowledgeBaseFiles {
		return Errorf(EINVALID, "knowledge_base_files: at most %d files per request, got %d", MaxKnowledgeBaseFiles, len(n.Files))
	}
	for i, f := range n.Files {
		if len(f.Data) > MaxKnowledgeBaseFileBytes {
			return Errorf(ETOOLARGE, "knowledge_base_files[%d] (%s): larger than the limit of %d MiB per file", i, f.Name, MaxKnowledgeBaseFileBytes>>20)
		}
	}
	for i, raw := range n.URLs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Errorf(EINVALID, "knowledge_base_urls[%d]: %q is not a valid URL: it must be an absolute http or https URL", i, raw)
		}
	}
	return nil
}

// indexing is how long the emulated indexing of new sources takes.
func (s *Service) indexing() int64 { return s.KnowledgeBaseIndexing.Milliseconds() }

// CreateKnowledgeBase stores a knowledge base and its first sources; its
// indexing starts now.
func (s *Service) CreateKnowledgeBase(ctx context.Context, c Caller, req CreateKnowledgeBaseRequest) (*KnowledgeBase, error) {
	if err := CheckNewKnowledgeBase(req); err != nil {
		return nil, err
	}
	if req.MaxChunkSize == 0 {
		req.MaxChunkSize = DefaultMaxChunkSize
	}
	if req.MinChunkSize == 0 {
		req.MinChunkSize = DefaultMinChunkSize
	}
	now := s.now()
	kb := &KnowledgeBase{WorkspaceID: c.Workspace, ID: NewID(KnowledgeBaseIDPrefix), Name: req.Name,
		EnableAutoRefresh: req.EnableAutoRefresh, MaxChunkSize: req.MaxChunkSize, MinChunkSize: req.MinChunkSize,
		CreatedAt: now, IndexedAt: now + s.indexing(), ReadyAt: now + s.indexing(), AsOf: now}
	err := s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.InsertKnowledgeBase(kb); err != nil {
			return err
		}
		var err error
		if kb.Sources, err = insertSources(tx, kb, req.Sources, now, kb.ReadyAt); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "knowledge_base.created", Object: ObjectKnowledgeBase, ID: kb.ID,
			Details: map[string]any{"name": kb.Name, "sources": sourcesDetails(kb.Sources)}})
	})
	if err != nil {
		return nil, err
	}
	return kb, nil
}

// insertSources stores new sources of kb, each indexed at readyAt.
func insertSources(tx Tx, kb *KnowledgeBase, n NewSources, now, readyAt int64) ([]KnowledgeBaseSource, error) {
	var out []KnowledgeBaseSource
	add := func(src KnowledgeBaseSource) error {
		src.ID, src.Position, src.CreatedAt, src.ReadyAt = NewID(SourceIDPrefix), len(out), now, readyAt
		if err := tx.InsertKnowledgeBaseSource(kb.WorkspaceID, kb.ID, &src); err != nil {
			return err
		}
		src.Content = nil
		out = append(out, src)
		return nil
	}
	for _, t := range n.Texts {
		if err := add(KnowledgeBaseSource{Type: SourceText, Title: t.Title, ContentType: "text/plain; charset=utf-8",
			Size: int64(len(t.Text)), Content: []byte(t.Text)}); err != nil {
			return nil, err
		}
	}
	for _, f := range n.Files {
		if err := add(KnowledgeBaseSource{Type: SourceDocument, Filename: f.Name, ContentType: f.ContentType,
			Size: int64(len(f.Data)), Content: f.Data}); err != nil {
			return nil, err
		}
	}
	for _, u := range n.URLs {
		if err := add(KnowledgeBaseSource{Type: SourceURL, URL: u}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetKnowledgeBase reads a knowledge base and its sources.
func (s *Service) GetKnowledgeBase(ctx context.Context, c Caller, id string) (*KnowledgeBase, error) {
	var kb *KnowledgeBase
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		kb, err = readKnowledgeBase(tx, c.Workspace, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	kb.AsOf = s.now()
	return kb, nil
}

// readKnowledgeBase reads (or locks) a knowledge base with its sources.
func readKnowledgeBase(tx Tx, workspaceID, id string, lock bool) (*KnowledgeBase, error) {
	var kb *KnowledgeBase
	var err error
	if lock {
		kb, err = tx.LockKnowledgeBase(workspaceID, id)
	} else {
		kb, err = tx.GetKnowledgeBase(workspaceID, id)
	}
	if errors.Is(err, ErrNotFound) {
		return nil, knowledgeBaseNotFound(id)
	} else if err != nil {
		return nil, err
	}
	kb.Sources, err = tx.KnowledgeBaseSources(workspaceID, id)
	return kb, err
}

// ListKnowledgeBases lists every knowledge base of the workspace, newest
// first. Retell's list is one array, not pages.
func (s *Service) ListKnowledgeBases(ctx context.Context, c Caller) ([]KnowledgeBase, error) {
	var kbs []KnowledgeBase
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		kbs, err = tx.ListKnowledgeBases(c.Workspace)
		return err
	})
	now := s.now()
	for i := range kbs {
		kbs[i].AsOf = now
	}
	return kbs, err
}

// AddKnowledgeBaseSources adds sources to a knowledge base and starts their
// indexing: the knowledge base is refreshing until it ends.
func (s *Service) AddKnowledgeBaseSources(ctx context.Context, c Caller, id string, n NewSources) (*KnowledgeBase, error) {
	if len(n.Texts)+len(n.Files)+len(n.URLs) == 0 {
		return nil, Errorf(EINVALID, "request body: add at least one source: knowledge_base_texts, knowledge_base_files or knowledge_base_urls")
	}
	if err := checkSources(n); err != nil {
		return nil, err
	}
	var kb *KnowledgeBase
	now := s.now()
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		kb, err = readKnowledgeBase(tx, c.Workspace, id, true)
		if err != nil {
			return err
		}
		kb.ReadyAt = max(kb.ReadyAt, now+s.indexing())
		added, err := insertSources(tx, kb, n, now, now+s.indexing())
		if err != nil {
			return err
		}
		kb.Sources = append(kb.Sources, added...)
		if err := tx.UpdateKnowledgeBase(kb); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "knowledge_base.sources_added", Object: ObjectKnowledgeBase, ID: kb.ID,
			Details: map[string]any{"sources": sourcesDetails(added)}})
	})
	if err != nil {
		return nil, err
	}
	kb.AsOf = now
	return kb, nil
}

// DeleteKnowledgeBaseSource removes one source at once.
func (s *Service) DeleteKnowledgeBaseSource(ctx context.Context, c Caller, id, sourceID string) (*KnowledgeBase, error) {
	var kb *KnowledgeBase
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		if kb, err = readKnowledgeBase(tx, c.Workspace, id, true); err != nil {
			return err
		}
		err = tx.DeleteKnowledgeBaseSource(c.Workspace, id, sourceID)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ENOTFOUND, "knowledge base %s has no source %s", id, sourceID)
		} else if err != nil {
			return err
		}
		gone := KnowledgeBaseSource{ID: sourceID}
		for _, src := range kb.Sources {
			if src.ID == sourceID {
				gone = src
			}
		}
		if kb.Sources, err = tx.KnowledgeBaseSources(c.Workspace, id); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "knowledge_base.source_deleted", Object: ObjectKnowledgeBase, ID: kb.ID,
			Details: sourceDetails(gone)})
	})
	if err != nil {
		return nil, err
	}
	kb.AsOf = s.now()
	return kb, nil
}

// DeleteKnowledgeBase deletes a knowledge base and its sources. One that a
// version or a shared component uses is refused, naming them: a published
// version must never lose what it retrieves from.
func (s *Service) DeleteKnowledgeBase(ctx context.Context, c Caller, id string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.LockWorkspace(c.Workspace); err != nil {
			return err
		}
		kb, err := tx.LockKnowledgeBase(c.Workspace, id)
		if errors.Is(err, ErrNotFound) {
			return knowledgeBaseNotFound(id)
		} else if err != nil {
			return err
		}
		if err := refuseUsedObject(tx, c.Workspace, LinkKnowledgeBase, id, "knowledge base"); err != nil {
			return err
		}
		if err := tx.DeleteKnowledgeBase(c.Workspace, id); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "knowledge_base.deleted", Object: ObjectKnowledgeBase, ID: id,
			Details: map[string]any{"name": kb.Name}})
	})
}

// sourceDetails describes a source for the audit log: what a list of
// sources shows of it (id, type, title, file name or URL, size), never its
// content.
func sourceDetails(src KnowledgeBaseSource) map[string]any {
	d := map[string]any{"source_id": src.ID, "type": src.Type}
	switch src.Type {
	case SourceText:
		d["title"], d["size"] = src.Title, src.Size
	case SourceDocument:
		d["filename"], d["size"] = src.Filename, src.Size
	case SourceURL:
		d["url"] = src.URL
		// A password in the URL stays out of the log and the webhooks.
		if u, err := url.Parse(src.URL); err == nil {
			d["url"] = u.Redacted()
		}
	}
	return d
}

func sourcesDetails(srcs []KnowledgeBaseSource) []map[string]any {
	out := make([]map[string]any, len(srcs))
	for i, src := range srcs {
		out[i] = sourceDetails(src)
	}
	return out
}

// KnowledgeBaseSource reads one source with its content. A URL source has
// none: agentry records URLs and never fetches them.
func (s *Service) KnowledgeBaseSource(ctx context.Context, c Caller, id, sourceID string) (*KnowledgeBaseSource, error) {
	var src *KnowledgeBaseSource
	err := s.Store.View(ctx, func(tx Tx) error {
		if _, err := tx.GetKnowledgeBase(c.Workspace, id); errors.Is(err, ErrNotFound) {
			return knowledgeBaseNotFound(id)
		} else if err != nil {
			return err
		}
		var err error
		src, err = tx.KnowledgeBaseSourceContent(c.Workspace, id, sourceID)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ENOTFOUND, "knowledge base %s has no source %s", id, sourceID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if src.Type == SourceURL {
		return nil, Errorf(ENOTFOUND, "source %s is the URL %s, which agentry records without fetching: it has no stored content", sourceID, src.URL)
	}
	return src, nil
}

// LastRefreshed is when the latest indexing ended, for a knowledge base that
// refreshes automatically and has finished; 0 otherwise.
func (kb *KnowledgeBase) LastRefreshed() int64 {
	if !kb.EnableAutoRefresh || kb.Status() != KnowledgeBaseComplete {
		return 0
	}
	return kb.ReadyAt
}
