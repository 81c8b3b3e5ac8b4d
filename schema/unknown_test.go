package schema

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// In the default mode undeclared fields are accepted, named by path and left
// out of what is kept, at any depth; the rest of the body is kept byte for
// byte.
func TestCheckIgnoresUnknownFields(t *testing.T) {
	body := `{"voice_id": "v", "enable_voicemail_detection": true,
		"response_engine": {"type": "custom-llm", "llm_id": "l", "llm_websocket_url": "wss://x"},
		"voicemail_option": {"beep": 1, "action": {"text": "hi", "type": "prompt", "tone": "warm"}},
		"pronunciation_dictionary": [{"word": "a", "alphabet": "ipa", "phoneme": "a"}, {"x": [1, {"y": 2}], "word": "b", "alphabet": "ipa", "phoneme": "b", "z": null}],
		"post_call_analysis_data": [{"type": "string", "name": "n", "description": "d", "weird key": 1}],
		"general_prompt": "not an agent field"}`
	got, err := VoiceAgent.Check(mustDecode(t, body), Create, Ignore)
	if err != nil {
		t.Fatal(err)
	}
	wantIgnored := []string{
		"enable_voicemail_detection",
		"general_prompt",
		`post_call_analysis_data[0]."weird key"`,
		"pronunciation_dictionary[1].x",
		"pronunciation_dictionary[1].z",
		"response_engine.llm_id",
		"voicemail_option.action.tone",
		"voicemail_option.beep",
	}
	if !slices.Equal(got.Ignored, wantIgnored) {
		t.Errorf("ignored = %q\nwant      %q", got.Ignored, wantIgnored)
	}
	want := map[string]string{
		"voice_id":                 `"v"`,
		"response_engine":          `{"type":"custom-llm","llm_websocket_url":"wss://x"}`,
		"voicemail_option":         `{"action":{"text":"hi","type":"prompt"}}`,
		"pronunciation_dictionary": `[{"word":"a","alphabet":"ipa","phoneme":"a"},{"word":"b","alphabet":"ipa","phoneme":"b"}]`,
		"post_call_analysis_data":  `[{"type":"string","name":"n","description":"d"}]`,
	}
	if len(got.Fields) != len(want) {
		t.Errorf("kept %d fields, want %d: %v", len(got.Fields), len(want), got.Fields)
	}
	for k, w := range want {
		raw, ok := got.Fields[k]
		if !ok {
			t.Errorf("%s not kept", k)
			continue
		}
		if kept, err := compact(raw); err != nil || kept != w {
			t.Errorf("%s = %s, want %s (%v)", k, raw, w, err)
		}
	}
	// What passes the rules as the client wrote it is returned as the same map.
	clean := mustDecode(t, minimalAgent)
	if got, err := VoiceAgent.Check(clean, Create, Ignore); err != nil || len(got.Ignored) != 0 || len(got.Fields) != len(clean) {
		t.Errorf("clean body: %v %v", got, err)
	}
}

// Each drop takes one comma with it, whichever members go.
func TestCheckCutsMembersCleanly(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{`{"x": 1, "word": "a", "alphabet": "ipa", "phoneme": "a"}`, `{"word":"a","alphabet":"ipa","phoneme":"a"}`},
		{`{"word": "a", "x": 1, "alphabet": "ipa", "phoneme": "a"}`, `{"word":"a","alphabet":"ipa","phoneme":"a"}`},
		{`{"word": "a", "alphabet": "ipa", "phoneme": "a", "x": 1}`, `{"word":"a","alphabet":"ipa","phoneme":"a"}`},
		{`{"x": 1, "y": 2, "word": "a", "alphabet": "ipa", "phoneme": "a", "z": 3}`, `{"word":"a","alphabet":"ipa","phoneme":"a"}`},
		{`{"word": "a", "x": 1, "y": {"q": [1]}, "alphabet": "ipa", "phoneme": "a"}`, `{"word":"a","alphabet":"ipa","phoneme":"a"}`},
	} {
		got, err := VoiceAgent.Check(mustDecode(t, `{"pronunciation_dictionary": [`+c.in+`]}`), Update, Ignore)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		raw := got.Fields["pronunciation_dictionary"]
		kept, err := compact(raw)
		if err != nil {
			t.Errorf("%s: kept %s, not JSON: %v", c.in, raw, err)
			continue
		}
		if kept != "["+c.out+"]" {
			t.Errorf("%s: kept %s, want [%s]", c.in, kept, c.out)
		}
	}
}

// compact returns raw without insignificant white space, or an error when
// it is not JSON.
func compact(raw []byte) (string, error) {
	var b bytes.Buffer
	err := json.Compact(&b, raw)
	return b.String(), err
}

// Refuse is the strict mode: the first object with undeclared fields is a 400
// that names them, as before.
func TestCheckRefusesUnknownFieldsWhenStrict(t *testing.T) {
	_, err := VoiceAgent.Check(mustDecode(t, `{"voicemail_option": {"action": {"type": "hangup", "foo": 1}}}`), Update, Refuse)
	if err == nil || err.Error() != `voicemail_option.action: unknown field "foo"` {
		t.Errorf("strict: %v", err)
	}
}

// Objects the reference closes refuse undeclared fields in both modes.
func TestClosedObjectsRefuseUnknownFields(t *testing.T) {
	for _, c := range []struct {
		obj  *Object
		body string
		want string
	}{
		{VoiceAgent, `{"contact_memory_config": {"enable_write": true}}`, `contact_memory_config: unknown field "enable_write"`},
		{ChatAgent, `{"contact_memory_config": {"enable_read": true, "x": 1}}`, `contact_memory_config: unknown field "x"`},
		{VoiceAgent, `{"call_screening_option": {"agent_identity": "a", "call_purpose": "b", "tone": "x"}}`, `call_screening_option: unknown field "tone"`},
		{CreateAgentVersion, `{"base_version": 0, "version_title": "x"}`, `unknown field "version_title"`},
	} {
		for _, mode := range []Unknown{Ignore, Refuse} {
			_, err := c.obj.Check(mustDecode(t, c.body), Update, mode)
			if err == nil || err.Error() != c.want {
				t.Errorf("%s (mode %d): %v, want %s", c.body, mode, err, c.want)
			}
		}
	}
}

// A field ignored while trying one option of a union is not reported when
// another option is the one that fits.
func TestUnionForgetsFailedOptions(t *testing.T) {
	got, err := VoiceAgent.Check(mustDecode(t, `{"language": ["en-US"], "x": 1}`), Update, Ignore)
	if err != nil || !slices.Equal(got.Ignored, []string{"x"}) {
		t.Errorf("got %v %v", got.Ignored, err)
	}
}
