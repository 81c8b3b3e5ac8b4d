package agentry

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// An app is used by the app tools (type integration_app) that name its
// app_id: in an agent version (pre_session_tools, post_session_tools), or
// in an engine version (general_tools, a state's tools, a flow's or a
// component's tools), which uses it for every agent version that pins that
// engine version. list-app-usages lists the agents; delete-app refuses
// while any agent or engine version holds such a tool.

// AppUsage is one agent that uses an app.
type AppUsage struct {
	AgentID   string
	AgentName string
	// Versions are the agent's versions that use the app, largest first.
	Versions []int64
	// ConfiguredAt is the last change (milliseconds) to a version through
	// which the agent uses the app: its own, or the engine version it pins.
	ConfiguredAt int64
}

// appUses is everything that uses one app.
type appUses struct {
	agents  []AppUsage
	engines []Version // engine versions holding an app tool of the app
}

// refuse says why an app that is used cannot be deleted.
func (u *appUses) refuse(appID string) error {
	if len(u.agents) > 0 {
		a := u.agents[0]
		return Errorf(EINVALID, "app %s is used by app tools of agent %s (versions %s)%s: remove those tools first, or pass force_delete=true",
			appID, a.AgentID, joinNumbers(a.Versions), more(len(u.agents)-1, "agent"))
	}
	if len(u.engines) > 0 {
		e := u.engines[0]
		return Errorf(EINVALID, "app %s is used by app tools of %s %s (version %d)%s: remove those tools first, or pass force_delete=true",
			appID, e.Kind.Noun, e.ResourceID, e.Number, more(len(u.engines)-1, "engine version"))
	}
	return nil
}

func more(n int, noun string) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " and 1 other " + noun
	}
	return fmt.Sprintf(" and %d other %ss", n, noun)
}

func joinNumbers(ns []int64) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(s, ", ")
}

// appReferences finds every agent version and engine version of the
// workspace that uses app id, and the agents that use it through the
// engine versions they pin.
func appReferences(tx Tx, workspaceID, appID string) (*appUses, error) {
	vs, err := tx.VersionsMentioning(workspaceID, appID)
	if err != nil {
		return nil, err
	}
	byAgent := map[string]*AppUsage{}
	use := func(v *Version, at int64) {
		u := byAgent[v.ResourceID]
		if u == nil {
			u = &AppUsage{AgentID: v.ResourceID}
			byAgent[v.ResourceID] = u
		}
		if !slices.Contains(u.Versions, v.Number) {
			u.Versions = append(u.Versions, v.Number)
		}
		u.ConfiguredAt = max(u.ConfiguredAt, at, v.ModifiedAt)
	}
	uses := &appUses{}
	for i := range vs {
		v := &vs[i]
		if len(appTools(v.Config, appID, "")) == 0 {
			continue // the id occurs, but not as an app tool's app_id
		}
		if v.Kind.Agent {
			use(v, 0)
			continue
		}
		uses.engines = append(uses.engines, *v)
		pins, err := tx.AgentVersionsPinning(workspaceID, v.ResourceID, v.Number)
		if err != nil {
			return nil, err
		}
		for j := range pins {
			use(&pins[j], v.ModifiedAt)
		}
	}
	for _, u := range byAgent {
		slices.SortFunc(u.Versions, func(a, b int64) int { return compareInt(b, a) })
		r, err := tx.GetResource(workspaceID, u.AgentID)
		if err != nil {
			return nil, fmt.Errorf("agent %s of a version that uses app %s: %w", u.AgentID, appID, err)
		}
		u.AgentName = r.Name
		uses.agents = append(uses.agents, *u)
	}
	// Most recently configured first (ties: the larger agent id first).
	slices.SortFunc(uses.agents, func(a, b AppUsage) int { return -compareUsage(a, b) })
	return uses, nil
}

// compareUsage orders usages by (ConfiguredAt, AgentID), ascending.
func compareUsage(a, b AppUsage) int {
	if c := compareInt(a.ConfiguredAt, b.ConfiguredAt); c != 0 {
		return c
	}
	return strings.Compare(a.AgentID, b.AgentID)
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// appTools returns the app tools of a configuration that run against app
// id (and, when template is not "", use that app tool template), wherever
// they are in it.
func appTools(config json.RawMessage, appID, template string) []map[string]any {
	var doc any
	if json.Unmarshal(config, &doc) != nil {
		return nil
	}
	var out []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "integration_app" && v["app_id"] == appID &&
				(template == "" || v["app_tool_template_name"] == template) {
				out = append(out, v)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return out
}

// ListAppUsages returns one page of the agents that use an app, most
// recently configured first (p.Desc false reverses the order).
func (s *Service) ListAppUsages(ctx context.Context, c Caller, appID string, p PageRequest) (*Page[AppUsage], error) {
	p = p.normalized()
	var after *ResourceCursor
	if p.Key != "" {
		q, err := keysetQuery("use", p)
		if err != nil {
			return nil, err
		}
		after = q.After
	}
	var uses *appUses
	err := s.Store.View(ctx, func(tx Tx) error {
		a, err := getApp(tx, c.Workspace, appID)
		if err != nil {
			return err
		}
		uses, err = appReferences(tx, c.Workspace, a.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	items := uses.agents // descending by (ConfiguredAt, AgentID)
	if !p.Desc {
		slices.Reverse(items)
	}
	if after != nil {
		// The key is the last item's (ConfiguredAt, AgentID): keep what sorts
		// after it in the page's direction, so a page never repeats or skips
		// an agent whose usage did not change.
		last := AppUsage{ConfiguredAt: after.CreatedAt, AgentID: after.ID}
		items = slices.DeleteFunc(items, func(u AppUsage) bool {
			c := compareUsage(u, last)
			return c == 0 || (c < 0) != p.Desc
		})
	}
	if len(items) > p.Limit+1 {
		items = items[:p.Limit+1]
	}
	return keysetPage(items, p, "use", func(u *AppUsage) (int64, string) { return u.ConfiguredAt, u.AgentID }), nil
}
