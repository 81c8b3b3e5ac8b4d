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

// A file means what the server stores when an agent is created with it
// (schema.AsCreated): a default of creation it leaves out (an agent's
// contact_memory_config) and a value the server stores in another form
// (language "multi", stored as its ten locales) are no difference. That is
// decided where a file meets a version, field by field (meant), and not
// once when files are read: pull writes a version as the server holds it,
// and a version stored without the default (made by an agentry from before
// the default, or by a server without it) is pulled without it. Its file
// must still hold it, and a file normalised when read never would: every
// plan would make a new version, and for a tag's file, whose version is
// often an old published one, move the tag. So a field holds when the file
// as written has it as the version does, or the file as created does.

// sameConfig reports whether version content have holds file content f
// (tags aside), as the server stores f: see stored.
func sameConfig(kind *agentry.Kind, have, f Content) bool {
	return equalContent(have, stored(kind, have, f))
}

// created is file content f as a create of it stores it.
func created(kind *agentry.Kind, f Content) Content {
	out := f
	out.Agent = asCreated(kind, f.Agent)
	if f.EngineKind != nil {
		out.Engine = asCreated(f.EngineKind, f.Engine)
	}
	return out
}

// equalContent reports whether two contents hold the same configuration
// (tags aside), value for value.
func equalContent(a, b Content) bool {
	return a.EngineKind == b.EngineKind && equalValues(a.Agent, b.Agent) && equalValues(nilToEmpty(a.Engine), nilToEmpty(b.Engine))
}

// stored is file content f as a version holding have holds it once it holds
// f: what plan shows as the change, and what apply writes. See meant.
func stored(kind *agentry.Kind, have, f Content) Content {
	out := f
	out.Agent = meant(kind, have.Agent, f.Agent)
	if f.EngineKind != nil && have.EngineKind == f.EngineKind {
		out.Engine = meant(f.EngineKind, have.Engine, f.Engine)
	}
	return out
}

// meant is the top-level fields want of a file of kind as an object that
// holds cur holds them once it holds the file: each field as cur has it
// when the file as written has it the same (both leaving it out counts),
// else as a create of want stores it (a default the file leaves out is
// set; a value is in its stored form). A field neither has is left out;
// one only cur has is left out too, for a patch to clear. meant of its own
// result is that result, so it may be applied twice.
func meant(kind *agentry.Kind, cur, want object) object {
	asNew := asCreated(kind, want)
	out := make(object, len(asNew))
	for k, v := range asNew {
		w, inWant := want[k]
		c, inCur := cur[k]
		switch {
		case inWant && inCur && equalValues(w, c):
			out[k] = c // the file as written holds it
		case !inWant && !inCur:
			// A default left out of both: a version stored without it.
		default:
			out[k] = v
		}
	}
	return out
}

// asCreated is want as the server stores it when an object of kind is
// created with it (schema.AsCreated), with numbers kept as written.
func asCreated(kind *agentry.Kind, want object) object {
	if kind == nil {
		return want
	}
	raw, err := schema.DecodeObject(encodeJSON(want))
	if err != nil {
		return want
	}
	out, err := decodeObject(encodeJSON(schema.AsCreated(kind, agentry.Fields(raw))))
	if err != nil {
		return want
	}
	return out
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
