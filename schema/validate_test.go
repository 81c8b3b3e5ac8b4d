package schema

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/agentry/agentry"
)

const minimalAgent = `{"voice_id": "retell-Cimo", "response_engine": {"type": "retell-llm", "llm_id": "llm_1"}}`

// maximalAgent sets every configuration field, each nested object fully.
const maximalAgent = `{
	"response_engine": {"type": "conversation-flow", "conversation_flow_id": "cf_1", "version": 3},
	"agent_name": "Front desk",
	"version_title": "Launch",
	"version_description": "First release",
	"voice_id": "retell-Cimo",
	"voice_model": "eleven_v3",
	"fallback_voice_ids": ["cartesia-Cimo"],
	"voice_temperature": 1.5,
	"voice_speed": 0.5,
	"enable_dynamic_voice_speed": true,
	"enable_dynamic_responsiveness": false,
	"volume": 2,
	"enable_expressive_mode": true,
	"expressive_emotion_tags": ["happy", "clear throat"],
	"expressive_mode_prompt": "Sigh when thinking.",
	"responsiveness": 0,
	"interruption_sensitivity": 1,
	"enable_backchannel": true,
	"backchannel_frequency": 0.8,
	"backchannel_words": ["yeah"],
	"reminder_trigger_ms": 0.5,
	"reminder_max_count": 0,
	"ambient_sound": "call-center",
	"ambient_sound_volume": 0,
	"language": ["en-US", "es-ES"],
	"webhook_url": "https://example.com/hook",
	"webhook_events": ["call_started", "transfer_ended"],
	"webhook_timeout_ms": 5000,
	"boosted_keywords": ["agentry"],
	"contact_memory_config": {"enable_update": true, "enable_read": false},
	"data_storage_setting": "everything_except_pii",
	"data_storage_retention_days": 730,
	"opt_in_signed_url": true,
	"signed_url_expiration_ms": 3600000,
	"pronunciation_dictionary": [{"word": "agentry", "alphabet": "ipa", "phoneme": "ˈeɪdʒəntri"}],
	"enable_dnc_detection": true,
	"end_call_after_silence_ms": 10000,
	"max_call_duration_ms": 7200000,
	"voicemail_option": {"action": {"type": "static_text", "text": "Call us back."}, "detection_prompt": null},
	"ivr_option": {"action": {"type": "hangup"}, "detection_prompt": "A menu of options."},
	"call_screening_option": {"agent_identity": "Acme", "call_purpose": "Your appointment"},
	"post_call_analysis_data": [
		{"type": "string", "name": "city", "description": "The caller's city", "examples": ["Paris"], "required": true, "conditional_prompt": "If asked"},
		{"type": "enum", "name": "mood", "description": "Mood", "choices": ["good", "bad"]},
		{"type": "boolean", "name": "converted", "description": "Bought"},
		{"type": "number", "name": "count", "description": "Items"},
		{"type": "system-presets", "name": "call_summary", "description": "Summarise", "required": false}
	],
	"post_call_analysis_model": "gpt-5.6-terra",
	"begin_message_delay_ms": 5000,
	"ring_duration_ms": 5000,
	"stt_mode": "custom",
	"custom_stt_config": {"provider": "deepgram", "endpointing_ms": 10},
	"vocab_specialization": "medical",
	"allow_user_dtmf": true,
	"allow_dtmf_interruption": false,
	"user_dtmf_options": {"digit_limit": 4, "termination_key": "#", "timeout_ms": 1000},
	"denoising_mode": "no-denoise",
	"pii_config": {"mode": "post_call", "categories": ["email", "ssn"]},
	"guardrail_config": {"output_topics": ["gambling"], "input_topics": null},
	"handbook_config": {"default_personality": true, "conversational_personality": false,
		"natural_filler_words": true, "high_empathy": true, "echo_verification": false,
		"nato_phonetic_alphabet": false, "speech_normalization": true, "smart_matching": true,
		"ai_disclosure": true, "scope_boundaries": true},
	"timezone": "Europe/Paris",
	"pre_session_tools": [
		{"type": "integration_app", "name": "lookup", "app_id": "app_1", "provider": "hubspot",
		 "app_tool_template_name": "find_contact",
		 "parameters": [{"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]}],
		 "response_variables": {"first_name": "data.first_name"},
		 "output_selection": {"mode": "subset", "fields": ["id"]},
		 "speak_after_execution": true, "execution_message_type": "prompt"},
		{"type": "custom", "name": "crm-fetch_1", "url": "https://example.com/crm", "method": "GET",
		 "headers": {"Authorization": "Bearer x"}, "query_params": {"page": "1"},
		 "parameters": {"type": "object", "properties": {}}, "timeout_ms": 600000, "max_retry": 5,
		 "args_at_root": true, "parameter_type": "json", "depends_on": ["lookup"]},
		{"type": "code", "name": "compute", "code": "return 1;", "timeout_ms": 5000}
	],
	"post_session_tools": [
		{"type": "send_sms", "name": "follow_up", "sms_content": {"type": "template", "template": "info_collection"},
		 "condition": {"type": "equation", "operator": "and",
		   "equations": [{"left": "{{converted}}", "operator": "==", "right": "true"}, {"left": "x", "operator": "exists"}]}},
		{"type": "send_sms", "name": "thanks", "sms_content": {"type": "predefined", "text": "Thanks!"}},
		{"type": "code", "name": "log", "code": "log()", "depends_on": ["thanks"]}
	]
}`

func mustDecode(t *testing.T, body string) map[string]json.RawMessage {
	t.Helper()
	fields, err := DecodeObject([]byte(body))
	if err != nil {
		t.Fatalf("DecodeObject(%s): %v", body, err)
	}
	return fields
}

func TestVoiceAgentAccepts(t *testing.T) {
	tests := []struct {
		name string
		body string
		mode Mode
	}{
		{"minimal create", minimalAgent, Create},
		{"maximal create", maximalAgent, Create},
		{"maximal update", maximalAgent, Update},
		{"empty update", `{}`, Update},
		{"null clears nullable fields", `{"agent_name": null, "voicemail_option": null, "language": "fr-FR", "post_call_analysis_model": null, "call_screening_option": null}`, Update},
		{"null means unset on create", `{"voice_id": "v", "response_engine": {"type": "custom-llm", "llm_websocket_url": "wss://x"}, "voice_model": null, "pre_session_tools": null}`, Create},
		{"integral float for an integer", `{"max_call_duration_ms": 60000.0}`, Update},
		{"exponent integer", `{"begin_message_delay_ms": 5e3}`, Update},
		{"language as one locale", `{"language": "es-419"}`, Update},
		{"language as deprecated multi", `{"language": "multi"}`, Update},
		{"language as empty array", `{"language": []}`, Update},
		{"engine version null", `{"response_engine": {"type": "retell-llm", "llm_id": "l", "version": null}}`, Update},
		{"voicemail prompt", `{"voicemail_option": {"action": {"type": "prompt", "text": "Say hi"}}}`, Update},
		{"voicemail bridge transfer", `{"voicemail_option": {"action": {"type": "bridge_transfer"}}}`, Update},
		{"empty contact memory", `{"contact_memory_config": {}}`, Update},
		{"unicode length counts characters", `{"voicemail_option": {"action": {"type": "hangup"}, "detection_prompt": "` + repeat("é", 2000) + `"}}`, Update},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := VoiceAgent.Validate(mustDecode(t, tt.body), tt.mode); err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
		})
	}
}

func TestMaximalAgentSetsEveryField(t *testing.T) {
	fields := mustDecode(t, maximalAgent)
	for k := range VoiceAgent.props {
		if _, ok := fields[k]; !ok {
			t.Errorf("maximalAgent lacks %s", k)
		}
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func TestVoiceAgentRejects(t *testing.T) {
	tests := []struct {
		name string
		body string
		mode Mode
		want string
	}{
		// required
		{"missing voice_id", `{"response_engine": {"type": "retell-llm", "llm_id": "l"}}`, Create, "voice_id: is required"},
		{"missing both: first in name order", `{}`, Create, "response_engine: is required"},
		{"required null", `{"voice_id": null, "response_engine": {"type": "retell-llm", "llm_id": "l"}}`, Create, "voice_id: cannot be null"},
		{"required null on update", `{"voice_id": null}`, Update, "voice_id: cannot be null"},
		// unknown fields
		{"unknown top-level", `{"voice_idd": "x"}`, Update, `unknown field "voice_idd"`},
		{"unknown before other errors", `{"voice_speed": 9, "zzz": 1, "aaa": 2}`, Update, `unknown fields "aaa", "zzz"`},
		{"unknown nested", `{"voicemail_option": {"action": {"type": "hangup", "foo": 1}}}`, Update, `voicemail_option.action: unknown field "foo"`},
		{"unknown in array item", `{"pronunciation_dictionary": [{"word": "a", "alphabet": "ipa", "phoneme": "a", "x": 1}]}`, Update, `pronunciation_dictionary[0]: unknown field "x"`},
		{"unknown in contact memory", `{"contact_memory_config": {"enable_write": true}}`, Update, `contact_memory_config: unknown field "enable_write"`},
		{"field of another engine", `{"response_engine": {"type": "custom-llm", "llm_websocket_url": "wss://x", "llm_id": "l"}}`, Update, `response_engine: unknown field "llm_id"`},
		// wrong types
		{"string", `{"agent_name": 5}`, Update, "agent_name: must be a string"},
		{"integer", `{"max_call_duration_ms": "60000"}`, Update, "max_call_duration_ms: must be an integer"},
		{"integer vs float", `{"max_call_duration_ms": 60000.5}`, Update, "max_call_duration_ms: must be an integer"},
		{"number", `{"voice_speed": "fast"}`, Update, "voice_speed: must be a number"},
		{"boolean", `{"enable_backchannel": "true"}`, Update, "enable_backchannel: must be a boolean"},
		{"array", `{"boosted_keywords": "a,b"}`, Update, "boosted_keywords: must be an array"},
		{"array item", `{"boosted_keywords": ["a", 1]}`, Update, "boosted_keywords[1]: must be a string"},
		{"object", `{"pii_config": []}`, Update, "pii_config: must be an object"},
		{"tagged union object", `{"response_engine": "retell-llm"}`, Update, "response_engine: must be an object"},
		{"huge integer", `{"reminder_max_count": 1e300}`, Update, "reminder_max_count: must be between 0 and 9007199254740991"},
		{"number out of float range", `{"voice_speed": 1e400}`, Update, "voice_speed: is out of range"},
		// null
		{"null on non-nullable", `{"voice_speed": null}`, Update, "voice_speed: cannot be null"},
		{"null on non-nullable object", `{"pii_config": null}`, Update, "pii_config: cannot be null"},
		{"null array item", `{"boosted_keywords": [null]}`, Update, "boosted_keywords[0]: cannot be null"},
		// enums
		{"enum", `{"stt_mode": "slow"}`, Update, "stt_mode: must be one of fast, accurate, custom"},
		{"nullable enum", `{"ambient_sound": "rain"}`, Update, "ambient_sound: must be one of coffee-shop, convention-hall, summer-outdoor, mountain-outdoor, static-noise, call-center"},
		{"enum in array", `{"webhook_events": ["call_started", "call_exploded"]}`, Update, "webhook_events[1]: must be one of call_started, call_ended, call_analyzed, transcript_updated, transfer_started, transfer_bridged, transfer_cancelled, transfer_ended"},
		{"duplicates", `{"expressive_emotion_tags": ["sigh", "happy", "sigh"]}`, Update, "expressive_emotion_tags[2]: duplicates item 0"},
		// ranges from the reference
		{"voice_speed low", `{"voice_speed": 0.4}`, Update, "voice_speed: must be between 0.5 and 2"},
		{"voice_speed high", `{"voice_speed": 2.01}`, Update, "voice_speed: must be between 0.5 and 2"},
		{"ring duration", `{"ring_duration_ms": 4999}`, Update, "ring_duration_ms: must be between 5000 and 300000"},
		{"retention days", `{"data_storage_retention_days": 0}`, Update, "data_storage_retention_days: must be between 1 and 730"},
		{"max length", `{"voicemail_option": {"action": {"type": "hangup"}, "detection_prompt": "` + repeat("a", 2001) + `"}}`, Update, "voicemail_option.detection_prompt: must be at most 2000 characters long"},
		{"min length", `{"call_screening_option": {"agent_identity": "", "call_purpose": "x"}}`, Update, "call_screening_option.agent_identity: must not be empty"},
		{"max items", `{"pre_session_tools": [` + repeat(`{"type": "code", "name": "c", "code": "x"},`, 15) + `{"type": "code", "name": "c", "code": "x"}]}`, Update, "pre_session_tools: must have at most 15 items"},
		{"dtmf timeout", `{"user_dtmf_options": {"timeout_ms": 999}}`, Update, "user_dtmf_options.timeout_ms: must be between 1000 and 15000"},
		// ranges stated in prose
		{"volume", `{"volume": 2.5}`, Update, "volume: must be between 0 and 2"},
		{"voice_temperature", `{"voice_temperature": -0.1}`, Update, "voice_temperature: must be between 0 and 2"},
		{"ambient_sound_volume", `{"ambient_sound_volume": 3}`, Update, "ambient_sound_volume: must be between 0 and 2"},
		{"backchannel_frequency", `{"backchannel_frequency": 1.1}`, Update, "backchannel_frequency: must be between 0 and 1"},
		{"begin_message_delay_ms", `{"begin_message_delay_ms": 5001}`, Update, "begin_message_delay_ms: must be between 0 and 5000"},
		{"end_call_after_silence_ms", `{"end_call_after_silence_ms": 9999}`, Update, "end_call_after_silence_ms: must be at least 10000"},
		{"max_call_duration_ms low", `{"max_call_duration_ms": 59999}`, Update, "max_call_duration_ms: must be between 60000 and 7200000"},
		{"max_call_duration_ms high", `{"max_call_duration_ms": 7200001}`, Update, "max_call_duration_ms: must be between 60000 and 7200000"},
		{"reminder_trigger_ms zero", `{"reminder_trigger_ms": 0}`, Update, "reminder_trigger_ms: must be greater than 0"},
		{"reminder_max_count", `{"reminder_max_count": -1}`, Update, "reminder_max_count: must be at least 0"},
		{"termination key", `{"user_dtmf_options": {"termination_key": "##"}}`, Update, "user_dtmf_options.termination_key: must match ^[0-9#*]$"},
		{"enum choices empty", `{"post_call_analysis_data": [{"type": "enum", "name": "n", "description": "d", "choices": []}]}`, Update, "post_call_analysis_data[0].choices: must not be empty"},
		{"custom tool name", `{"pre_session_tools": [{"type": "custom", "name": "has space", "url": "u"}]}`, Update, "pre_session_tools[0].name: must match ^[a-zA-Z0-9_-]{1,64}$"},
		// discriminated unions
		{"engine type missing", `{"response_engine": {"llm_id": "l"}}`, Update, "response_engine.type: is required"},
		{"engine type not a string", `{"response_engine": {"type": 1}}`, Update, "response_engine.type: must be a string"},
		{"engine type unknown", `{"response_engine": {"type": "gpt"}}`, Update, "response_engine.type: must be one of retell-llm, custom-llm, conversation-flow"},
		{"retell-llm needs llm_id", `{"response_engine": {"type": "retell-llm"}}`, Update, "response_engine.llm_id: is required"},
		{"custom-llm needs url", `{"response_engine": {"type": "custom-llm"}}`, Update, "response_engine.llm_websocket_url: is required"},
		{"flow needs id", `{"response_engine": {"type": "conversation-flow"}}`, Update, "response_engine.conversation_flow_id: is required"},
		{"engine version integer", `{"response_engine": {"type": "retell-llm", "llm_id": "l", "version": 1.5}}`, Update, "response_engine.version: must be an integer"},
		{"engine version negative", `{"response_engine": {"type": "conversation-flow", "conversation_flow_id": "c", "version": -1}}`, Update, "response_engine.version: must be at least 0"},
		{"voicemail action type", `{"voicemail_option": {"action": {"type": "beep"}}}`, Update, "voicemail_option.action.type: must be one of prompt, static_text, hangup, bridge_transfer"},
		{"voicemail action text", `{"voicemail_option": {"action": {"type": "prompt"}}}`, Update, "voicemail_option.action.text: is required"},
		{"voicemail action missing", `{"voicemail_option": {}}`, Update, "voicemail_option.action: is required"},
		{"ivr action", `{"ivr_option": {"action": {"type": "prompt"}}}`, Update, "ivr_option.action.type: must be one of hangup"},
		{"analysis type", `{"post_call_analysis_data": [{"type": "date", "name": "d"}]}`, Update, "post_call_analysis_data[0].type: must be one of string, enum, boolean, number, system-presets"},
		{"analysis description", `{"post_call_analysis_data": [{"type": "string", "name": "d"}]}`, Update, "post_call_analysis_data[0].description: is required"},
		{"preset name", `{"post_call_analysis_data": [{"type": "system-presets", "name": "chat_summary"}]}`, Update, "post_call_analysis_data[0].name: must be one of call_summary, call_successful, user_sentiment"},
		{"pre-session tool type", `{"pre_session_tools": [{"type": "send_sms", "name": "s"}]}`, Update, "pre_session_tools[0].type: must be one of integration_app, custom, code"},
		{"pre-session condition", `{"pre_session_tools": [{"type": "code", "name": "c", "code": "x", "condition": {}}]}`, Update, `pre_session_tools[0]: unknown field "condition"`},
		{"post-session condition", `{"post_session_tools": [{"type": "code", "name": "c", "code": "x", "condition": {"type": "equation", "operator": "xor", "equations": []}}]}`, Update, "post_session_tools[0].condition.operator: must be one of or, and"},
		{"equation operator", `{"post_session_tools": [{"type": "code", "name": "c", "code": "x", "condition": {"type": "equation", "operator": "or", "equations": [{"left": "a", "operator": "~"}]}}]}`, Update, "post_session_tools[0].condition.equations[0].operator: must be one of ==, !=, >, >=, <, <=, contains, not_contains, exists, not_exist"},
		{"sms content", `{"post_session_tools": [{"type": "send_sms", "name": "s", "sms_content": {"text": "hi"}}]}`, Update, "post_session_tools[0].sms_content.type: is required"},
		{"output selection", `{"pre_session_tools": [{"type": "integration_app", "name": "a", "app_id": "a", "provider": "p", "app_tool_template_name": "t", "output_selection": {"mode": "subset"}}]}`, Update, "pre_session_tools[0].output_selection.fields: is required"},
		{"header values", `{"pre_session_tools": [{"type": "custom", "name": "c", "url": "u", "headers": {"X-N": 1}}]}`, Update, "pre_session_tools[0].headers.X-N: must be a string"},
		{"tool parameter", `{"pre_session_tools": [{"type": "custom", "name": "c", "url": "u", "parameters": {"type": "array", "properties": {}}}]}`, Update, "pre_session_tools[0].parameters.type: must be one of object"},
		// language forms
		{"language locale", `{"language": "en-XX"}`, Update, "language: must be one of " + joinLocales() + ", multi"},
		{"language multi in array", `{"language": ["en-US", "multi"]}`, Update, "language[1]: must be one of " + joinLocales()},
		{"language type", `{"language": 1}`, Update, "language: must be a string or an array"},
		{"language null", `{"language": null}`, Update, "language: cannot be null"},
		// nested duplicate keys
		{"duplicate nested key", `{"pii_config": {"mode": "post_call", "mode": "post_call", "categories": []}}`, Update, `pii_config: duplicate field "mode"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VoiceAgent.Validate(mustDecode(t, tt.body), tt.mode)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q\nwant    %q", err.Error(), tt.want)
			}
		})
	}
}

func joinLocales() string {
	out := ""
	for i, l := range locales {
		if i > 0 {
			out += ", "
		}
		out += l
	}
	return out
}

func TestOtherBodies(t *testing.T) {
	tests := []struct {
		name string
		obj  *Object
		body string
		want string // "" for valid
	}{
		{"version ok", CreateAgentVersion, `{"base_version": 0}`, ""},
		{"version missing", CreateAgentVersion, `{}`, "base_version: is required"},
		{"version negative", CreateAgentVersion, `{"base_version": -1}`, "base_version: must be at least 0"},
		{"version float", CreateAgentVersion, `{"base_version": 1.5}`, "base_version: must be an integer"},
		{"version extra", CreateAgentVersion, `{"base_version": 1, "title": "x"}`, `unknown field "title"`},
		{"publish ok", PublishAgentVersion, `{"version": 3, "version_title": "t", "version_description": "d"}`, ""},
		{"publish missing", PublishAgentVersion, `{"version_title": "t"}`, "version: is required"},
		{"publish null title", PublishAgentVersion, `{"version": 1, "version_title": null}`, "version_title: cannot be null"},
		{"list empty", ListAgents, `{}`, ""},
		{"list ok", ListAgents, `{"filter_criteria": {"channel": {"type": "string", "op": "eq", "value": "voice"}, "query": "desk"}}`, ""},
		{"list op", ListAgents, `{"filter_criteria": {"channel": {"type": "string", "op": "co", "value": "voice"}}}`, "filter_criteria.channel.op: must be one of eq"},
		{"list value", ListAgents, `{"filter_criteria": {"channel": {"type": "string", "op": "eq", "value": "sms"}}}`, "filter_criteria.channel.value: must be one of voice, chat"},
		{"list channel incomplete", ListAgents, `{"filter_criteria": {"channel": {"type": "string", "op": "eq"}}}`, "filter_criteria.channel.value: is required"},
		{"list unknown", ListAgents, `{"filter_criteria": {"name": "x"}}`, `filter_criteria: unknown field "name"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.obj.Validate(mustDecode(t, tt.body), Create)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestFieldQueries(t *testing.T) {
	tests := []struct {
		field         string
		has, nullable bool
	}{
		{"voice_id", true, false},
		{"agent_name", true, true},
		{"voicemail_option", true, true},
		{"call_screening_option", true, true},
		{"post_call_analysis_model", true, true},
		{"contact_memory_config", true, false},
		{"version_title", true, true},
		{"agent_id", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			if got := VoiceAgent.Has(tt.field); got != tt.has {
				t.Errorf("Has = %v, want %v", got, tt.has)
			}
			if got := VoiceAgent.Nullable(tt.field); got != tt.nullable {
				t.Errorf("Nullable = %v, want %v", got, tt.nullable)
			}
		})
	}
}

func TestDecodeObject(t *testing.T) {
	tests := []struct {
		name, body, want string
		fields           int
	}{
		{"object", ` {"a": 1, "b": [1, 2]} ` + "\n", "", 2},
		{"empty object", `{}`, "", 0},
		{"empty body", ``, "request body: must be a JSON object", 0},
		{"whitespace body", " \n\t", "request body: must be a JSON object", 0},
		{"array", `[1]`, "request body: must be a JSON object", 0},
		{"null", `null`, "request body: must be a JSON object", 0},
		{"string", `"x"`, "request body: must be a JSON object", 0},
		{"truncated", `{"a": 1`, "request body: invalid JSON: unexpected end of input", 0},
		{"bad value", `{"a": }`, "request body: invalid JSON at line 1, column 7: invalid character '}' looking for beginning of value", 0},
		{"bad token", `nope`, "request body: invalid JSON at line 1, column 2: invalid character 'o' in literal null (expecting 'u')", 0},
		{"second line", "{\n  \"a\" 1\n}", "request body: invalid JSON at line 2, column 7: invalid character '1' after object key", 0},
		{"trailing data", `{"a": 1} x`, "request body: unexpected data after the JSON object at line 1, column 10", 0},
		{"two objects", `{"a": 1}{"b": 2}`, "request body: unexpected data after the JSON object at line 1, column 9", 0},
		{"duplicate key", `{"a": 1, "a": 2}`, `request body: duplicate field "a"`, 0},
		{"invalid UTF-8", "{\"a\": \"\xff\"}", "request body: invalid JSON: not valid UTF-8", 0},
		{"duplicate escaped key", `{"a": 1, "\u0061": 2}`, `request body: duplicate field "a"`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields, err := DecodeObject([]byte(tt.body))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if len(fields) != tt.fields {
					t.Fatalf("got %d fields, want %d", len(fields), tt.fields)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not *Error", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q\nwant    %q", err.Error(), tt.want)
			}
		})
	}
}

// Every failure is the domain's invalid error, its message led by the path.
func TestFailIsInvalid(t *testing.T) {
	err := fail("a.b", "is required")
	if err.Code != agentry.EINVALID || err.Error() != "a.b: is required" {
		t.Errorf("fail(a.b) = %q (%s)", err.Error(), err.Code)
	}
	if got := fail("", `unknown field "x"`).Error(); got != `unknown field "x"` {
		t.Errorf("fail(\"\") = %q", got)
	}
}

func BenchmarkValidateMaximalAgent(b *testing.B) {
	body := []byte(maximalAgent)
	for b.Loop() {
		fields, err := DecodeObject(body)
		if err != nil {
			b.Fatal(err)
		}
		if err := VoiceAgent.Validate(fields, Create); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecodeObjectKeepsRawValues(t *testing.T) {
	body := `{ "a" : [1, {"b": "}]\"{"}] , "c":"x\\", "d":-1.5e3,"e":{},"f" :null,"g":true }`
	fields := mustDecode(t, body)
	want := map[string]string{"a": `[1, {"b": "}]\"{"}]`, "c": `"x\\"`, "d": `-1.5e3`, "e": `{}`, "f": `null`, "g": `true`}
	if len(fields) != len(want) {
		t.Fatalf("got %d fields, want %d", len(fields), len(want))
	}
	for k, v := range want {
		if string(fields[k]) != v {
			t.Errorf("%s = %s, want %s", k, fields[k], v)
		}
	}
}
