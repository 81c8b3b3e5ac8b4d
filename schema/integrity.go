package schema

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/agentry/agentry"
)

// Rules across the items of an engine's configuration, which field rules
// cannot state: names and ids are unique in their scope, and every reference
// to a state, node or tool names one that exists. They are checked on the
// whole configuration after a patch is applied (the service calls
// CheckIntegrity), so a patch that sends nodes alone is checked against the
// stored start_node_id, and the other way round.

// CheckIntegrity checks the cross-item rules of a whole configuration of the
// given kind (a Retell LLM or a conversation flow; other kinds have none).
// The configuration has already passed the kind's field rules. A broken rule
// is an *Error whose message starts with the path of the offending value.
func CheckIntegrity(kind *agentry.Kind, config map[string]json.RawMessage) error {
	var err *Error
	switch kind {
	case agentry.RetellLLM:
		err = checkLLM(config)
	case agentry.ConversationFlow:
		err = checkFlow(config)
	}
	if err != nil {
		return err
	}
	return nil
}

// tree parses one field of a configuration; absent and null are nil.
func tree(config map[string]json.RawMessage, field string) (any, *Error) {
	raw, ok := config[field]
	if !ok {
		return nil, nil
	}
	return parse(raw, field)
}

func items(v any) []map[string]any {
	a, _ := v.([]any)
	out := make([]map[string]any, 0, len(a))
	for _, x := range a {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

func text(m map[string]any, key string) (string, bool) {
	s, ok := m[key].(string)
	return s, ok
}

// names records the values of one key across items, so that a repeat can
// name the item that first used the value.
type names struct {
	what  string // "name", "id", ...
	where map[string]string
}

func newNames(what string) *names { return &names{what: what, where: map[string]string{}} }

// add records value at path, or fails if another item already has it.
func (n *names) add(value, path string) *Error {
	if first, dup := n.where[value]; dup {
		return fail(join(path, n.what), "%s is already the %s of %s; %ss must be unique", strconv.Quote(value), n.what, first, n.what)
	}
	n.where[value] = path
	return nil
}

func (n *names) has(value string) bool {
	_, ok := n.where[value]
	return ok
}

// addTools records the names of tools at path (a field holding an array).
func addTools(n *names, tools any, path string) *Error {
	for i, t := range items(tools) {
		if name, ok := text(t, "name"); ok {
			if err := n.add(name, index(path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkLLM(config map[string]json.RawMessage) *Error {
	general, err := tree(config, "general_tools")
	if err != nil {
		return err
	}
	generalNames := newNames("name")
	if err := addTools(generalNames, general, "general_tools"); err != nil {
		return err
	}
	statesTree, err := tree(config, "states")
	if err != nil {
		return err
	}
	states := items(statesTree)
	stateNames := newNames("name")
	for i, s := range states {
		if name, ok := text(s, "name"); ok {
			if err := stateNames.add(name, index("states", i)); err != nil {
				return err
			}
		}
	}
	for i, s := range states {
		path := index("states", i)
		// A state's model sees the general tools and its own.
		scope := &names{what: "name", where: map[string]string{}}
		for k, v := range generalNames.where {
			scope.where[k] = v
		}
		if err := addTools(scope, s["tools"], join(path, "tools")); err != nil {
			return err
		}
		for j, e := range items(s["edges"]) {
			if dest, ok := text(e, "destination_state_name"); ok && !stateNames.has(dest) {
				return fail(join(index(join(path, "edges"), j), "destination_state_name"), "no state is named %s%s", strconv.Quote(dest), known(" (states: %s)", stateNames))
			}
		}
	}
	start, err := tree(config, "starting_state")
	if err != nil {
		return err
	}
	switch s, ok := start.(string); {
	case ok && !stateNames.has(s):
		return fail("starting_state", "no state is named %s%s", strconv.Quote(s), known(" (states: %s)", stateNames))
	case !ok && len(states) > 0:
		return fail("starting_state", "is required when states is not empty: name the state the conversation starts in")
	}
	return nil
}

// nodeEdgeFields are the node fields that hold one edge.
var nodeEdgeFields = []string{"edge", "else_edge", "always_edge", "skip_response_edge", "success_edge", "failed_edge"}

func checkFlow(config map[string]json.RawMessage) *Error {
	toolsTree, err := tree(config, "tools")
	if err != nil {
		return err
	}
	toolIDs, toolNames := newNames("tool_id"), newNames("name")
	for i, t := range items(toolsTree) {
		path := index("tools", i)
		if id, ok := text(t, "tool_id"); ok {
			if err := toolIDs.add(id, path); err != nil {
				return err
			}
		}
		if name, ok := text(t, "name"); ok {
			if err := toolNames.add(name, path); err != nil {
				return err
			}
		}
	}
	nodesTree, err := tree(config, "nodes")
	if err != nil {
		return err
	}
	nodes := items(nodesTree)
	nodeIDs := newNames("id")
	for i, n := range nodes {
		if id, ok := text(n, "id"); ok {
			if err := nodeIDs.add(id, index("nodes", i)); err != nil {
				return err
			}
		}
	}
	for i, n := range nodes {
		path := index("nodes", i)
		edgeIDs := newNames("id")
		checkEdge := func(e map[string]any, at string) *Error {
			if id, ok := text(e, "id"); ok {
				if err := edgeIDs.add(id, at); err != nil {
					return err
				}
			}
			if dest, ok := text(e, "destination_node_id"); ok && !nodeIDs.has(dest) {
				return fail(join(at, "destination_node_id"), "no node has id %s%s", strconv.Quote(dest), known(" (nodes: %s)", nodeIDs))
			}
			return nil
		}
		for j, e := range items(n["edges"]) {
			if err := checkEdge(e, index(join(path, "edges"), j)); err != nil {
				return err
			}
		}
		for _, field := range nodeEdgeFields {
			if e, ok := n[field].(map[string]any); ok {
				if err := checkEdge(e, join(path, field)); err != nil {
					return err
				}
			}
		}
		if g, ok := n["global_node_setting"].(map[string]any); ok {
			for j, e := range items(g["go_back_conditions"]) {
				if err := checkEdge(e, index(join(path, "global_node_setting.go_back_conditions"), j)); err != nil {
					return err
				}
			}
		}
		// A function node runs a tool of the flow unless it names a shared one.
		if typ, _ := text(n, "type"); typ == "function" {
			id, ok := text(n, "tool_id")
			if kind, _ := text(n, "tool_type"); ok && kind != "shared" && !toolIDs.has(id) {
				return fail(join(path, "tool_id"), "no tool of the flow has tool_id %s%s", strconv.Quote(id), known(" (tools: %s)", toolIDs))
			}
		}
	}
	start, err := tree(config, "start_node_id")
	if err != nil {
		return err
	}
	if s, ok := start.(string); ok && !nodeIDs.has(s) {
		return fail("start_node_id", "no node has id %s%s", strconv.Quote(s), known(" (nodes: %s)", nodeIDs))
	}
	return nil
}

// known lists the recorded values for a message, or says there are none;
// long lists are cut short.
func known(format string, n *names) string {
	if len(n.where) == 0 {
		return strings.Replace(format, "%s", "none", 1)
	}
	var vs []string
	for v := range n.where {
		vs = append(vs, strconv.Quote(v))
	}
	sort.Strings(vs)
	if len(vs) > 10 {
		vs = append(vs[:10], "...")
	}
	return strings.Replace(format, "%s", strings.Join(vs, ", "), 1)
}
