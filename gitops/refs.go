package gitops

import (
	"fmt"
)

// Engines and components refer to knowledge bases (knowledge_base_ids, at
// any depth) and flows to shared components (a node with component_type
// "shared" names one in component_id). Files write those references as the
// file names of the objects (knowledge-bases/NAME.yaml, components/NAME.yaml)
// so that one directory applies to any server; a server's ids are in the
// state.

// refKind is what a reference names.
type refKind int

const (
	refKB refKind = iota
	refComponent
)

func (k refKind) folder() string {
	if k == refKB {
		return folderKBs
	}
	return folderComponents
}

// mapRefs returns a copy of v with every reference replaced by what fn
// answers for it; fn is given the reference's kind, its value and its path.
// When fn answers false the value is kept.
func mapRefs(v any, p string, fn func(k refKind, value, path string) (string, bool)) any {
	switch x := v.(type) {
	case object:
		m := make(object, len(x))
		shared := str(x, "component_type") == "shared"
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
			case k == "component_id" && shared:
				if s, ok := w.(string); ok {
					if r, ok := fn(refComponent, s, kp); ok {
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

// checkReferences checks that every reference in engines and components
// names a file of the directory.
func (d *Dir) checkReferences(fail func(*FileError)) {
	have := map[refKind]map[string]bool{refKB: {}, refComponent: {}}
	for _, f := range d.KBs {
		have[refKB][f.Slug] = true
	}
	for _, f := range d.Components {
		have[refComponent][f.Slug] = true
	}
	check := func(file string, ls lines, section string, v any) {
		mapRefs(v, section, func(k refKind, value, p string) (string, bool) {
			if !have[k][value] {
				fail(fieldError(file, ls, p, fmt.Sprintf("no file %s/%s.yaml: name the %s by its file", k.folder(), value, map[refKind]string{refKB: "knowledge base", refComponent: "shared component"}[k])))
			}
			return "", false
		})
	}
	for _, f := range d.Agents {
		if f.EngineKind != nil {
			check(f.Path, f.lines, engineSections[f.EngineKind], f.Engine)
		}
	}
	for _, f := range d.Components {
		check(f.Path, f.lines, "", f.Fields)
	}
}
