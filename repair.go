package agentry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// repair-agent removes from a draft agent version, and from the engine
// version it pins when that is a draft too, the references that name
// objects the workspace no longer has:
//   - app tools (type integration_app) whose app_id names no app are
//     removed (repairapps.go), with what referred to them: their names in
//     other tools' depends_on, and the function nodes that ran them;
//   - knowledge_base_ids (of an LLM, a flow, and the flow's nodes) naming no
//     knowledge base are dropped;
//   - component nodes naming a shared component that does not exist are
//     removed, with the edges that led to them (and start_node_id when it
//     named one);
//   - a voice_id that is gone (see voice.go) becomes DefaultVoiceID(), and
//     gone fallback_voice_ids are dropped.
// Of agentry's own deletions, only delete-app with force_delete leaves such
// references (deleting a knowledge base that is used is refused; deleting a
// component copies it into the drafts that use it); the others come from
// data written before agentry checked them. A published version is never
// repaired (409); a published engine version is left as it is. Each version
// a repair changes is recorded as an edit of its draft (agent.updated, or
// the engine's <kind>.updated), with the fields it changed.

// RepairRequest asks to repair one version of an agent: RefNone means the
// latest.
type RepairRequest struct {
	AgentID string
	Version VersionRef
}

// repairDetails are the details of the changes a repair records.
func repairDetails(agentID string, number int64) map[string]any {
	return map[string]any{"by": "repair-agent", "agent": map[string]any{"id": agentID, "version": number}}
}

// Repair repairs a draft agent version and the draft engine version it
// pins. Nothing to repair is a no-op: nothing is written.
func (s *Service) Repair(ctx context.Context, c Caller, req RepairRequest) (*Version, error) {
	var v *Version
	err := s.Store.Update(ctx, func(tx Tx) error {
		r, err := getResource(tx, c.Workspace, AnyAgent, req.AgentID, true)
		if err != nil {
			return err
		}
		if v, err = resolve(tx, r, req.Version, PickLatest); err != nil {
			return err
		}
		if v.Published {
			return Errorf(ECONFLICT, "version %d of agent %s is published and cannot be repaired: published versions never change; create a draft from it with create-agent-version (base_version %d) and repair that", v.Number, r.ID, v.Number)
		}
		now := s.now()
		fix := repairer{tx: tx, ws: c.Workspace, exists: map[string]bool{}}
		paths, err := fix.version(v, fix.agent)
		if err != nil {
			return err
		}
		if len(paths) > 0 {
			if err := write(tx, v, now); err != nil {
				return err
			}
			if err := touch(tx, r, now, nil); err != nil {
				return err
			}
			if err := s.record(tx, c, Change{Action: "agent.updated", Object: ObjectAgent, ID: r.ID, Version: &v.Number,
				Paths: paths, Details: repairDetails(r.ID, v.Number)}); err != nil {
				return err
			}
		}
		ev, paths, err := fix.engine(v, now)
		if err != nil || len(paths) == 0 {
			return err
		}
		return s.record(tx, c, Change{Action: ObjectType(ev.Kind) + ".updated", Object: ObjectType(ev.Kind), ID: ev.ResourceID,
			Version: &ev.Number, Paths: paths, Details: repairDetails(r.ID, v.Number)})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// write stores a repaired version and records its links again.
func write(tx Tx, v *Version, now int64) error {
	v.ModifiedAt = max(now, v.ModifiedAt)
	v.Revision++
	if err := tx.UpdateVersion(v); err != nil {
		return err
	}
	var fields Fields
	if err := json.Unmarshal(v.Config, &fields); err != nil {
		return err
	}
	links, err := linksOf(fields)
	if err != nil {
		return err
	}
	replace := make([]string, 0, len(fields))
	for k := range fields {
		replace = append(replace, k)
	}
	// Fields a repair removed had links too.
	replace = append(replace, "knowledge_base_ids", "nodes", "components", "voice_id", "fallback_voice_ids")
	return setVersionLinks(tx, v, replace, links)
}

type repairer struct {
	tx     Tx
	ws     string
	exists map[string]bool // kind and id → whether it exists
}

// has reports whether the workspace has the object, asking the store once.
func (f *repairer) has(kind, id string) (bool, error) {
	key := kind + "\x00" + id
	if ok, seen := f.exists[key]; seen {
		return ok, nil
	}
	var err error
	switch kind {
	case LinkKnowledgeBase:
		_, err = f.tx.GetKnowledgeBase(f.ws, id)
	case LinkComponent:
		_, err = f.tx.GetComponent(f.ws, id)
	case LinkApp:
		_, err = f.tx.GetApp(f.ws, id)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, err
	}
	f.exists[key] = err == nil
	return err == nil, nil
}

// version applies fix to v's configuration and returns the top-level
// fields it changed, as JSON Pointers (none: v is unchanged).
func (f *repairer) version(v *Version, fix func(Fields) (bool, error)) ([]string, error) {
	var config Fields
	if err := json.Unmarshal(v.Config, &config); err != nil {
		return nil, fmt.Errorf("decode config of %s v%d: %w", v.ResourceID, v.Number, err)
	}
	before := maps.Clone(config)
	if _, err := fix(config); err != nil {
		return nil, err
	}
	changed := Fields{}
	for k, raw := range before {
		if now, ok := config[k]; !ok || !bytes.Equal(now, raw) {
			changed[k] = raw
		}
	}
	for k, raw := range config {
		if _, ok := before[k]; !ok {
			changed[k] = raw
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	var err error
	v.Config, err = encodeConfig(config)
	return patchPaths(changed), err
}

// agent repairs an agent configuration: its voices and its session tools.
func (f *repairer) agent(config Fields) (bool, error) {
	voices, err := f.voices(config)
	if err != nil {
		return false, err
	}
	apps, err := f.apps(config)
	return voices || apps, err
}

// engine repairs the engine version that agent version v pins, if it is a
// draft, and returns it with the fields it changed.
func (f *repairer) engine(v *Version, now int64) (*Version, []string, error) {
	if v.EngineID == "" || v.EngineVersion == nil {
		return nil, nil, nil
	}
	e, err := f.tx.LockResource(f.ws, v.EngineID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	ev, err := f.tx.GetVersion(f.ws, e.ID, *v.EngineVersion)
	if errors.Is(err, ErrNotFound) || (err == nil && ev.Published) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	paths, err := f.version(ev, func(config Fields) (bool, error) {
		refs, err := f.references(config)
		if err != nil {
			return false, err
		}
		apps, err := f.apps(config)
		return refs || apps, err
	})
	if err != nil || len(paths) == 0 {
		return nil, nil, err
	}
	if err := write(f.tx, ev, now); err != nil {
		return nil, nil, err
	}
	return ev, paths, touch(f.tx, e, now, nil)
}

// voices replaces a gone voice_id and drops gone fallback voices.
func (f *repairer) voices(config Fields) (bool, error) {
	changed := false
	var id string
	if json.Unmarshal(config["voice_id"], &id) == nil && id != "" {
		gone, err := voiceGone(f.tx, f.ws, id)
		if err != nil {
			return false, err
		}
		if gone {
			config["voice_id"], _ = json.Marshal(DefaultVoiceID())
			changed = true
		}
	}
	var fallbacks []string
	if json.Unmarshal(config["fallback_voice_ids"], &fallbacks) == nil && len(fallbacks) > 0 {
		kept := fallbacks[:0:0]
		for _, fb := range fallbacks {
			gone, err := voiceGone(f.tx, f.ws, fb)
			if err != nil {
				return false, err
			}
			if !gone {
				kept = append(kept, fb)
			}
		}
		if len(kept) != len(fallbacks) {
			config["fallback_voice_ids"], _ = json.Marshal(kept)
			changed = true
		}
	}
	return changed, nil
}

// references drops unknown knowledge bases and deleted shared components
// from an engine configuration.
func (f *repairer) references(config Fields) (bool, error) {
	changed := false
	for _, field := range []string{"knowledge_base_ids", "nodes", "components"} {
		raw, ok := config[field]
		if !ok || !mayLink(raw) && field != "knowledge_base_ids" {
			continue
		}
		tree, err := decodeTree(raw)
		if err != nil {
			return false, err
		}
		c := false
		switch field {
		case "knowledge_base_ids":
			tree, c, err = f.knowledgeBases(tree)
		case "nodes":
			var removed []string
			tree, removed, c, err = f.componentNodes(tree)
			if err == nil && slices.Contains(removed, stringField(config, "start_node_id")) {
				delete(config, "start_node_id")
			}
		case "components":
			c, err = f.localComponents(tree)
		}
		if err != nil {
			return false, err
		}
		if c {
			changed = true
			if config[field], err = json.Marshal(tree); err != nil {
				return false, err
			}
		}
	}
	return changed, nil
}

func stringField(config Fields, field string) string {
	var s string
	_ = json.Unmarshal(config[field], &s)
	return s
}

// knowledgeBases drops unknown ids from a knowledge_base_ids array.
func (f *repairer) knowledgeBases(tree any) (any, bool, error) {
	ids, ok := tree.([]any)
	if !ok {
		return tree, false, nil
	}
	kept := make([]any, 0, len(ids))
	for _, id := range ids {
		s, isString := id.(string)
		if isString {
			ok, err := f.has(LinkKnowledgeBase, s)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				continue
			}
		}
		kept = append(kept, id)
	}
	return kept, len(kept) != len(ids), nil
}

// nodeEdges are the node fields that hold one edge.
var nodeEdges = []string{"edge", "else_edge", "always_edge", "skip_response_edge", "success_edge", "failed_edge"}

// componentNodes repairs a list of nodes: unknown knowledge bases leave
// their knowledge_base_ids, component nodes of deleted shared components
// are removed with the edges that lead to them. It returns the removed
// node ids.
func (f *repairer) componentNodes(tree any) (any, []string, bool, error) {
	nodes, ok := tree.([]any)
	if !ok {
		return tree, nil, false, nil
	}
	changed := false
	var removed []string
	kept := make([]any, 0, len(nodes))
	for _, n := range nodes {
		node, _ := n.(map[string]any)
		if node != nil && node["type"] == "component" && node["component_type"] == "shared" {
			if id, ok := node["component_id"].(string); ok {
				has, err := f.has(LinkComponent, id)
				if err != nil {
					return nil, nil, false, err
				}
				if !has {
					if nid, ok := node["id"].(string); ok {
						removed = append(removed, nid)
					}
					changed = true
					continue
				}
			}
		}
		if node != nil {
			if ids, ok := node["knowledge_base_ids"]; ok {
				fixed, c, err := f.knowledgeBases(ids)
				if err != nil {
					return nil, nil, false, err
				}
				if c {
					node["knowledge_base_ids"], changed = fixed, true
				}
			}
		}
		kept = append(kept, n)
	}
	if len(removed) > 0 {
		for _, n := range kept {
			node, _ := n.(map[string]any)
			if node != nil && dropEdgesTo(node, removed) {
				changed = true
			}
		}
	}
	return kept, removed, changed, nil
}

// dropEdgesTo removes a node's edges whose destination is one of removed.
func dropEdgesTo(node map[string]any, removed []string) bool {
	leads := func(e any) bool {
		m, _ := e.(map[string]any)
		dest, _ := m["destination_node_id"].(string)
		return m != nil && slices.Contains(removed, dest)
	}
	filter := func(list any) (any, bool) {
		items, ok := list.([]any)
		if !ok {
			return list, false
		}
		kept := slices.DeleteFunc(slices.Clone(items), leads)
		return kept, len(kept) != len(items)
	}
	changed := false
	if kept, c := filter(node["edges"]); c {
		node["edges"], changed = kept, true
	}
	for _, field := range nodeEdges {
		if e, ok := node[field]; ok && leads(e) {
			delete(node, field)
			changed = true
		}
	}
	if g, ok := node["global_node_setting"].(map[string]any); ok {
		if kept, c := filter(g["go_back_conditions"]); c {
			g["go_back_conditions"], changed = kept, true
		}
	}
	return changed
}

// localComponents repairs the nodes of each local component of a flow.
func (f *repairer) localComponents(tree any) (bool, error) {
	comps, ok := tree.([]any)
	if !ok {
		return false, nil
	}
	changed := false
	for _, c := range comps {
		comp, _ := c.(map[string]any)
		if comp == nil {
			continue
		}
		nodes, removed, c, err := f.componentNodes(comp["nodes"])
		if err != nil {
			return false, err
		}
		if c {
			comp["nodes"], changed = nodes, true
			if start, _ := comp["start_node_id"].(string); slices.Contains(removed, start) {
				delete(comp, "start_node_id")
			}
		}
	}
	return changed, nil
}
