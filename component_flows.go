package agentry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// What flows do with the shared components they use: deletion copies a
// component into the drafts that use it (localize), publishing snapshots
// the components a flow version uses, a draft branched from a published
// version after a deletion gets the kept copy, and FlowComponents says what
// a version serves. See component.go.

// localize copies the component id (its fields config) into flow version v
// as a local component, and turns v's component nodes that use it as a
// shared component into nodes that use the local copy. It returns the
// fields it changed, as JSON Pointers in name order (none: v is as it was).
func localize(v *Version, id string, config json.RawMessage) ([]string, error) {
	var fields Fields
	if err := json.Unmarshal(v.Config, &fields); err != nil {
		return nil, fmt.Errorf("decode config of %s v%d: %w", v.ResourceID, v.Number, err)
	}
	var paths []string
	for _, f := range []string{"components", "nodes"} {
		raw, ok := fields[f]
		if !ok || !mayLink(raw) {
			continue
		}
		tree, err := decodeTree(raw)
		if err != nil {
			return nil, err
		}
		if flipShared(tree, id) {
			paths = append(paths, "/"+f)
			if fields[f], err = json.Marshal(tree); err != nil {
				return nil, err
			}
		}
	}
	if len(paths) == 0 {
		return nil, nil
	}
	var local []any
	if raw, ok := fields["components"]; ok && !isNull(raw) {
		tree, err := decodeTree(raw)
		if err != nil {
			return nil, err
		}
		local, _ = tree.([]any)
	}
	has := slices.ContainsFunc(local, func(x any) bool {
		m, _ := x.(map[string]any)
		return m != nil && m["component_id"] == id
	})
	if !has {
		tree, err := decodeTree(config)
		if err != nil {
			return nil, err
		}
		copied, _ := tree.(map[string]any)
		if copied == nil {
			copied = map[string]any{}
		}
		copied["component_id"] = id
		local = append(local, copied)
		b, err := json.Marshal(local)
		if err != nil {
			return nil, err
		}
		fields["components"] = b
		if paths[0] != "/components" {
			paths = append([]string{"/components"}, paths...)
		}
	}
	raw, err := encodeConfig(fields)
	if err != nil {
		return nil, err
	}
	v.Config = raw
	return paths, nil
}

// flipShared turns every component node in tree that uses id as a shared
// component into one that uses a local component, and reports whether any
// did.
func flipShared(tree any, id string) bool {
	flipped := false
	switch x := tree.(type) {
	case []any:
		for _, item := range x {
			flipped = flipShared(item, id) || flipped
		}
	case map[string]any:
		if x["type"] == "component" && x["component_type"] == "shared" && x["component_id"] == id {
			x["component_type"] = "local"
			flipped = true
		}
		for _, item := range x {
			flipped = flipShared(item, id) || flipped
		}
	}
	return flipped
}

// relinkComponents records again the links of a flow version's nodes and
// local components, after they changed.
func relinkComponents(tx Tx, v *Version) error {
	var fields Fields
	if err := json.Unmarshal(v.Config, &fields); err != nil {
		return err
	}
	part := Fields{}
	for _, f := range []string{"nodes", "components"} {
		if raw, ok := fields[f]; ok {
			part[f] = raw
		}
	}
	links, err := linksOf(part)
	if err != nil {
		return err
	}
	return setVersionLinks(tx, v, []string{"nodes", "components"}, links)
}

// snapshotComponents keeps, with flow version v as it is published, every
// shared component it uses, and those they use in turn.
func snapshotComponents(tx Tx, v *Version) error {
	if v.Kind != ConversationFlow {
		return nil
	}
	links, err := tx.VersionLinks(v.WorkspaceID, v.ResourceID, v.Number)
	if err != nil {
		return err
	}
	var queue []string
	for _, l := range links {
		if l.Kind == LinkComponent {
			queue = append(queue, l.ID)
		}
	}
	seen := map[string]bool{}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		comp, err := tx.GetComponent(v.WorkspaceID, id)
		if errors.Is(err, ErrNotFound) {
			continue // a link from before links were checked: nothing to keep
		} else if err != nil {
			return err
		}
		if err := tx.InsertComponentSnapshot(&ComponentSnapshot{WorkspaceID: v.WorkspaceID, FlowID: v.ResourceID,
			Number: v.Number, ComponentID: id, Config: comp.Config, ModifiedAt: comp.ModifiedAt}); err != nil {
			return err
		}
		nested, err := tx.ComponentLinks(v.WorkspaceID, id)
		if err != nil {
			return err
		}
		for _, n := range nested {
			if n.Kind == LinkComponent {
				queue = append(queue, n.ID)
			}
		}
	}
	return nil
}

// branchLinks gives a new engine draft the links of the version it copies.
// A draft copied from a published flow version that uses a shared component
// deleted since gets the component as the published version kept it, as a
// local component: what deleting the component did to the drafts of its day.
func branchLinks(tx Tx, src, draft *Version) error {
	if err := tx.CopyVersionLinks(draft.WorkspaceID, draft.ResourceID, src.Number, draft.Number); err != nil {
		return err
	}
	if src.Kind != ConversationFlow || !src.Published {
		return nil
	}
	snaps, err := tx.ComponentSnapshots(src.WorkspaceID, src.ResourceID, src.Number)
	if err != nil || len(snaps) == 0 {
		return err
	}
	var gone []ComponentSnapshot
	for _, snap := range snaps {
		if _, err := tx.GetComponent(src.WorkspaceID, snap.ComponentID); errors.Is(err, ErrNotFound) {
			gone = append(gone, snap)
		} else if err != nil {
			return err
		}
	}
	// A local copy may use another gone component: repeat until nothing
	// changes (each round localizes at least one, or stops).
	changed := false
	for round := 0; round <= len(gone); round++ {
		any := false
		for _, snap := range gone {
			paths, err := localize(draft, snap.ComponentID, snap.Config)
			if err != nil {
				return err
			}
			any = any || len(paths) > 0
		}
		if !any {
			break
		}
		changed = true
	}
	if !changed {
		return nil
	}
	if err := tx.UpdateVersion(draft); err != nil {
		return err
	}
	return relinkComponents(tx, draft)
}

// FlowComponents is what one version of a conversation flow serves of the
// shared components it uses.
type FlowComponents struct {
	Version    *Version
	Components []Component
}

// FlowComponents returns the shared components that a flow version uses, as
// it serves them: a published version the snapshots taken when it was
// published, a draft the components as they are now. Components that
// components use are included.
func (s *Service) FlowComponents(ctx context.Context, c Caller, a Address) (*FlowComponents, error) {
	out := &FlowComponents{}
	err := s.Store.View(ctx, func(tx Tx) error {
		r, err := getResource(tx, c.Workspace, ConversationFlow, a.ID, false)
		if err != nil {
			return err
		}
		if out.Version, err = resolve(tx, r, a.Version, PickLatest); err != nil {
			return err
		}
		out.Components, err = servedComponents(tx, out.Version)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// servedComponents returns the shared components flow version v serves
// (see FlowComponents), in the order it reaches them.
func servedComponents(tx Tx, v *Version) ([]Component, error) {
	out := []Component{}
	ws := v.WorkspaceID
	kept := map[string]ComponentSnapshot{}
	if v.Published {
		snaps, err := tx.ComponentSnapshots(ws, v.ResourceID, v.Number)
		if err != nil {
			return nil, err
		}
		for _, snap := range snaps {
			kept[snap.ComponentID] = snap
		}
	}
	links, err := tx.VersionLinks(ws, v.ResourceID, v.Number)
	if err != nil {
		return nil, err
	}
	var queue []string
	for _, l := range links {
		if l.Kind == LinkComponent {
			queue = append(queue, l.ID)
		}
	}
	seen := map[string]bool{}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		var comp Component
		if snap, ok := kept[id]; ok {
			comp = Component{WorkspaceID: ws, ID: id, Config: snap.Config, ModifiedAt: snap.ModifiedAt}
		} else {
			cur, err := tx.GetComponent(ws, id)
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			comp = *cur
		}
		out = append(out, comp)
		var cfg Fields
		if err := json.Unmarshal(comp.Config, &cfg); err != nil {
			return nil, err
		}
		nested, err := linksOf(cfg)
		if err != nil {
			return nil, err
		}
		for _, n := range nested {
			if n.Kind == LinkComponent {
				queue = append(queue, n.ID)
			}
		}
	}
	return out, nil
}
