package agentry

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
)

// repair-agent and apps: an app tool (type integration_app) whose app_id
// names no app of the workspace (the app was deleted with force_delete) is
// removed from the tool list that holds it, wherever that is: an agent's
// pre_session_tools and post_session_tools, an LLM's general_tools and its
// states' tools, a flow's tools, a subagent node's tools, and the tools of
// a flow's local components. What referred to a removed tool goes with it,
// so that the repaired draft still passes the rules a later update checks:
//   - its name leaves the depends_on of the other tools of that scope;
//   - a function node that ran it (by tool_id; tool_type not "shared") is
//     removed with the edges that led to it, and start_node_id when it
//     named that node, as a component node of a deleted shared component
//     is. A node of a local component runs a tool of the component or, when
//     the component has no tool of that id, of the flow.
// An app tool whose app exists with another provider is not repaired: the
// app is not gone.

// toolLists are the keys under which configurations hold lists of tools.
var toolLists = []string{"pre_session_tools", "post_session_tools", "general_tools", "tools"}

// appRepairFields are the top-level fields that repairing app tools may
// change: those that hold tools, the nodes that run them, and the start
// node.
var appRepairFields = []string{"pre_session_tools", "post_session_tools", "general_tools", "states", "tools", "nodes", "components", "start_node_id"}

var appToolMarker = []byte(`"` + appToolType + `"`)

// apps removes from a configuration the app tools whose app is gone, and
// what referred to them. It rewrites only the top-level fields that change.
func (f *repairer) apps(config Fields) (bool, error) {
	if !slices.ContainsFunc(appRepairFields, func(k string) bool { return bytes.Contains(config[k], appToolMarker) }) {
		return false, nil
	}
	scope := map[string]any{}
	before := map[string][]byte{}
	for _, k := range appRepairFields {
		raw, ok := config[k]
		if !ok {
			continue
		}
		tree, err := decodeTree(raw)
		if err != nil {
			return false, err
		}
		scope[k] = tree
		// Compared after the repair in the same encoding, so that a field
		// the repair leaves alone keeps its bytes.
		if before[k], err = json.Marshal(tree); err != nil {
			return false, err
		}
	}
	changed, err := f.pruneApps(scope, nil)
	if err != nil || !changed {
		return false, err
	}
	for k, old := range before {
		tree, ok := scope[k]
		if !ok {
			delete(config, k)
			continue
		}
		raw, err := json.Marshal(tree)
		if err != nil {
			return false, err
		}
		if !bytes.Equal(raw, old) {
			config[k] = raw
		}
	}
	return true, nil
}

// deadAppTool reports whether item is an app tool whose app is gone.
func (f *repairer) deadAppTool(item any) (bool, error) {
	tool, _ := item.(map[string]any)
	if tool == nil || tool["type"] != appToolType {
		return false, nil
	}
	id, ok := tool["app_id"].(string)
	if !ok {
		return false, nil
	}
	has, err := f.has(LinkApp, id)
	return !has, err
}

// pruneApps repairs one scope: a configuration's top level, an LLM state, a
// node, or a local component. inherited are the tool ids removed from the
// scope around it (a flow's, for its local components).
func (f *repairer) pruneApps(scope map[string]any, inherited map[string]bool) (bool, error) {
	changed := false
	names, ids := map[string]bool{}, map[string]bool{}
	for _, key := range toolLists {
		list, ok := scope[key].([]any)
		if !ok {
			continue
		}
		kept := make([]any, 0, len(list))
		for _, item := range list {
			dead, err := f.deadAppTool(item)
			if err != nil {
				return false, err
			}
			if !dead {
				kept = append(kept, item)
				continue
			}
			tool := item.(map[string]any)
			if name, ok := tool["name"].(string); ok {
				names[name] = true
			}
			if id, ok := tool["tool_id"].(string); ok {
				ids[id] = true
			}
		}
		if len(kept) != len(list) {
			scope[key], changed = kept, true
		}
	}
	if len(names) > 0 && dropDependencies(scope, names) {
		changed = true
	}
	// The tool ids the scope's function nodes may no longer run: its own
	// removed tools, and those removed around it that it has none of.
	gone := maps.Clone(ids)
	own := map[string]bool{}
	if list, ok := scope["tools"].([]any); ok {
		for _, item := range list {
			if tool, _ := item.(map[string]any); tool != nil {
				if id, ok := tool["tool_id"].(string); ok {
					own[id] = true
				}
			}
		}
	}
	for id := range inherited {
		if !own[id] {
			gone[id] = true
		}
	}
	for _, key := range []string{"states", "nodes"} {
		items, _ := scope[key].([]any)
		for _, item := range items {
			if m, _ := item.(map[string]any); m != nil {
				c, err := f.pruneApps(m, nil)
				if err != nil {
					return false, err
				}
				changed = changed || c
			}
		}
	}
	if len(gone) > 0 && dropFunctionNodes(scope, gone) {
		changed = true
	}
	comps, _ := scope["components"].([]any)
	for _, item := range comps {
		if m, _ := item.(map[string]any); m != nil {
			c, err := f.pruneApps(m, gone)
			if err != nil {
				return false, err
			}
			changed = changed || c
		}
	}
	return changed, nil
}

// dropDependencies removes names from the depends_on of the scope's tools.
func dropDependencies(scope map[string]any, names map[string]bool) bool {
	changed := false
	for _, key := range toolLists {
		list, _ := scope[key].([]any)
		for _, item := range list {
			tool, _ := item.(map[string]any)
			deps, ok := tool["depends_on"].([]any)
			if !ok {
				continue
			}
			kept := slices.DeleteFunc(slices.Clone(deps), func(d any) bool {
				s, _ := d.(string)
				return names[s]
			})
			if len(kept) != len(deps) {
				tool["depends_on"], changed = kept, true
			}
		}
	}
	return changed
}

// dropFunctionNodes removes the scope's function nodes that run one of the
// tool ids gone, the edges that led to them, and start_node_id when it
// named one.
func dropFunctionNodes(scope map[string]any, gone map[string]bool) bool {
	nodes, ok := scope["nodes"].([]any)
	if !ok {
		return false
	}
	var removed []string
	kept := make([]any, 0, len(nodes))
	for _, item := range nodes {
		node, _ := item.(map[string]any)
		if node != nil && node["type"] == "function" && node["tool_type"] != "shared" {
			if id, ok := node["tool_id"].(string); ok && gone[id] {
				if nid, ok := node["id"].(string); ok {
					removed = append(removed, nid)
				}
				continue
			}
		}
		kept = append(kept, item)
	}
	if len(kept) == len(nodes) {
		return false
	}
	for _, item := range kept {
		if node, _ := item.(map[string]any); node != nil {
			dropEdgesTo(node, removed)
		}
	}
	scope["nodes"] = kept
	if start, _ := scope["start_node_id"].(string); slices.Contains(removed, start) {
		delete(scope, "start_node_id")
	}
	return true
}
