package schema

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Rules across the fields of a voice or chat agent's configuration that the
// reference states in prose (docs/PROSE-RULES.md). Like the engines' rules
// in integrity.go, they are checked on the whole configuration a write
// leaves, so a patch is held to what is stored beside it.

// checkAgent checks the cross-field rules of an agent; chat says which kind.
func checkAgent(config map[string]json.RawMessage, chat bool) *Error {
	if err := checkContactMemory(config, chat); err != nil {
		return err
	}
	if !chat {
		if err := checkCustomSTT(config); err != nil {
			return err
		}
	}
	return checkSessionTools(config)
}

// flag returns the value if it is a boolean.
func (r reader) flag() (bool, bool) {
	if len(r.b) == 0 {
		return false, false
	}
	switch lit := string(r.literal0()); lit {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// literal0 reads the literal at the start of a copy of r.
func (r reader) literal0() []byte {
	r.space()
	return r.literal()
}

// set reports whether a field is present and not null.
func set(config map[string]json.RawMessage, field string) bool {
	v, ok := value(config, field)
	return ok && v.peek() != 'n'
}

// Contact memory rewritten after each conversation needs the conversation:
// its data stored, and on a chat agent a silence that ends the chat.
func checkContactMemory(config map[string]json.RawMessage, chat bool) *Error {
	cm, _ := value(config, "contact_memory_config")
	update, _ := cm.member("enable_update")
	if on, _ := update.flag(); !on {
		return nil
	}
	const at = "contact_memory_config.enable_update"
	storage, _ := value(config, "data_storage_setting")
	if s, _ := storage.text(); s == "basic_attributes_only" {
		return fail(at, "cannot be true while data_storage_setting is basic_attributes_only: rewriting contact memory needs the conversation's data stored (everything or everything_except_pii)")
	}
	if chat && !set(config, "end_chat_after_silence_ms") {
		return fail(at, "cannot be true on a chat agent without end_chat_after_silence_ms: contact memory is rewritten when a chat ends")
	}
	return nil
}

// endpointingMinimum is the least endpointing_ms each STT provider takes.
var endpointingMinimum = map[string]int{"azure": 100, "deepgram": 10, "soniox": 500, "assemblyai": 100, "muse": 100}

// endpointingMaximum is the most, where the reference states one.
var endpointingMaximum = map[string]int{"assemblyai": 3000}

// stt_mode custom runs on custom_stt_config, whose endpointing has bounds
// that depend on its provider.
func checkCustomSTT(config map[string]json.RawMessage) *Error {
	mode, _ := value(config, "stt_mode")
	if m, _ := mode.text(); m == "custom" && !set(config, "custom_stt_config") {
		return fail("custom_stt_config", "is required when stt_mode is custom")
	}
	stt, _ := value(config, "custom_stt_config")
	provider, ok := stt.textOf("provider")
	if !ok {
		return nil
	}
	ms, _ := stt.member("endpointing_ms")
	n, err := strconv.ParseFloat(string(ms.literal0()), 64)
	if err != nil {
		return nil
	}
	const at = "custom_stt_config.endpointing_ms"
	if lo, ok := endpointingMinimum[provider]; ok && n < float64(lo) {
		return fail(at, "must be at least %d for provider %s", lo, provider)
	}
	if hi, ok := endpointingMaximum[provider]; ok && n > float64(hi) {
		return fail(at, "must be at most %d for provider %s", hi, provider)
	}
	return nil
}

// phases are the fields holding session tools, each its own dependency
// graph.
var phases = []struct{ field, noun string }{
	{"pre_session_tools", "pre-session"},
	{"post_session_tools", "post-session"},
}

// Session tools are named uniquely across both phases; within a phase, a
// tool depends only on other tools of that phase, without a cycle; a tool's
// parameters require only properties they define; an equation of a
// condition has a right side unless its operator needs none.
func checkSessionTools(config map[string]json.RawMessage) *Error {
	all := newNames("name")
	for _, ph := range phases {
		tools, _ := value(config, ph.field)
		var err *Error
		tools.elements(func(i int, t reader) {
			if name, ok := t.textOf("name"); ok && err == nil {
				err = all.add(name, index(ph.field, i))
			}
		})
		if err != nil {
			return err
		}
	}
	for _, ph := range phases {
		if err := checkPhase(config, ph.field, ph.noun); err != nil {
			return err
		}
	}
	return nil
}

// sessionTool is what the rules read of one session tool.
type sessionTool struct {
	name      string
	dependsOn []string
	reader    reader
}

func checkPhase(config map[string]json.RawMessage, field, noun string) *Error {
	list, _ := value(config, field)
	var tools []sessionTool
	byName := map[string]int{}
	list.elements(func(i int, t reader) {
		name, _ := t.textOf("name")
		deps, _ := t.member("depends_on")
		var d []string
		deps.elements(func(_ int, v reader) {
			s, _ := v.text()
			d = append(d, s)
		})
		tools = append(tools, sessionTool{name: name, dependsOn: d, reader: t})
		byName[name] = i
	})
	for i, t := range tools {
		at := index(field, i)
		for j, dep := range t.dependsOn {
			switch k, ok := byName[dep]; {
			case !ok:
				others := newNames("name")
				for n := range byName {
					others.where[n] = ""
				}
				return fail(index(join(at, "depends_on"), j), "no %s tool is named %s%s", noun, strconv.Quote(dep), known(" ("+noun+" tools: %s)", others))
			case k == i:
				return fail(index(join(at, "depends_on"), j), "a tool cannot depend on itself")
			}
		}
		if err := checkParameters(t.reader, at); err != nil {
			return err
		}
		if err := checkEquations(t.reader, at); err != nil {
			return err
		}
	}
	if cycle := dependencyCycle(tools, byName); cycle != nil {
		return fail(join(index(field, cycle[0]), "depends_on"), "makes a cycle: %s", cycleWords(tools, cycle))
	}
	return nil
}

// dependencyCycle returns the tools of a cycle of depends_on, first tool
// again at the end, or nil.
func dependencyCycle(tools []sessionTool, byName map[string]int) []int {
	const (
		unseen = iota
		open
		done
	)
	state := make([]int, len(tools))
	var stack []int
	var visit func(i int) []int
	visit = func(i int) []int {
		state[i] = open
		stack = append(stack, i)
		for _, dep := range tools[i].dependsOn {
			k := byName[dep]
			switch state[k] {
			case open:
				from := slices.Index(stack, k)
				return append(slices.Clone(stack[from:]), k)
			case unseen:
				if c := visit(k); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[i] = done
		return nil
	}
	for i := range tools {
		if state[i] == unseen {
			if c := visit(i); c != nil {
				return c
			}
		}
	}
	return nil
}

func cycleWords(tools []sessionTool, cycle []int) string {
	var ns []string
	for _, i := range cycle {
		ns = append(ns, strconv.Quote(tools[i].name))
	}
	return strings.Join(ns, " depends on ")
}

// checkParameters: a tool's parameters (one schema, or a list of them for
// an app tool) require only properties they define.
func checkParameters(tool reader, at string) *Error {
	params, ok := tool.member("parameters")
	if !ok {
		return nil
	}
	check := func(p reader, path string) *Error {
		props, _ := p.member("properties")
		defined := map[string]bool{}
		props.each(func(key string, _ reader) { defined[key] = true })
		required, _ := p.member("required")
		var err *Error
		required.elements(func(j int, v reader) {
			if name, ok := v.text(); ok && !defined[name] && err == nil {
				err = fail(index(join(path, "required"), j), "%s is not a property of %s.properties", strconv.Quote(name), path)
			}
		})
		return err
	}
	if params.peek() == '[' {
		var err *Error
		params.elements(func(i int, p reader) {
			if err == nil {
				err = check(p, index(join(at, "parameters"), i))
			}
		})
		return err
	}
	return check(params, join(at, "parameters"))
}

// noRightSide are the equation operators that compare nothing.
var noRightSide = []string{"exists", "not_exist"}

// checkEquations: an equation has a right side unless its operator is one
// of noRightSide.
func checkEquations(tool reader, at string) *Error {
	cond, _ := tool.member("condition")
	eqs, _ := cond.member("equations")
	var err *Error
	eqs.elements(func(i int, e reader) {
		if err != nil {
			return
		}
		op, _ := e.textOf("operator")
		if _, has := e.member("right"); !has && !slices.Contains(noRightSide, op) {
			err = fail(join(index(join(at, "condition.equations"), i), "right"), "is required unless operator is exists or not_exist (operator is %s)", strconv.Quote(op))
		}
	})
	return err
}
