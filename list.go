package agentry

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
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

// AgentPage is one page of agents.
type AgentPage struct {
	Items   []Agent
	HasMore bool
	NextKey string // "" when there is no next page
}

// VersionPage is one page of one agent's versions.
type VersionPage struct {
	Items   []Version
	HasMore bool
	NextKey string
}

// AgentFilter narrows list-agents.
type AgentFilter struct {
	Channel string
	Search  string
}

// ListAgents returns one page of the workspace's agents, ordered by creation.
func (s *AgentService) ListAgents(ctx context.Context, workspaceID string, f AgentFilter, p PageRequest) (*AgentPage, error) {
	if f.Channel != "" && !IsAgentChannel(f.Channel) {
		return nil, Errorf(EINVALID, "channel: must be voice or chat, got %q", f.Channel)
	}
	p = p.normalized()
	q, err := agentQuery(f, p)
	if err != nil {
		return nil, err
	}
	var items []Agent
	err = s.Store.View(ctx, func(tx Tx) error {
		var err error
		items, err = tx.ListAgents(workspaceID, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	return agentPage(items, p), nil
}

// ListEngines returns one page of the workspace's engines of one kind, each
// as its latest version, ordered by the engines' creation. The page and the
// versions are read in one transaction.
func (s *AgentService) ListEngines(ctx context.Context, workspaceID, kind string, p PageRequest) (*VersionPage, error) {
	p = p.normalized()
	if _, ok := engineNames[kind]; !ok {
		return nil, fmt.Errorf("unknown engine kind %q", kind)
	}
	q, err := agentQuery(AgentFilter{Channel: kind}, p)
	if err != nil {
		return nil, err
	}
	var page *AgentPage
	var items []Version
	err = s.Store.View(ctx, func(tx Tx) error {
		engines, err := tx.ListAgents(workspaceID, q)
		if err != nil {
			return err
		}
		page = agentPage(engines, p)
		items = make([]Version, 0, len(page.Items))
		for _, e := range page.Items {
			v, err := tx.FindVersion(workspaceID, e.ID, PickLatest)
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

// agentQuery turns a filter and a page request into the store's query; it
// asks for one row more than the page holds, to learn whether more exist.
func agentQuery(f AgentFilter, p PageRequest) (AgentQuery, error) {
	q := AgentQuery{Channel: f.Channel, Search: f.Search, Desc: p.Desc, Limit: p.Limit + 1}
	if p.Key != "" {
		parts, err := decodePageKey(p.Key, "a", p.Desc, 2)
		if err != nil {
			return q, err
		}
		at, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil {
			return q, badPageKey()
		}
		q.After = &AgentCursor{CreatedAt: at, ID: parts[1]}
	}
	return q, nil
}

// agentPage cuts the rows of agentQuery to a page and its next key.
func agentPage(items []Agent, p PageRequest) *AgentPage {
	page := &AgentPage{Items: items}
	if len(items) > p.Limit {
		page.Items, page.HasMore = items[:p.Limit], true
		last := page.Items[p.Limit-1]
		page.NextKey = encodePageKey("a", p.Desc, strconv.FormatInt(last.CreatedAt, 10), last.ID)
	}
	return page
}

// ListVersions returns one page of an agent's versions, ordered by number.
func (s *AgentService) ListVersions(ctx context.Context, workspaceID, agentID string, p PageRequest) (*VersionPage, error) {
	p = p.normalized()
	q := VersionQuery{Desc: p.Desc, Limit: p.Limit + 1, Summary: true}
	if p.Key != "" {
		parts, err := decodePageKey(p.Key, "v", p.Desc, 1)
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil {
			return nil, badPageKey()
		}
		q.After = &n
	}
	var items []Version
	err := s.Store.View(ctx, func(tx Tx) error {
		a, err := getAgent(tx, workspaceID, "", agentID, false)
		if err != nil {
			return err
		}
		items, err = tx.ListVersions(workspaceID, a.ID, q)
		return err
	})
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

func compact(raw json.RawMessage) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
