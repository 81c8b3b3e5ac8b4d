package agentry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// An app is used by the app tools (type integration_app) that name its
// app_id: in an agent version (pre_session_tools, post_session_tools), in
// an engine version (general_tools, a state's tools, a flow's, a node's or
// a local component's tools), which uses it for every agent version that
// pins that engine version, or in a shared component, which uses it for
// every flow version that serves the component. list-app-usages lists the
// agents; delete-app refuses while any agent version, engine version or
// shared component holds such a tool.

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
	agents []AppUsage
	// engines are the engine versions that use the app: through their own
	// app tools, or those of the shared components they serve.
	engines []Version
	// components are the shared components that hold an app tool of the
	// app, by id.
	components []string
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
	if len(u.components) > 0 {
		return Errorf(EINVALID, "app %s is used by app tools of shared conversation flow component %s%s: remove those tools first, or pass force_delete=true",
			appID, u.components[0], more(len(u.components)-1, "component"))
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

// appUseFinder collects the uses of one app.
type appUseFinder struct {
	tx      Tx
	ws      string
	appID   string
	uses    appUses
	byAgent map[string]*AppUsage
	engines map[string]bool // engine id and number → already in uses.engines
}

// agent records that agent version v uses the app, through a change made
// at at (or v's own last change, if later).
func (f *appUseFinder) agent(v *Version, at int64) {
	u := f.byAgent[v.ResourceID]
	if u == nil {
		u = &AppUsage{AgentID: v.ResourceID}
		f.byAgent[v.ResourceID] = u
	}
	if !slices.Contains(u.Versions, v.Number) {
		u.Versions = append(u.Versions, v.Number)
	}
	u.ConfiguredAt = max(u.ConfiguredAt, at, v.ModifiedAt)
}

// engine records that engine version v uses the app, and so every agent
// version that pins it.
func (f *appUseFinder) engine(v *Version, at int64) error {
	key := v.ResourceID + "\x00" + strconv.FormatInt(v.Number, 10)
	if !f.engines[key] {
		f.engines[key] = true
		f.uses.engines = append(f.uses.engines, *v)
	}
	pins, err := f.tx.AgentVersionsPinning(f.ws, v.ResourceID, v.Number)
	if err != nil {
		return err
	}
	for j := range pins {
		f.agent(&pins[j], max(at, v.ModifiedAt))
	}
	return nil
}

// appReferences finds every agent version, engine version and shared
// component of the workspace that uses app id, and the agents that use it
// through the engine versions they pin.
func appReferences(tx Tx, workspaceID, appID string) (*appUses, error) {
	f := &appUseFinder{tx: tx, ws: workspaceID, appID: appID, byAgent: map[string]*AppUsage{}, engines: map[string]bool{}}
	vs, err := tx.VersionsMentioning(workspaceID, appID)
	if err != nil {
		return nil, err
	}
	for i := range vs {
		v := &vs[i]
		if len(appTools(v.Config, appID, "")) == 0 {
			continue // the id occurs, but not as an app tool's app_id
		}
		if v.Kind.Agent {
			f.agent(v, 0)
		} else if err := f.engine(v, 0); err != nil {
			return nil, err
		}
	}
	if err := f.components(); err != nil {
		return nil, err
	}
	uses := &f.uses
	for _, u := range f.byAgent {
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

// components finds the shared components that hold an app tool of the app,
// and the flow versions that serve one: a draft serves the components it
// uses as they are now (and those they use), a published version the
// snapshots it kept when it was published; one published before agentry
// kept snapshots serves them as they are now.
func (f *appUseFinder) components() error {
	comps, err := f.tx.ComponentsMentioning(f.ws, f.appID)
	if err != nil {
		return err
	}
	type item struct {
		id string
		at int64 // the last change of the component that holds the tool
	}
	var queue []item
	for _, c := range comps {
		if len(appTools(c.Config, f.appID, "")) > 0 {
			f.uses.components = append(f.uses.components, c.ID)
			queue = append(queue, item{c.ID, c.ModifiedAt})
		}
	}
	seen := map[string]bool{}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if seen[it.id] {
			continue
		}
		seen[it.id] = true
		users, err := f.tx.LinkUsers(f.ws, LinkComponent, it.id, 0)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.ComponentID != "" {
				queue = append(queue, item{u.ComponentID, it.at})
				continue
			}
			v, err := f.tx.GetVersion(f.ws, u.ResourceID, u.Number)
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if v.Published {
				kept, err := f.tx.ComponentSnapshots(f.ws, v.ResourceID, v.Number)
				if err != nil {
					return err
				}
				if len(kept) > 0 {
					continue // it serves what it kept: see below
				}
			}
			if err := f.engine(v, it.at); err != nil {
				return err
			}
		}
	}
	snaps, err := f.tx.SnapshotsMentioning(f.ws, f.appID)
	if err != nil {
		return err
	}
	for _, snap := range snaps {
		if len(appTools(snap.Config, f.appID, "")) == 0 {
			continue
		}
		v, err := f.tx.GetVersion(f.ws, snap.FlowID, snap.Number)
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		if err := f.engine(v, snap.ModifiedAt); err != nil {
			return err
		}
	}
	return nil
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
