package schema

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/agentry/agentry/internal/reference"
)

// shape is what the drift test compares: a schema reduced to its kind, enum
// set, nullability, required set and children, whichever side it came from.
type shape struct {
	kind     string // string, integer, number, boolean, array, object, tagged, union, any
	enum     []string
	nullable bool
	closed   bool // an object that refuses undeclared fields (additionalProperties: false)
	required []string
	props    map[string]*shape
	items    *shape
	variants map[string]*shape // tagged: by discriminator value
	options  []*shape          // union
	bounds   map[string]string // minimum, maximum, exclusiveMinimum, minLength, maxLength, pattern, minItems, maxItems, uniqueItems
}

func setBound(b map[string]string, key string, ok bool, value any) {
	if ok {
		b[key] = fmt.Sprint(value)
	}
}

// ourShape reduces one of our schemas.
func ourShape(s *rule) *shape {
	sh := &shape{kind: s.typeName(), nullable: s.nullable, enum: sorted(s.enum), bounds: map[string]string{}}
	b := sh.bounds
	setBound(b, "minimum", s.min != nil, formatNumber(deref(s.min)))
	setBound(b, "maximum", s.max != nil, formatNumber(deref(s.max)))
	setBound(b, "exclusiveMinimum", s.exclMin, true)
	setBound(b, "minLength", s.minLen > 0, s.minLen)
	setBound(b, "maxLength", s.maxLen > 0, s.maxLen)
	setBound(b, "pattern", s.pattern != nil, s.pattern)
	setBound(b, "minItems", s.minItems > 0, s.minItems)
	setBound(b, "maxItems", s.maxItems > 0, s.maxItems)
	setBound(b, "uniqueItems", s.unique, true)
	switch s.kind {
	case kArray:
		sh.items = ourShape(s.items)
	case kObject:
		if s.obj.extra != nil && s.obj.extra.kind == kAny {
			// Kept as sent beyond a few checked fields (see README.md).
			sh.kind = "kept"
			return sh
		}
		sh.props, sh.required = map[string]*shape{}, sorted(s.obj.requiredList())
		sh.closed = s.obj.closed
		for k, v := range s.obj.props {
			sh.props[k] = ourShape(v)
		}
	case kTagged:
		sh.kind, sh.variants = "tagged", map[string]*shape{}
		for _, v := range s.variants {
			sh.variants[s.tagValue(v)] = ourShape(ref(v))
		}
	case kUnion:
		sh.kind = "union"
		for _, o := range s.options {
			sh.options = append(sh.options, ourShape(o))
		}
	case kAny:
		sh.kind = "any"
	}
	return sh
}

// refShape reduces a schema of the reference document, resolving allOf and
// flattening nested oneOf.
func refShape(s *openapi3.Schema) *shape {
	sh := &shape{nullable: s.Nullable, props: map[string]*shape{}, bounds: map[string]string{}}
	b := sh.bounds
	setBound(b, "minimum", s.Min != nil, formatNumber(deref(s.Min)))
	setBound(b, "maximum", s.Max != nil, formatNumber(deref(s.Max)))
	setBound(b, "exclusiveMinimum", s.ExclusiveMin.IsTrue(), true)
	setBound(b, "minLength", s.MinLength > 0, s.MinLength)
	setBound(b, "maxLength", s.MaxLength != nil, derefU(s.MaxLength))
	setBound(b, "pattern", s.Pattern != "", s.Pattern)
	setBound(b, "minItems", s.MinItems > 0, s.MinItems)
	setBound(b, "maxItems", s.MaxItems != nil, derefU(s.MaxItems))
	setBound(b, "uniqueItems", s.UniqueItems, true)
	if s.Type != nil && len(s.Type.Slice()) > 0 {
		sh.kind = s.Type.Slice()[0]
	}
	for _, e := range s.Enum {
		if e != nil {
			sh.enum = append(sh.enum, fmt.Sprint(e))
		}
	}
	sort.Strings(sh.enum)
	sh.required = sorted(s.Required)
	sh.closed = s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has
	for k, p := range s.Properties {
		sh.props[k] = refShape(p.Value)
	}
	if s.Items != nil {
		sh.items = refShape(s.Items.Value)
	}
	if len(s.OneOf) > 0 {
		var opts []*shape
		for _, o := range s.OneOf {
			o := refShape(o.Value)
			if o.kind == "union" {
				opts = append(opts, o.options...)
			} else if o.kind == "tagged" {
				for _, v := range o.variants {
					opts = append(opts, v)
				}
			} else {
				opts = append(opts, o)
			}
		}
		sh.kind, sh.options = "union", opts
		for _, tag := range []string{"type", "mode"} {
			if v := discriminate(opts, tag); v != nil {
				sh.kind, sh.variants, sh.options = "tagged", v, nil
				break
			}
		}
	}
	for _, part := range s.AllOf {
		sh = merge(sh, refShape(part.Value))
	}
	if sh.kind == "" && len(sh.props) > 0 {
		sh.kind = "object"
	}
	return sh
}

// discriminate keys options by their one-value property tag, or returns nil.
func discriminate(options []*shape, tag string) map[string]*shape {
	out := map[string]*shape{}
	for _, o := range options {
		t := o.props[tag]
		if o.kind != "object" || t == nil || len(t.enum) != 1 {
			return nil
		}
		out[t.enum[0]] = o
	}
	return out
}

// merge combines the parts of an allOf; a later enum narrows an earlier one.
func merge(a, b *shape) *shape {
	if a.kind == "tagged" || b.kind == "tagged" {
		tagged, other := a, b
		if b.kind == "tagged" {
			tagged, other = b, a
		}
		for k, v := range tagged.variants {
			tagged.variants[k] = merge(v, other)
		}
		tagged.nullable = tagged.nullable || other.nullable
		return tagged
	}
	out := *a
	if out.kind == "" {
		out.kind = b.kind
	}
	if len(b.enum) > 0 {
		out.enum = b.enum
	}
	out.bounds = map[string]string{}
	for _, m := range []map[string]string{a.bounds, b.bounds} {
		for k, v := range m {
			out.bounds[k] = v
		}
	}
	out.nullable = a.nullable || b.nullable
	out.closed = a.closed || b.closed
	out.required = sorted(append(slices.Clone(a.required), b.required...))
	out.props = map[string]*shape{}
	for k, v := range a.props {
		out.props[k] = v
	}
	for k, v := range b.props {
		if old := out.props[k]; old != nil {
			v = merge(old, v)
		}
		out.props[k] = v
	}
	if out.items == nil {
		out.items = b.items
	}
	if out.variants == nil {
		out.variants = b.variants
	}
	if out.options == nil {
		out.options = b.options
	}
	return &out
}

func sorted(list []string) []string {
	out := slices.Clone(list)
	sort.Strings(out)
	return slices.Compact(out)
}

// compare lists the differences between ours and theirs under path.
func compare(path string, ours, theirs *shape) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, path+": "+fmt.Sprintf(format, args...)) }
	// What we keep as sent we do not describe; the reference's rules for it
	// are not ours to compare.
	if ours.kind == "kept" {
		return nil
	}
	// A free-form object of the reference is an open map or "any" of ours.
	if theirs.kind == "object" && len(theirs.props) == 0 && (ours.kind == "any" || ours.kind == "object" && len(ours.props) == 0) {
		return nil
	}
	if ours.kind != theirs.kind {
		add("kind %s, reference %s", ours.kind, theirs.kind)
		return diffs
	}
	if !slices.Equal(ours.enum, theirs.enum) {
		add("enum %v, reference %v", ours.enum, theirs.enum)
	}
	if ours.nullable != theirs.nullable {
		add("nullable %v, reference %v", ours.nullable, theirs.nullable)
	}
	for _, k := range sorted(append(boundKeys(ours.bounds), boundKeys(theirs.bounds)...)) {
		o, t := ours.bounds[k], theirs.bounds[k]
		switch {
		case t == "" && proseRules[path+" "+k+"="+o]:
			proseSeen[path+" "+k+"="+o] = true // a rule the reference states in prose
		case o != t:
			add("%s %q, reference %q", k, o, t)
		}
	}
	switch ours.kind {
	case "array":
		diffs = append(diffs, compare(path+"[]", ours.items, theirs.items)...)
	case "object":
		if ours.closed != theirs.closed {
			add("closed %v, reference %v", ours.closed, theirs.closed)
		}
		if !slices.Equal(ours.required, theirs.required) {
			add("required %v, reference %v", ours.required, theirs.required)
		}
		diffs = append(diffs, compareKeys(path, ours.props, theirs.props, ".")...)
	case "tagged":
		diffs = append(diffs, compareKeys(path, ours.variants, theirs.variants, "=")...)
	case "union":
		if len(ours.options) != len(theirs.options) {
			add("%d options, reference %d", len(ours.options), len(theirs.options))
			break
		}
		for i := range ours.options {
			diffs = append(diffs, compare(fmt.Sprintf("%s|%d", path, i), ours.options[i], theirs.options[i])...)
		}
	}
	return diffs
}

func compareKeys(path string, ours, theirs map[string]*shape, sep string) []string {
	var diffs []string
	keys := map[string]bool{}
	for k := range ours {
		keys[k] = true
	}
	for k := range theirs {
		keys[k] = true
	}
	for _, k := range sorted(mapKeys(keys)) {
		p := path + sep + k
		switch {
		case theirs[k] == nil:
			diffs = append(diffs, p+": not in the reference")
		case ours[k] == nil:
			diffs = append(diffs, p+": missing here")
		default:
			diffs = append(diffs, compare(p, ours[k], theirs[k])...)
		}
	}
	return diffs
}

func boundKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

func derefU(u *uint64) uint64 {
	if u == nil {
		return 0
	}
	return *u
}

// proseRules are the bounds the reference states only in prose; README.md
// lists each with its source and the decision.
var proseRules = map[string]bool{
	"AgentRequest.voice_temperature minimum=0":                                    true,
	"AgentRequest.voice_temperature maximum=2":                                    true,
	"AgentRequest.volume minimum=0":                                               true,
	"AgentRequest.volume maximum=2":                                               true,
	"AgentRequest.ambient_sound_volume minimum=0":                                 true,
	"AgentRequest.ambient_sound_volume maximum=2":                                 true,
	"AgentRequest.backchannel_frequency minimum=0":                                true,
	"AgentRequest.backchannel_frequency maximum=1":                                true,
	"AgentRequest.reminder_trigger_ms minimum=0":                                  true,
	"AgentRequest.reminder_trigger_ms exclusiveMinimum=true":                      true,
	"AgentRequest.reminder_max_count minimum=0":                                   true,
	"AgentRequest.begin_message_delay_ms minimum=0":                               true,
	"AgentRequest.begin_message_delay_ms maximum=5000":                            true,
	"AgentRequest.end_call_after_silence_ms minimum=10000":                        true,
	"AgentRequest.max_call_duration_ms minimum=60000":                             true,
	"AgentRequest.max_call_duration_ms maximum=7200000":                           true,
	"AgentRequest.user_dtmf_options.termination_key pattern=^[0-9#*]$":            true,
	"AgentRequest.post_call_analysis_data[]=enum.choices minItems=1":              true,
	"AgentRequest.pre_session_tools[]=custom.name pattern=^[a-zA-Z0-9_-]{1,64}$":  true,
	"AgentRequest.pre_session_tools[]=code.name pattern=^[a-zA-Z0-9_-]{1,64}$":    true,
	"AgentRequest.post_session_tools[]=custom.name pattern=^[a-zA-Z0-9_-]{1,64}$": true,
	"AgentRequest.post_session_tools[]=code.name pattern=^[a-zA-Z0-9_-]{1,64}$":   true,

	"RetellLlmRequest.model_temperature minimum=0":                                    true,
	"RetellLlmRequest.model_temperature maximum=1":                                    true,
	"RetellLlmRequest.states[].name pattern=^[a-zA-Z0-9_-]{1,64}$":                    true,
	"ChatAgentRequest.end_chat_after_silence_ms minimum=120000":                       true,
	"ChatAgentRequest.end_chat_after_silence_ms maximum=259200000":                    true,
	"ChatAgentRequest.post_chat_analysis_data[]=enum.choices minItems=1":              true,
	"ChatAgentRequest.pre_session_tools[]=custom.name pattern=^[a-zA-Z0-9_-]{1,64}$":  true,
	"ChatAgentRequest.pre_session_tools[]=code.name pattern=^[a-zA-Z0-9_-]{1,64}$":    true,
	"ChatAgentRequest.post_session_tools[]=custom.name pattern=^[a-zA-Z0-9_-]{1,64}$": true,
	"ChatAgentRequest.post_session_tools[]=code.name pattern=^[a-zA-Z0-9_-]{1,64}$":   true,

	// Knowledge bases and voices (objects_reference_test.go).
	"KnowledgeBaseRequest.knowledge_base_name maxLength=39":           true, // "Must be less than 40 characters."
	"KnowledgeBaseRequest.knowledge_base_files maxItems=25":           true, // "Limit to 25 files"
	"KnowledgeBaseAddSourcesRequest.knowledge_base_files maxItems=25": true,
	"CloneVoiceRequest.files maxItems=25":                             true, // "Up to 25 files allowed."
}

// proseSeen records which prose rules the drift test met.
var proseSeen = map[string]bool{}

func mapKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// deliberate lists the differences from the reference that README.md explains.
var deliberate = map[string]bool{
	"AgentRequest.response_engine=retell-llm.version: kind integer, reference number":        true,
	"AgentRequest.response_engine=conversation-flow.version: kind integer, reference number": true,
	// A variant without a required discriminator cannot be told apart from its siblings.
	"AgentRequest.post_session_tools[]=send_sms.sms_content=inferred: required [type], reference []":   true,
	"AgentRequest.post_session_tools[]=send_sms.sms_content=predefined: required [type], reference []": true,

	"ChatAgentRequest.response_engine=retell-llm.version: kind integer, reference number":                  true,
	"ChatAgentRequest.response_engine=conversation-flow.version: kind integer, reference number":           true,
	"ChatAgentRequest.post_session_tools[]=send_sms.sms_content=inferred: required [type], reference []":   true,
	"ChatAgentRequest.post_session_tools[]=send_sms.sms_content=predefined: required [type], reference []": true,
	// The reference writes nullable beside a $ref, where OpenAPI 3.0 ignores
	// it; its prose and the SDK (KBConfig | null) say null is meant.
	"RetellLlmRequest.kb_config: nullable true, reference false": true,
}

func loadReference(t *testing.T) *openapi3.T {
	t.Helper()
	return reference.Spec(t)
}

// TestVoiceAgentMatchesReference catches drift between our field rules and
// Retell's AgentRequest: names, kinds, enums, nullability and required sets,
// at every depth.
func TestVoiceAgentMatchesReference(t *testing.T) {
	doc := loadReference(t)
	theirs := refShape(doc.Components.Schemas["AgentRequest"].Value)
	ours := ourShape(ref(VoiceAgent))
	ours.required = nil // create-agent adds these; the component itself requires nothing
	var unexpected []string
	seen := map[string]bool{}
	for _, d := range compare("AgentRequest", ours, theirs) {
		seen[d] = true
		if !deliberate[d] {
			unexpected = append(unexpected, d)
		}
	}
	if len(unexpected) > 0 {
		t.Errorf("VoiceAgent differs from the reference AgentRequest:\n%s", strings.Join(unexpected, "\n"))
	}
	for d := range deliberate {
		if strings.HasPrefix(d, "AgentRequest.") && !seen[d] {
			t.Errorf("listed deviation no longer occurs (remove it): %s", d)
		}
	}
	for r := range proseRules {
		if strings.HasPrefix(r, "AgentRequest.") && !proseSeen[r] {
			t.Errorf("listed prose rule is not applied or the reference now states it (update the list): %s", r)
		}
	}
}

func TestVersionRequestsMatchReference(t *testing.T) {
	doc := loadReference(t)
	for _, tt := range []struct {
		ours *Object
		name string
	}{
		{CreateAgentVersion, "CreateAgentVersionRequest"},
		{PublishAgentVersion, "PublishAgentVersionRequest"},
		{AgentVersionSummary, "AgentVersionSummary"},
		{AgentListItem, "AgentListItemResponse"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			theirs := refShape(doc.Components.Schemas[tt.name].Value)
			if diffs := compare(tt.name, ourShape(ref(tt.ours)), theirs); len(diffs) > 0 {
				t.Errorf("differs from the reference:\n%s", strings.Join(diffs, "\n"))
			}
		})
	}
}

// TestEngineAndChatAgentMatchReference extends the drift test to the
// configurations of Retell LLMs, conversation flows and chat agents, at
// every depth that we check (nested objects kept as sent are skipped).
func TestEngineAndChatAgentMatchReference(t *testing.T) {
	doc := loadReference(t)
	for _, tt := range []struct {
		ours     *Object
		name     string
		required []string // what the create request adds to the component
	}{
		{RetellLLM, "RetellLlmRequest", nil},
		{ConversationFlow, "ConversationFlow", []string{"model_choice", "nodes", "start_speaker"}},
		{ChatAgent, "ChatAgentRequest", []string{"response_engine"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			theirs := refShape(doc.Components.Schemas[tt.name].Value)
			ours := ourShape(ref(tt.ours))
			if !slices.Equal(ours.required, sorted(tt.required)) {
				t.Errorf("create requires %v, want %v", ours.required, tt.required)
			}
			ours.required = nil
			var unexpected []string
			seen := map[string]bool{}
			for _, d := range compare(tt.name, ours, theirs) {
				seen[d] = true
				if !deliberate[d] {
					unexpected = append(unexpected, d)
				}
			}
			if len(unexpected) > 0 {
				t.Errorf("differs from the reference %s:\n%s", tt.name, strings.Join(unexpected, "\n"))
			}
			for d := range deliberate {
				if strings.HasPrefix(d, tt.name+".") && !seen[d] {
					t.Errorf("listed deviation no longer occurs (remove it): %s", d)
				}
			}
			for r := range proseRules {
				if strings.HasPrefix(r, tt.name+".") && !proseSeen[r] {
					t.Errorf("listed prose rule is not applied or the reference now states it (update the list): %s", r)
				}
			}
		})
	}
	// What create-conversation-flow requires is stated in its own component.
	create := refShape(doc.Components.Schemas["CreateConversationFlowRequest"].Value)
	if got := ourShape(ref(ConversationFlow)).required; !slices.Equal(got, create.required) {
		t.Errorf("ConversationFlow requires %v on create, reference CreateConversationFlowRequest %v", got, create.required)
	}
}
