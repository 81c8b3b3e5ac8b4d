package schema

import (
	"encoding/json"
	"slices"
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
// given kind: an engine's here, an agent's in agent_rules.go.
// The configuration has already passed the kind's field rules. A broken rule
// is an *Error whose message starts with the path of the offending value.
func CheckIntegrity(kind *agentry.Kind, config map[string]json.RawMessage) error {
	var err *Error
	switch kind {
	case agentry.RetellLLM:
		err = checkLLM(config)
	case agentry.ConversationFlow:
		err = checkFlow(config)
	case agentry.VoiceAgent:
		err = checkAgent(config, false)
	case agentry.ChatAgent:
		err = checkAgent(config, true)
	}
	if err != nil {
		return err
	}
	return nil
}

// value reads one field of a configuration in place; absent is not ok.
func value(config map[string]json.RawMessage, field string) (reader, bool) {
	raw, ok := config[field]
	return reader{b: raw}, ok && len(raw) > 0
}

// The accessors below read a stored or checked configuration in place,
// without building a tree of it, and take a value of another JSON type than
// they read as absent: fields kept as sent are not typed by the rules.

// text returns the value if it is a string.
func (r reader) text() (string, bool) {
	if len(r.b) == 0 || r.peek() != '"' {
		return "", false
	}
	return r.str(), true
}

// each calls f with each member of the object at r, a reader on its value.
func (r reader) each(f func(key string, v reader)) {
	if len(r.b) == 0 || r.peek() != '{' {
		return
	}
	r.pos++
	if r.peek() == '}' {
		return
	}
	for {
		r.peek()
		key := r.str()
		r.peek()
		r.pos++ // :
		r.space()
		f(key, r)
		r.skip()
		if r.peek() == '}' {
			return
		}
		r.pos++ // ,
	}
}

// member returns a reader on the value of key in the object at r.
func (r reader) member(key string) (v reader, ok bool) {
	r.each(func(k string, at reader) {
		if k == key && !ok {
			v, ok = at, true
		}
	})
	return v, ok
}

// elements calls f with each item of the array at r.
func (r reader) elements(f func(i int, v reader)) {
	if len(r.b) == 0 || r.peek() != '[' {
		return
	}
	r.pos++
	if r.peek() == ']' {
		return
	}
	for i := 0; ; i++ {
		r.space()
		f(i, r)
		r.skip()
		if r.peek() == ']' {
			return
		}
		r.pos++ // ,
	}
}

// textOf returns the string member key of the object at r.
func (r reader) textOf(key string) (string, bool) {
	v, ok := r.member(key)
	if !ok {
		return "", false
	}
	return v.text()
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
func addTools(n *names, tools reader, path string) *Error {
	var err *Error
	tools.elements(func(i int, t reader) {
		if name, ok := t.textOf("name"); ok && err == nil {
			err = n.add(name, index(path, i))
		}
	})
	return err
}

// patternedTools are the LLM tool types whose names the reference limits to
// stateName's pattern (letters, digits, _ and -, at most 64).
var patternedTools = []string{"end_call", "custom", "code", "press_digit", "extract_dynamic_variable", "bridge_transfer", "cancel_transfer"}

// checkToolNames checks the name pattern of the tools at path.
func checkToolNames(tools reader, path string) *Error {
	var err *Error
	tools.elements(func(i int, t reader) {
		typ, _ := t.textOf("type")
		name, ok := t.textOf("name")
		if ok && err == nil && slices.Contains(patternedTools, typ) && !stateName.pattern.MatchString(name) {
			err = fail(join(index(path, i), "name"), "must match %s, as the names of %s tools must", stateName.pattern, typ)
		}
	})
	return err
}

func checkLLM(config map[string]json.RawMessage) *Error {
	if set(config, "model") && set(config, "s2s_model") {
		return fail("s2s_model", "cannot be set together with model: a Retell LLM runs one of them")
	}
	general, _ := value(config, "general_tools")
	if err := checkToolNames(general, "general_tools"); err != nil {
		return err
	}
	generalNames := newNames("name")
	if err := addTools(generalNames, general, "general_tools"); err != nil {
		return err
	}
	states, _ := value(config, "states")
	stateNames := newNames("name")
	count := 0
	var err *Error
	states.elements(func(i int, s reader) {
		count++
		if name, ok := s.textOf("name"); ok && err == nil {
			err = stateNames.add(name, index("states", i))
		}
	})
	if err != nil {
		return err
	}
	states.elements(func(i int, s reader) {
		if err != nil {
			return
		}
		path := index("states", i)
		// A state's model sees the general tools and its own.
		scope := &names{what: "name", where: map[string]string{}}
		for k, v := range generalNames.where {
			scope.where[k] = v
		}
		tools, _ := s.member("tools")
		if err = checkToolNames(tools, join(path, "tools")); err != nil {
			return
		}
		if err = addTools(scope, tools, join(path, "tools")); err != nil {
			return
		}
		edges, _ := s.member("edges")
		edges.elements(func(j int, e reader) {
			dest, ok := e.textOf("destination_state_name")
			if !ok || err != nil {
				return
			}
			at := join(index(join(path, "edges"), j), "destination_state_name")
			if !stateNames.has(dest) {
				err = fail(at, "no state is named %s%s", strconv.Quote(dest), known(" (states: %s)", stateNames))
				return
			}
			// A transition is a tool of the state's model, named after the
			// state it leads to: no other tool may have that name.
			if tool := "transition_to_" + dest; scope.has(tool) {
				err = fail(at, "makes a transition tool named %s, which is already the name of %s; tool names must be unique", strconv.Quote(tool), scope.where[tool])
			}
		})
	})
	if err != nil {
		return err
	}
	start, _ := value(config, "starting_state")
	switch s, ok := start.text(); {
	case ok && !stateNames.has(s):
		return fail("starting_state", "no state is named %s%s", strconv.Quote(s), known(" (states: %s)", stateNames))
	case !ok && count > 0:
		return fail("starting_state", "is required when states is not empty: name the state the conversation starts in")
	}
	return nil
}

// nodeEdgeFields are the node fields that hold one edge.
var nodeEdgeFields = [...]string{"edge", "else_edge", "always_edge", "skip_response_edge", "success_edge", "failed_edge"}

func checkFlow(config map[string]json.RawMessage) *Error {
	tools, _ := value(config, "tools")
	toolIDs, toolNames := newNames("tool_id"), newNames("name")
	var err *Error
	tools.elements(func(i int, t reader) {
		path := index("tools", i)
		if id, ok := t.textOf("tool_id"); ok && err == nil {
			err = toolIDs.add(id, path)
		}
		if name, ok := t.textOf("name"); ok && err == nil {
			err = toolNames.add(name, path)
		}
	})
	if err != nil {
		return err
	}
	nodes, _ := value(config, "nodes")
	nodeIDs := newNames("id")
	nodes.elements(func(i int, n reader) {
		if id, ok := n.textOf("id"); ok && err == nil {
			err = nodeIDs.add(id, index("nodes", i))
		}
	})
	if err != nil {
		return err
	}
	nodes.elements(func(i int, n reader) {
		if err == nil {
			err = checkNode(n, index("nodes", i), nodeIDs, toolIDs)
		}
	})
	if err != nil {
		return err
	}
	notes, _ := value(config, "notes")
	noteIDs := newNames("id")
	notes.elements(func(i int, n reader) {
		if id, ok := n.textOf("id"); ok && err == nil {
			err = noteIDs.add(id, index("notes", i))
		}
	})
	if err != nil {
		return err
	}
	start, _ := value(config, "start_node_id")
	if s, ok := start.text(); ok && !nodeIDs.has(s) {
		return fail("start_node_id", "no node has id %s%s", strconv.Quote(s), known(" (nodes: %s)", nodeIDs))
	}
	return nil
}

// checkNode checks the edges of one node and the tool a function node runs.
func checkNode(n reader, path string, nodeIDs, toolIDs *names) *Error {
	edgeIDs := newNames("id")
	var err *Error
	checkEdge := func(e reader, at string) {
		if err != nil || len(e.b) == 0 || e.peek() != '{' {
			return
		}
		if id, ok := e.textOf("id"); ok {
			if err = edgeIDs.add(id, at); err != nil {
				return
			}
		}
		if dest, ok := e.textOf("destination_node_id"); ok && !nodeIDs.has(dest) {
			err = fail(join(at, "destination_node_id"), "no node has id %s%s", strconv.Quote(dest), known(" (nodes: %s)", nodeIDs))
		}
	}
	// One pass over the node's members finds what the rules read.
	var edges, global, typ, toolID, toolType reader
	var single [len(nodeEdgeFields)]reader
	n.each(func(key string, v reader) {
		switch key {
		case "edges":
			edges = v
		case "global_node_setting":
			global = v
		case "type":
			typ = v
		case "tool_id":
			toolID = v
		case "tool_type":
			toolType = v
		default:
			if i := slices.Index(nodeEdgeFields[:], key); i >= 0 {
				single[i] = v
			}
		}
	})
	edges.elements(func(j int, e reader) { checkEdge(e, index(join(path, "edges"), j)) })
	for i, field := range nodeEdgeFields {
		checkEdge(single[i], join(path, field))
	}
	back, _ := global.member("go_back_conditions")
	back.elements(func(j int, e reader) {
		checkEdge(e, index(join(path, "global_node_setting.go_back_conditions"), j))
	})
	if err != nil {
		return err
	}
	// A function node runs a tool of the flow unless it names a shared one.
	if t, _ := typ.text(); t == "function" {
		id, ok := toolID.text()
		if kind, _ := toolType.text(); ok && kind != "shared" && !toolIDs.has(id) {
			return fail(join(path, "tool_id"), "no tool of the flow has tool_id %s%s", strconv.Quote(id), known(" (tools: %s)", toolIDs))
		}
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
