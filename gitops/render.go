package gitops

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agentry/agentry"
)

// render writes the file of one agent version: its sections in a fixed
// order under a comment that says what the file is.
func renderAgent(kind *agentry.Kind, variant string, c Content) ([]byte, error) {
	name := str(c.Agent, "agent_name")
	comment := fmt.Sprintf("%s %q: its latest version.", upperFirst(kindNoun(kind)), name)
	if variant != "" {
		tags := sortedKeys(c.Tags)
		comment = fmt.Sprintf("%s %q: the version that tag %s points at.", upperFirst(kindNoun(kind)), name, strings.Join(tags, ", "))
	}
	comment += "\nEdit it, then run agentry plan and agentry apply (docs/CONFIG-AS-CODE.md)."
	doc := []field{{sectionAgent, nilToEmpty(c.Agent)}}
	if c.EngineKind != nil {
		doc = append(doc, field{engineSections[c.EngineKind], nilToEmpty(c.Engine)})
	}
	if len(c.Tags) > 0 {
		doc = append(doc, field{sectionTags, tagsValue(c.Tags)})
	}
	if len(c.Unassigned) > 0 {
		doc = append(doc, field{sectionUnassigned, tagsValue(c.Unassigned)})
	}
	return encodeYAML(comment, doc)
}

func tagsValue(tags map[string]Tag) object {
	m := object{}
	for name, t := range tags {
		v := object{}
		if len(t.Vars) > 0 {
			v["dynamic_variables"] = varsObject(t.Vars)
		}
		if t.PublishedOnly {
			v["published_only"] = true
		}
		m[name] = v
	}
	return m
}

// renderFlat writes the file of a component, knowledge base or phone
// number: its fields, the one that names it first.
func renderFlat(comment string, first string, fields object) ([]byte, error) {
	doc := []field{}
	if v, ok := fields[first]; ok {
		doc = append(doc, field{first, v})
	}
	keys := sortedKeys(fields)
	sort.Strings(keys)
	for _, k := range keys {
		if k != first {
			doc = append(doc, field{k, fields[k]})
		}
	}
	return encodeYAML(comment+"\nEdit it, then run agentry plan and agentry apply (docs/CONFIG-AS-CODE.md).", doc)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
