package schema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentry/agentry"
)

// The rules the reference states only in prose, as Rules applies them: what
// a write stores (CheckFields) and what a whole configuration must hold
// (CheckConfig). docs/PROSE-RULES.md lists each with this test.

// write checks body as a create or a patch of kind and, when it passes, the
// configuration stored merges it over stored.
func write(t *testing.T, kind *agentry.Kind, stored, body string, patch bool) (agentry.Fields, error) {
	t.Helper()
	apply, _, err := Rules{}.CheckFields(kind, agentry.Fields(mustDecode(t, body)), patch)
	if err != nil {
		return nil, err
	}
	config := agentry.Fields(mustDecode(t, stored))
	for k, v := range apply {
		config[k] = v
	}
	return config, Rules{}.CheckConfig(kind, config)
}

func compactField(t *testing.T, f agentry.Fields, k string) string {
	t.Helper()
	s, err := compact(f[k])
	if err != nil {
		t.Fatalf("%s: %v", k, err)
	}
	return s
}

const (
	voiceBase = `{"voice_id":"v","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"}`
	chatBase  = `{"response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"}`
)

func TestMultiIsStoredAsItsTenLocales(t *testing.T) {
	const ten = `["en-US","es-ES","fr-FR","de-DE","hi-IN","ru-RU","pt-PT","ja-JP","it-IT","nl-NL"]`
	for _, c := range []struct {
		kind  *agentry.Kind
		body  string
		patch bool
	}{
		{agentry.VoiceAgent, voiceBase + `,"language":"multi"}`, false},
		{agentry.VoiceAgent, `{"language":"multi"}`, true},
		{agentry.ChatAgent, chatBase + `,"language":"multi"}`, false},
		{agentry.ChatAgent, `{"language":"multi"}`, true},
	} {
		got, err := write(t, c.kind, `{}`, c.body, c.patch)
		if err != nil {
			t.Fatalf("%s %s: %v", c.kind, c.body, err)
		}
		if l := compactField(t, got, "language"); l != ten {
			t.Errorf("%s %s: language %s, want %s", c.kind, c.body, l, ten)
		}
	}
	// Other languages are stored as sent; "multi" stays refused in the array.
	got, _ := write(t, agentry.VoiceAgent, `{}`, `{"language":"es-419"}`, true)
	if l := compactField(t, got, "language"); l != `"es-419"` {
		t.Errorf("language %s", l)
	}
	if _, err := write(t, agentry.VoiceAgent, `{}`, `{"language":["en-US","multi"]}`, true); err == nil || !strings.HasPrefix(err.Error(), "language[1]: must be one of") {
		t.Errorf("multi in the array: %v", err)
	}
}

func TestCreatingAnAgentDefaultsContactMemory(t *testing.T) {
	for _, c := range []struct {
		kind       *agentry.Kind
		body, want string
	}{
		{agentry.VoiceAgent, voiceBase + `}`, `{"enable_read":true,"enable_update":false}`},
		{agentry.ChatAgent, chatBase + `}`, `{"enable_read":true,"enable_update":false}`},
		{agentry.VoiceAgent, voiceBase + `,"contact_memory_config":{"enable_read":false}}`, `{"enable_read":false,"enable_update":false}`},
		{agentry.VoiceAgent, voiceBase + `,"contact_memory_config":{"enable_update":true}}`, `{"enable_read":true,"enable_update":true}`},
	} {
		got, err := write(t, c.kind, `{}`, c.body, false)
		if err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		if cm := compactField(t, got, "contact_memory_config"); cm != c.want {
			t.Errorf("%s %s: contact_memory_config %s, want %s", c.kind, c.body, cm, c.want)
		}
	}
	// A patch sets only what it sends; engines have no contact memory.
	if got, _ := write(t, agentry.VoiceAgent, `{}`, `{"agent_name":"x"}`, true); got["contact_memory_config"] != nil {
		t.Errorf("a patch added contact_memory_config: %s", got["contact_memory_config"])
	}
	if got, _ := write(t, agentry.RetellLLM, `{}`, `{}`, false); got["contact_memory_config"] != nil {
		t.Errorf("an LLM got contact_memory_config")
	}
}

func TestProseRulesAcrossFields(t *testing.T) {
	const equation = `{"type":"equation","operator":"and","equations":[{"left":"a","operator":"%s"%s}]}`
	tests := []struct {
		name          string
		kind          *agentry.Kind
		stored, patch string
		want          string // "" for valid
	}{
		// Contact memory updates need the conversation.
		{"update with basic attributes only", agentry.VoiceAgent, `{}`, `{"contact_memory_config":{"enable_update":true},"data_storage_setting":"basic_attributes_only"}`,
			"contact_memory_config.enable_update: cannot be true while data_storage_setting is basic_attributes_only"},
		{"storage setting patched under a stored update", agentry.VoiceAgent, `{"contact_memory_config":{"enable_read":true,"enable_update":true}}`, `{"data_storage_setting":"basic_attributes_only"}`,
			"contact_memory_config.enable_update: cannot be true while data_storage_setting is basic_attributes_only"},
		{"update with everything stored", agentry.VoiceAgent, `{}`, `{"contact_memory_config":{"enable_update":true},"data_storage_setting":"everything_except_pii"}`, ""},
		{"no update with basic attributes only", agentry.VoiceAgent, `{}`, `{"contact_memory_config":{"enable_update":false},"data_storage_setting":"basic_attributes_only"}`, ""},
		{"chat update without a silence timeout", agentry.ChatAgent, `{}`, `{"contact_memory_config":{"enable_update":true}}`,
			"contact_memory_config.enable_update: cannot be true on a chat agent without end_chat_after_silence_ms"},
		{"chat update, timeout cleared", agentry.ChatAgent, `{"end_chat_after_silence_ms":120000,"contact_memory_config":{"enable_update":true}}`, `{"end_chat_after_silence_ms":null}`,
			"contact_memory_config.enable_update: cannot be true on a chat agent without end_chat_after_silence_ms"},
		{"chat update with a silence timeout", agentry.ChatAgent, `{}`, `{"contact_memory_config":{"enable_update":true},"end_chat_after_silence_ms":120000}`, ""},
		{"chat update with basic attributes only", agentry.ChatAgent, `{"end_chat_after_silence_ms":120000}`, `{"contact_memory_config":{"enable_update":true},"data_storage_setting":"basic_attributes_only"}`,
			"contact_memory_config.enable_update: cannot be true while data_storage_setting is basic_attributes_only"},
		// Custom speech to text.
		{"custom stt without its config", agentry.VoiceAgent, `{}`, `{"stt_mode":"custom"}`, "custom_stt_config: is required when stt_mode is custom"},
		{"custom stt config cleared", agentry.VoiceAgent, `{"stt_mode":"custom","custom_stt_config":{"provider":"azure","endpointing_ms":100}}`, `{"custom_stt_config":null}`, "custom_stt_config: is required when stt_mode is custom"},
		{"custom stt", agentry.VoiceAgent, `{}`, `{"stt_mode":"custom","custom_stt_config":{"provider":"deepgram","endpointing_ms":10}}`, ""},
		{"soniox endpointing", agentry.VoiceAgent, `{}`, `{"custom_stt_config":{"provider":"soniox","endpointing_ms":499}}`, "custom_stt_config.endpointing_ms: must be at least 500 for provider soniox"},
		{"azure endpointing", agentry.VoiceAgent, `{}`, `{"custom_stt_config":{"provider":"azure","endpointing_ms":99}}`, "custom_stt_config.endpointing_ms: must be at least 100 for provider azure"},
		{"assemblyai endpointing", agentry.VoiceAgent, `{}`, `{"custom_stt_config":{"provider":"assemblyai","endpointing_ms":3001}}`, "custom_stt_config.endpointing_ms: must be at most 3000 for provider assemblyai"},
		{"deepgram endpointing", agentry.VoiceAgent, `{}`, `{"custom_stt_config":{"provider":"deepgram","endpointing_ms":9}}`, "custom_stt_config.endpointing_ms: must be at least 10 for provider deepgram"},
		// Session tools.
		{"names unique across phases", agentry.VoiceAgent, `{}`, `{"pre_session_tools":[{"type":"code","name":"a","code":"x"}],"post_session_tools":[{"type":"code","name":"a","code":"x"}]}`,
			`post_session_tools[0].name: "a" is already the name of pre_session_tools[0]`},
		{"a dependency of another phase", agentry.ChatAgent, `{}`, `{"pre_session_tools":[{"type":"code","name":"a","code":"x"}],"post_session_tools":[{"type":"code","name":"b","code":"x","depends_on":["a"]}]}`,
			`post_session_tools[0].depends_on[0]: no post-session tool is named "a" (post-session tools: "b")`},
		{"a dependency on itself", agentry.VoiceAgent, `{}`, `{"pre_session_tools":[{"type":"code","name":"a","code":"x","depends_on":["a"]}]}`,
			"pre_session_tools[0].depends_on[0]: a tool cannot depend on itself"},
		{"a cycle", agentry.VoiceAgent, `{}`, `{"pre_session_tools":[{"type":"code","name":"a","code":"x","depends_on":["c"]},{"type":"code","name":"b","code":"x","depends_on":["a"]},{"type":"code","name":"c","code":"x","depends_on":["b"]}]}`,
			`pre_session_tools[0].depends_on: makes a cycle: "a" depends on "c" depends on "b" depends on "a"`},
		{"a dependency graph", agentry.VoiceAgent, `{}`, `{"pre_session_tools":[{"type":"code","name":"a","code":"x"},{"type":"code","name":"b","code":"x","depends_on":["a"]},{"type":"code","name":"c","code":"x","depends_on":["a","b"]}]}`, ""},
		{"a required parameter not defined", agentry.VoiceAgent, `{}`, `{"pre_session_tools":[{"type":"custom","name":"a","url":"u","parameters":{"type":"object","properties":{"x":{}},"required":["x","y"]}}]}`,
			`pre_session_tools[0].parameters.required[1]: "y" is not a property of pre_session_tools[0].parameters.properties`},
		{"an app tool's parameters", agentry.VoiceAgent, `{}`, `{"pre_session_tools":[{"type":"integration_app","name":"a","app_id":"a","provider":"p","app_tool_template_name":"t","parameters":[{"type":"object","properties":{},"required":["q"]}]}]}`,
			`pre_session_tools[0].parameters[0].required[0]: "q" is not a property of pre_session_tools[0].parameters[0].properties`},
		{"an equation without its right side", agentry.VoiceAgent, `{}`, `{"post_session_tools":[{"type":"code","name":"a","code":"x","condition":` + strings.Replace(strings.Replace(equation, "%s", "==", 1), "%s", "", 1) + `}]}`,
			`post_session_tools[0].condition.equations[0].right: is required unless operator is exists or not_exist (operator is "==")`},
		{"an exists equation", agentry.VoiceAgent, `{}`, `{"post_session_tools":[{"type":"code","name":"a","code":"x","condition":` + strings.Replace(strings.Replace(equation, "%s", "exists", 1), "%s", "", 1) + `}]}`, ""},
		{"a full equation", agentry.VoiceAgent, `{}`, `{"post_session_tools":[{"type":"code","name":"a","code":"x","condition":` + strings.Replace(strings.Replace(equation, "%s", "!=", 1), "%s", `,"right":"b"`, 1) + `}]}`, ""},
		// Retell LLMs.
		{"model and s2s model", agentry.RetellLLM, `{"model":"gpt-5"}`, `{"s2s_model":"gpt-realtime"}`, "s2s_model: cannot be set together with model"},
		{"s2s model replacing model", agentry.RetellLLM, `{"model":"gpt-5"}`, `{"s2s_model":"gpt-realtime","model":null}`, ""},
		{"a custom tool's name", agentry.RetellLLM, `{}`, `{"general_tools":[{"type":"custom","name":"look up"}]}`, "general_tools[0].name: must match ^[a-zA-Z0-9_-]{1,64}$, as the names of custom tools must"},
		{"a state's end call tool's name", agentry.RetellLLM, `{}`, `{"states":[{"name":"a","tools":[{"type":"end_call","name":"` + strings.Repeat("e", 65) + `"}]}],"starting_state":"a"}`,
			"states[0].tools[0].name: must match ^[a-zA-Z0-9_-]{1,64}$, as the names of end_call tools must"},
		{"a transfer tool's name has no pattern", agentry.RetellLLM, `{}`, `{"general_tools":[{"type":"transfer_call","name":"to the desk"}]}`, ""},
		{"a tool named like a transition", agentry.RetellLLM, `{}`, `{"general_tools":[{"type":"end_call","name":"transition_to_b"}],"states":[{"name":"a","edges":[{"destination_state_name":"b","description":"d"}]},{"name":"b"}],"starting_state":"a"}`,
			`states[0].edges[0].destination_state_name: makes a transition tool named "transition_to_b", which is already the name of general_tools[0]`},
		// Conversation flows.
		{"note ids", agentry.ConversationFlow, `{}`, `{"notes":[{"id":"n","content":"a","display_position":{"x":0,"y":0},"size":{"width":1,"height":1}},{"id":"n","content":"b","display_position":{"x":0,"y":0},"size":{"width":1,"height":1}}]}`,
			`notes[1].id: "n" is already the id of notes[0]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := write(t, tt.kind, tt.stored, tt.patch, true)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
				t.Fatalf("error %v\nwant %s…", err, tt.want)
			}
		})
	}
}

// The defaults do not reach the drift test's shapes: they change what is
// stored, not what is accepted.
func TestDefaultsKeepTheRules(t *testing.T) {
	raw, _ := json.Marshal(multiLocales)
	if err := VoiceAgent.Validate(map[string]json.RawMessage{"language": raw}, Update); err != nil {
		t.Errorf("the stored form of multi is not itself valid: %v", err)
	}
}
