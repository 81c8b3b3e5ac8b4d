package agentry

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Page limits shared by every list endpoint.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 1000
)

// PageRequest is a parsed page request: limit, direction and the opaque key
// of the previous page ("" for the first page).
type PageRequest struct {
	Limit int
	Desc  bool
	Key   string
}

// ResourcePage is one page of resources (agents or engines).
type ResourcePage struct {
	Items   []Resource
	HasMore bool
	NextKey string // "" when there is no next page
	// Tags are the tags of the page's agents, by agent id (list-agents
	// shows them).
	Tags map[string][]Tag
}

// VersionPage is one page of one agent's versions.
type VersionPage = Page[Version]

// AgentFilter narrows list-agents.
type AgentFilter struct {
	// Kind is VoiceAgent or ChatAgent; nil or AnyAgent lists both.
	Kind   *Kind
	Search string
	// PublishedOnly lists only agents with a published version; Tag only
	// agents whose tag of that name is assigned (agentry's extensions).
	PublishedOnly bool
	Tag           string
}

// VersionFilter narrows list-agent-versions (agentry's extensions).
type VersionFilter struct {
	// PublishedOnly lists only published versions; Tag only the version
	// that the tag of that name holds.
	PublishedOnly bool
	Tag           string
}

// ListAgents returns one page of the workspace's agents, ordered by creation.
func (s *Service) ListAgents(ctx context.Context, c Caller, f AgentFilter, p PageRequest) (*ResourcePage, error) {
	kind := f.Kind
	if kind == nil {
		kind = AnyAgent
	}
	if !kind.Agent {
		return nil, fmt.Errorf("agentry: ListAgents of kind %s", kind)
	}
	p = p.normalized()
	q, err := resourceQuery(kind, f.Search, p)
	if err != nil {
		return nil, err
	}
	q.PublishedOnly, q.Tag = f.PublishedOnly, f.Tag
	var items []Resource
	var tags []Tag
	// The page and its tags in one statement: no transaction where the
	// store can run one statement outside one.
	err = s.readOne(ctx, func(tx Tx) (err error) {
		items, tags, err = tx.ListResourcesTags(c.Workspace, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	page := resourcePage(items, p)
	page.Tags = map[string][]Tag{}
	for _, t := range tags {
		page.Tags[t.AgentID] = append(page.Tags[t.AgentID], t)
	}
	return page, nil
}

// ListEngines returns one page of the workspace's engines of one kind, each
// as its latest version, ordered by the engines' creation. The page and the
// versions are read in one transaction.
func (s *Service) ListEngines(ctx context.Context, c Caller, kind *Kind, p PageRequest) (*VersionPage, error) {
	p = p.normalized()
	if !kind.Engine {
		return nil, fmt.Errorf("agentry: ListEngines of kind %s", kind)
	}
	q, err := resourceQuery(kind, "", p)
	if err != nil {
		return nil, err
	}
	var page *ResourcePage
	var items []Version
	err = s.Store.View(ctx, func(tx Tx) error {
		engines, err := tx.ListResources(c.Workspace, q)
		if err != nil {
			return err
		}
		page = resourcePage(engines, p)
		items = make([]Version, 0, len(page.Items))
		for _, e := range page.Items {
			v, err := tx.FindVersion(c.Workspace, e.ID, PickLatest)
			if err != nil {
				return fmt.Errorf("latest version of %s: %w", e.ID, err)
			}
			items = append(items, *v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &VersionPage{Items: items, HasMore: page.HasMore, NextKey: page.NextKey}, nil
}

// resourceQuery turns a kind, a search and a page request into the store's
// query; it asks for one row more than the page holds, to learn whether more
// exist.
func resourceQuery(kind *Kind, search string, p PageRequest) (ResourceQuery, error) {
	after, err := cursorAfter("a", p)
	return ResourceQuery{Kinds: kind.Names(), Search: search, After: after, Desc: p.Desc, Limit: p.Limit + 1}, err
}

// resourcePage cuts the rows of resourceQuery to a page and its next key.
func resourcePage(items []Resource, p PageRequest) *ResourcePage {
	page := &ResourcePage{Items: items}
	if len(items) > p.Limit {
		page.Items, page.HasMore = items[:p.Limit], true
		last := page.Items[p.Limit-1]
		page.NextKey = encodePageKey("a", p.Desc, strconv.FormatInt(last.CreatedAt, 10), last.ID)
	}
	return page
}

// ListVersions returns one page of an agent's versions, ordered by number.
func (s *Service) ListVersions(ctx context.Context, c Caller, agentID string, p PageRequest) (*VersionPage, error) {
	return s.ListVersionsWhere(ctx, c, agentID, VersionFilter{}, p)
}

// ListVersionsWhere returns one page of those of an agent's versions that
// the filter keeps, ordered by number.
func (s *Service) ListVersionsWhere(ctx context.Context, c Caller, agentID string, f VersionFilter, p PageRequest) (*VersionPage, error) {
	p = p.normalized()
	after, err := seqAfter("v", p)
	if err != nil {
		return nil, err
	}
	q := VersionQuery{After: after, Desc: p.Desc, Limit: p.Limit + 1, Summary: true, PublishedOnly: f.PublishedOnly, Tag: f.Tag}
	var items []Version
	var kind *Kind
	// The agent's kind and the page in one statement, as above.
	err = s.readOne(ctx, func(tx Tx) (err error) {
		kind, items, err = tx.ListVersionSummaries(c.Workspace, agentID, q)
		return err
	})
	if errors.Is(err, ErrNotFound) || (err == nil && !AnyAgent.Covers(kind)) {
		return nil, Errorf(ENOTFOUND, "%s %s not found", AnyAgent.Noun, agentID)
	}
	if err != nil {
		return nil, err
	}
	page := &VersionPage{Items: items}
	if len(items) > p.Limit {
		page.Items, page.HasMore = items[:p.Limit], true
		page.NextKey = encodePageKey("v", p.Desc, strconv.FormatInt(page.Items[p.Limit-1].Number, 10))
	}
	return page, nil
}

// normalized gives a zero or out-of-range limit the default, so a Go caller
// that builds a PageRequest by hand gets a page, never a panic.
func (p PageRequest) normalized() PageRequest {
	if p.Limit <= 0 || p.Limit > MaxPageLimit {
		p.Limit = DefaultPageLimit
	}
	return p
}

// ParsePageRequest reads limit, sort_order and pagination_key as the list
// endpoints take them. defaultDesc is the endpoint's default order.
func ParsePageRequest(limit, sortOrder, key string, defaultDesc bool) (PageRequest, error) {
	p := PageRequest{Limit: DefaultPageLimit, Desc: defaultDesc, Key: key}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxPageLimit {
			return p, Errorf(EINVALID, "limit: must be an integer from 1 to %d, got %q", MaxPageLimit, limit)
		}
		p.Limit = n
	}
	switch sortOrder {
	case "":
	case "ascending":
		p.Desc = false
	case "descending":
		p.Desc = true
	default:
		return p, Errorf(EINVALID, "sort_order: must be ascending or descending, got %q", sortOrder)
	}
	return p, nil
}

// Page keys are base64url of "kind|direction|fields...". They are opaque to
// clients; the kind and direction are checked so a key is only accepted by
// the list and the order that issued it.
func encodePageKey(kind string, desc bool, fields ...string) string {
	dir := "a"
	if desc {
		dir = "d"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(kind + "|" + dir + "|" + strings.Join(fields, "|")))
}

func decodePageKey(key, kind string, desc bool, n int) ([]string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil {
		return nil, badPageKey()
	}
	// What a key decodes to goes to the database: a forged key with text no
	// key holds (control characters, NUL) is refused here.
	for _, c := range raw {
		if c < 0x20 || c > 0x7e {
			return nil, badPageKey()
		}
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != n+2 || parts[0] != kind {
		return nil, badPageKey()
	}
	if (parts[1] == "d") != desc {
		return nil, Errorf(EINVALID, "pagination_key: was issued for the other sort_order; keep sort_order the same while paging")
	}
	return parts[2:], nil
}

func badPageKey() error {
	return Errorf(EINVALID, "pagination_key: not a key this list issued; pass the pagination_key of the previous page unchanged")
}
