package gitops

import (
	"fmt"
	"sort"
	"strings"
)

// Configurations refer to other objects by id: engines and components to
// knowledge bases (knowledge_base_ids, at any depth), flows and components
// to shared components (a node with component_type "shared" names one in
// component_id), and agent-swap tools and nodes to agents (an object with
// type "agent_swap" names one in agent_id). Files write those references as
// the file names of the objects, so that one directory applies to any
// server; a server's ids are in the state:
//
//	knowledge_base_ids: [faq]            knowledge-bases/faq.yaml
//	component_id: collect-info           components/collect-info.yaml
//	agent_id: agents/support             agents/support.yaml (or chat-agents/NAME)

// refKind is what a reference names.
type refKind int

const (
	refKB refKind = iota
	refComponent
	refAgent
)

// noun names the kind of object a reference names, for messages.
func (k refKind) noun() string {
	return [...]string{"knowledge base", "shared component", "agent"}[k]
}

// refFile is the file a reference names: knowledge-bases/NAME.yaml,
// components/NAME.yaml, or for an agent FOLDER/NAME.yaml.
func refFile(k refKind, name string) string {
	switch k {
	case refKB:
		return folderKBs + "/" + name + ".yaml"
	case refComponent:
		return folderComponents + "/" + name + ".yaml"
	}
	return name + ".yaml"
}

// refFolders are the folders whose files a kind of reference names.
func refFolders(k refKind) []string {
	switch k {
	case refKB:
		return []string{folderKBs}
	case refComponent:
		return []string{folderComponents}
	}
	return []string{folderAgents, folderChatAgents}
}

// refName is how a reference names the object of a file.
func refName(k refKind, file string) string {
	name := strings.TrimSuffix(file, ".yaml")
	if k == refAgent {
		return name
	}
	return name[strings.IndexByte(name, '/')+1:]
}

// namer turns an id into the name a file gives it, if any.
type namer func(k refKind, id string) (string, bool)

// mapRefs returns a copy of v with every reference replaced by what fn
// answers for it; fn is given the reference's kind, its value and its path.
// When fn answers false the value is kept.
func mapRefs(v any, p string, fn func(k refKind, value, path string) (string, bool)) any {
	switch x := v.(type) {
	case object:
		m := make(object, len(x))
		shared := str(x, "component_type") == "shared"
		swap := str(x, "type") == "agent_swap"
		for k, w := range x {
			kp := joinPath(p, k)
			switch {
			case k == "knowledge_base_ids":
				if ids, ok := w.([]any); ok {
					out := make([]any, len(ids))
					for i, id := range ids {
						out[i] = id
						if s, ok := id.(string); ok {
							if r, ok := fn(refKB, s, indexPath(kp, i)); ok {
								out[i] = r
							}
						}
					}
					m[k] = out
					continue
				}
			case k == "component_id" && shared, k == "agent_id" && swap:
				kind := refComponent
				if swap {
					kind = refAgent
				}
				if s, ok := w.(string); ok {
					if r, ok := fn(kind, s, kp); ok {
						m[k] = r
						continue
					}
				}
			}
			m[k] = mapRefs(w, kp, fn)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, w := range x {
			a[i] = mapRefs(w, indexPath(p, i), fn)
		}
		return a
	}
	return v
}

// refsOf lists the files the references in v name.
func refsOf(v any, k refKind) []string {
	var out []string
	mapRefs(v, "", func(kind refKind, value, _ string) (string, bool) {
		if kind == k {
			out = append(out, refFile(k, value))
		}
		return "", false
	})
	return out
}

// checkReferences checks that every reference in engines and components
// names a file of the directory.
func (d *Dir) checkReferences(fail func(*FileError)) {
	have := map[string]bool{}
	for _, f := range d.KBs {
		have[f.Path] = true
	}
	for _, f := range d.Components {
		have[f.Path] = true
	}
	for _, f := range d.heads() {
		have[f.Path] = true
	}
	check := func(file string, ls lines, section string, v any) {
		mapRefs(v, section, func(k refKind, value, p string) (string, bool) {
			target := refFile(k, value)
			if k == refAgent && !strings.HasPrefix(value, folderAgents+"/") && !strings.HasPrefix(value, folderChatAgents+"/") {
				fail(fieldError(file, ls, p, fmt.Sprintf("name the agent by its file: agents/NAME or chat-agents/NAME, not %q", value)))
			} else if !have[target] {
				fail(fieldError(file, ls, p, fmt.Sprintf("no file %s: name the %s by its file", target, k.noun())))
			}
			return "", false
		})
	}
	for _, f := range d.Agents {
		if f.EngineKind != nil {
			check(f.Path, f.lines, engineSections[f.EngineKind], f.Engine)
		}
		check(f.Path, f.lines, sectionAgent, f.Agent)
	}
	for _, f := range d.Components {
		check(f.Path, f.lines, "", f.Fields)
	}
}

// componentOrder lists the components so that one that another uses comes
// first (the server refuses a component naming one that does not exist;
// it refuses cycles too, so there are none to break).
func (d *Dir) componentOrder() []*FlatFile {
	byPath := map[string]*FlatFile{}
	deps := map[string][]string{}
	for _, f := range d.Components {
		byPath[f.Path] = f
		deps[f.Path] = refsOf(f.Fields, refComponent)
	}
	var out []*FlatFile
	for _, p := range topoOrder(sortedKeys(byPath), deps) {
		out = append(out, byPath[p])
	}
	return out
}

// agentOrder lists the agents' main files so that an agent that another
// swaps to comes first; in a cycle, by path.
func (d *Dir) agentOrder() []*AgentFile {
	byPath := map[string]*AgentFile{}
	deps := map[string][]string{}
	for _, h := range d.heads() {
		byPath[h.Path] = h
		for _, f := range d.filesOf(h.Path) {
			deps[h.Path] = append(deps[h.Path], refsOf(f.Engine, refAgent)...)
		}
	}
	var out []*AgentFile
	for _, p := range topoOrder(sortedKeys(byPath), deps) {
		out = append(out, byPath[p])
	}
	return out
}

// topoOrder orders nodes so that each comes after what it depends on,
// keeping the given order otherwise; a cycle is broken at its first node
// in that order.
func topoOrder(nodes []string, deps map[string][]string) []string {
	state := map[string]int{} // 1: being visited, 2: done
	var out []string
	var visit func(n string)
	visit = func(n string) {
		if state[n] != 0 {
			return
		}
		state[n] = 1
		ds := append([]string(nil), deps[n]...)
		sort.Strings(ds)
		for _, d := range ds {
			if _, known := deps[d]; known && d != n {
				visit(d)
			}
		}
		state[n] = 2
		out = append(out, n)
	}
	for _, n := range nodes {
		visit(n)
	}
	return out
}
