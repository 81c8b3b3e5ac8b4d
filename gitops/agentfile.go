package gitops

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// The sections of an agent file.
const (
	sectionAgent      = "agent"
	sectionTags       = "tags"
	sectionUnassigned = "unassigned_tags"
)

// metadataFields are fields of an agent version that are not configuration:
// apply sets the title and description when it publishes.
var metadataFields = []string{"version_title", "version_description"}

// placeholderEngine stands for the engine kept in its own section while the
// agent section is checked against the server's rules.
func placeholderEngine(k *agentry.Kind) object {
	return object{"type": k.Name, k.IDField: k.IDPrefix + "in_this_file"}
}

// readAgentFile reads agents/NAME.yaml or agents/NAME@TAG.yaml (or the same
// in chat-agents/) and checks it on its own.
func readAgentFile(rel, base, folder string, m object, ls lines, fail func(*FileError)) *AgentFile {
	f := &AgentFile{Path: rel, Slug: base, Kind: agentry.VoiceAgent, lines: ls}
	if folder == folderChatAgents {
		f.Kind = agentry.ChatAgent
	}
	if i := strings.IndexByte(base, '@'); i >= 0 {
		f.Slug, f.Variant = base[:i], base[i+1:]
	}
	if !validSlug(f.Slug) {
		fail(&FileError{File: rel, Msg: "a file name is lowercase letters, digits and '-', with @TAG for the version a tag points at"})
		return nil
	}
	ok := true
	for _, k := range sortedKeys(m) {
		switch k {
		case sectionAgent, sectionTags, engineSections[agentry.RetellLLM], engineSections[agentry.ConversationFlow]:
		case sectionUnassigned:
			if f.Variant != "" {
				fail(fieldError(rel, ls, k, "only the agent's main file ("+f.Slug+".yaml) lists unassigned tags"))
				ok = false
			}
		default:
			fail(fieldError(rel, ls, k, fmt.Sprintf("unknown section: an agent file has %s, one of %s or %s, %s and %s",
				sectionAgent, engineSections[agentry.RetellLLM], engineSections[agentry.ConversationFlow], sectionTags, sectionUnassigned)))
			ok = false
		}
	}
	agent, isObject := m[sectionAgent].(object)
	if !isObject {
		fail(fieldError(rel, ls, sectionAgent, "is required: a map of the agent's fields, as create-agent takes them"))
		return nil
	}
	f.Agent = agent
	for kind, section := range engineSections {
		v, present := m[section]
		if !present {
			continue
		}
		e, isObject := v.(object)
		if !isObject {
			fail(fieldError(rel, ls, section, "must be a map of the engine's fields"))
			return nil
		}
		if f.EngineKind != nil {
			fail(fieldError(rel, ls, section, "an agent has one response engine: keep either retell_llm or conversation_flow"))
			return nil
		}
		f.EngineKind, f.Engine = kind, e
	}
	for _, mf := range metadataFields {
		if _, set := agent[mf]; set {
			fail(fieldError(rel, ls, sectionAgent+"."+mf, "is version metadata, not configuration: apply --publish sets it (--title, --description, or the git commit)"))
			ok = false
		}
	}
	if !checkAgentConfig(f, fail) {
		ok = false
	}
	// A top-level null is an unset field, as the server answers it: left
	// out, so that it compares equal to the server's configuration.
	f.Agent, f.Engine = withoutNulls(f.Agent), withoutNulls(f.Engine)
	var err *FileError
	if f.Tags, err = readTags(rel, ls, m, sectionTags); err != nil {
		fail(err)
		ok = false
	}
	if f.Unassigned, err = readTags(rel, ls, m, sectionUnassigned); err != nil {
		fail(err)
		ok = false
	}
	if f.Variant != "" {
		if _, named := f.Tags[f.Variant]; !named {
			fail(fieldError(rel, ls, sectionTags, fmt.Sprintf("a file NAME@%s.yaml is the version tag %q points at: list %q under tags", f.Variant, f.Variant, f.Variant)))
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return f
}

// checkAgentConfig checks the agent and engine sections against the
// server's field rules, as create-agent and create-retell-llm (or
// create-conversation-flow) would.
func checkAgentConfig(f *AgentFile, fail func(*FileError)) bool {
	agent := cloneObject(f.Agent)
	for _, mf := range metadataFields {
		delete(agent, mf)
	}
	if f.EngineKind != nil {
		if _, set := agent["response_engine"]; set {
			fail(fieldError(f.Path, f.lines, sectionAgent+".response_engine", fmt.Sprintf("leave it out: the engine is the %s section of this file", engineSections[f.EngineKind])))
			return false
		}
		agent["response_engine"] = placeholderEngine(f.EngineKind)
	} else if re, ok := agent["response_engine"].(object); ok {
		if k := agentry.KindNamed(str(re, "type")); k != nil && k.Engine {
			fail(fieldError(f.Path, f.lines, sectionAgent+".response_engine", fmt.Sprintf("write the %s itself in a %s section of this file, not its id", k.Noun, engineSections[k])))
			return false
		}
	}
	ok := true
	if err := checkConfig(f.Kind, agent, false); err != nil {
		fail(schemaError(f.Path, f.lines, sectionAgent, err))
		ok = false
	}
	if f.EngineKind != nil {
		if err := checkConfig(f.EngineKind, f.Engine, false); err != nil {
			fail(schemaError(f.Path, f.lines, engineSections[f.EngineKind], err))
			ok = false
		}
	}
	return ok
}

// checkObject applies the server's rules for a request body to fields.
func checkObject(o *schema.Object, fields object, mode schema.Mode) error {
	raw, err := schema.DecodeObject(encodeJSON(fields))
	if err != nil {
		return err
	}
	return o.Validate(raw, mode)
}

// checkConfig applies the server's rules for a kind's configuration (a
// whole one, or a patch) to cfg: the same code the server runs.
func checkConfig(kind *agentry.Kind, cfg object, patch bool) error {
	fields, err := schema.DecodeObject(encodeJSON(cfg))
	if err != nil {
		return err
	}
	// Strict: a field the server would ignore is a typo in a file.
	rules := schema.Rules{Strict: true}
	checked, _, err := rules.CheckFields(kind, agentry.Fields(fields), patch)
	if err != nil {
		return err
	}
	return rules.CheckConfig(kind, checked)
}

// schemaError turns a message of the server's rules ("path: rule", or
// "unknown field \"x\"") into an error at the field's line in the file.
func schemaError(file string, ls lines, section string, err error) *FileError {
	msg := err.Error()
	if ae, ok := err.(*agentry.Error); ok {
		msg = ae.Message
	}
	field, rest := section, msg
	if i := strings.Index(msg, ": "); i > 0 && !strings.ContainsAny(msg[:i], " \"") {
		field, rest = joinPath(section, msg[:i]), msg[i+2:]
	}
	at := field
	if strings.HasPrefix(rest, "unknown field") {
		if q := strings.Split(rest, `"`); len(q) >= 2 {
			at = joinPath(field, q[1])
		}
	}
	return &FileError{File: file, Line: ls.lineOf(at), Field: field, Msg: rest}
}

// readTags reads a map of tag name to {dynamic_variables, published_only}.
func readTags(file string, ls lines, m object, section string) (map[string]Tag, *FileError) {
	v, present := m[section]
	if !present || v == nil {
		return nil, nil
	}
	tm, ok := v.(object)
	if !ok {
		return nil, fieldError(file, ls, section, "must be a map from tag name to its settings ({} for none)")
	}
	tags := map[string]Tag{}
	for _, name := range sortedKeys(tm) {
		p := section + "." + name
		if ref, err := agentry.ParseVersionRef(name); err != nil || ref.Form != agentry.RefTag {
			return nil, fieldError(file, ls, p, "is not a tag name: [a-z][a-z0-9_-]{0,19}, other than latest, latest_published and v<digits>")
		}
		settings, isMap := tm[name].(object)
		if tm[name] != nil && !isMap {
			return nil, fieldError(file, ls, p, "must be a map ({} for no settings)")
		}
		for _, k := range sortedKeys(settings) {
			if k != "dynamic_variables" && k != "published_only" {
				return nil, fieldError(file, ls, p+"."+k, "unknown field: a tag has dynamic_variables and published_only")
			}
		}
		// The settings are what PUT /agentry/v1/agents/{agent_id}/tags/{tag}
		// takes: the server's rules for that body check them.
		body := object{"version": nil}
		for k, v := range settings {
			if v != nil {
				body[k] = v
			}
		}
		if err := checkObject(schema.PutTag, body, schema.Create); err != nil {
			return nil, schemaError(file, ls, p, err)
		}
		t := Tag{}
		t.PublishedOnly, _ = body["published_only"].(bool)
		if vars, ok := body["dynamic_variables"].(object); ok {
			t.Vars = map[string]string{}
			for k, v := range vars {
				t.Vars[k], _ = v.(string)
			}
		}
		tags[name] = t
	}
	return tags, nil
}

// checkAgents checks the rules across the files of each agent: a variant
// has its agent's main file, and a tag is in one file of an agent only.
func (d *Dir) checkAgents(fail func(*FileError)) {
	heads := map[string]*AgentFile{}
	for _, f := range d.Agents {
		if f.Variant == "" {
			heads[f.head()] = f
		}
	}
	seen := map[string]string{} // head + tag → file
	for _, f := range d.Agents {
		if f.Variant != "" && heads[f.head()] == nil {
			fail(&FileError{File: f.Path, Msg: fmt.Sprintf("a tag's version needs its agent's main file %s", f.head())})
		}
		names := append(sortedKeys(f.Tags), sortedKeys(f.Unassigned)...)
		sort.Strings(names)
		for _, t := range names {
			key := f.head() + "#" + t
			if other, dup := seen[key]; dup {
				fail(fieldError(f.Path, f.lines, sectionTags+"."+t, "tag "+t+" is also in "+other+": a tag points at one version"))
				continue
			}
			seen[key] = f.Path
		}
	}
}

// variantsOf returns the files of the agent whose main file is head, the
// variants first (by path), then the main file.
func (d *Dir) filesOf(head string) []*AgentFile {
	var variants []*AgentFile
	var main *AgentFile
	for _, f := range d.Agents {
		if f.head() != head {
			continue
		}
		if f.Variant == "" {
			main = f
		} else {
			variants = append(variants, f)
		}
	}
	if main != nil {
		variants = append(variants, main)
	}
	return variants
}

// heads returns the main file of every agent, by path.
func (d *Dir) heads() []*AgentFile {
	var hs []*AgentFile
	for _, f := range d.Agents {
		if f.Variant == "" {
			hs = append(hs, f)
		}
	}
	return hs
}

// withoutNulls returns m less its fields set to null.
func withoutNulls(m object) object {
	if m == nil {
		return nil
	}
	out := make(object, len(m))
	for k, v := range m {
		if v != nil {
			out[k] = v
		}
	}
	return out
}
