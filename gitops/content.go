package gitops

import (
	"fmt"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// What the server answers about a version, beyond its configuration.
var (
	agentMeta  = []string{"agent_id", "version", "is_published", "base_version", "version_title", "version_description", "last_modification_timestamp", "assigned_tags", "user_modified_timestamp"}
	engineMeta = []string{"llm_id", "conversation_flow_id", "version", "is_published", "last_modification_timestamp"}
)

// engineRef is the response engine an agent version pins.
type engineRef struct {
	kind    *agentry.Kind // RetellLLM or ConversationFlow; nil for any other engine
	id      string
	version *int64
}

// pinnedEngine reads an agent version's response_engine.
func pinnedEngine(agent object) engineRef {
	re, _ := agent["response_engine"].(object)
	k := agentry.KindNamed(str(re, "type"))
	if k == nil || !k.Engine {
		return engineRef{}
	}
	ref := engineRef{kind: k, id: str(re, k.IDField)}
	if n, ok := integer(re, "version"); ok {
		ref.version = &n
	}
	return ref
}

// configOnly keeps the configuration fields of a response: it drops the
// metadata the server adds, and fields the server's rules do not declare
// (a newer server's), naming those in the warnings.
func configOnly(kind *agentry.Kind, resp object, meta []string, where string) (object, []string) {
	rules := schema.Config(kind)
	out := object{}
	var warnings []string
	for _, k := range sortedKeys(resp) {
		switch {
		case contains(meta, k):
		case !rules.Has(k):
			warnings = append(warnings, fmt.Sprintf("%s: field %q is not known to this agentry and was left out", where, k))
		case resp[k] == nil:
			// null means unset: a file leaves unset fields out.
		default:
			out[k] = clone(resp[k])
		}
	}
	return out, warnings
}

// versionContent is the file form of an agent version and the engine
// version it pins (nil when it pins none, or it was not read): what a file
// holds, with references by file name (names maps an id to its file name).
func versionContent(kind *agentry.Kind, agent, engine object, names func(refKind, string) (string, bool), where string) (Content, []string) {
	c := Content{}
	var warnings []string
	c.Agent, warnings = configOnly(kind, agent, agentMeta, where)
	ref := pinnedEngine(agent)
	if ref.kind != nil && engine != nil {
		delete(c.Agent, "response_engine")
		var w []string
		c.EngineKind = ref.kind
		c.Engine, w = configOnly(ref.kind, engine, engineMeta, where)
		warnings = append(warnings, w...)
		c.Engine = mapRefs(c.Engine, "", func(k refKind, id, p string) (string, bool) {
			name, ok := names(k, id)
			if !ok {
				warnings = append(warnings, fmt.Sprintf("%s: %s.%s names %s %s, which is not on this server: kept as the id", where, engineSections[ref.kind], p, map[refKind]string{refKB: "knowledge base", refComponent: "shared component"}[k], id))
			}
			return name, ok
		}).(object)
	}
	return c, warnings
}

// sameConfig reports whether two contents hold the same configuration
// (tags aside).
func sameConfig(a, b Content) bool {
	return a.EngineKind == b.EngineKind && equalValues(a.Agent, b.Agent) && equalValues(nilToEmpty(a.Engine), nilToEmpty(b.Engine))
}

func nilToEmpty(m object) object {
	if m == nil {
		return object{}
	}
	return m
}

// document is the value of a content as its file shows it, for diffs.
func (c Content) document() object {
	d := object{sectionAgent: nilToEmpty(c.Agent)}
	if c.EngineKind != nil {
		d[engineSections[c.EngineKind]] = nilToEmpty(c.Engine)
	}
	return d
}
