package schema

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/agentry/agentry"
)

// fuzzSeeds are bodies from the cases the rules were written for: deep and
// wide nesting, NUL characters, numbers written many ways, unknown fields at
// every depth, repeated keys, broken JSON.
var fuzzSeeds = []string{
	minimalAgent,
	maximalAgent,
	`{"agent_name":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`,
	`{"agent_name":"front\u0000desk"}`,
	`{"response_engine":{"type":"retell-llm","llm_id":"l","version":-0}}`,
	`{"base_version":-0}`, `{"version":1.0}`, `{"version":1e300}`, `{"max_call_duration_ms":6e4}`,
	`{"voicemail_option":{"beep":1,"action":{"type":"hangup","tone":"x"}},"zzz":{"a":[1,{"b":2}]}}`,
	`{"pronunciation_dictionary":[{"x":1,"word":"a","alphabet":"ipa","phoneme":"a","y":2}]}`,
	`{"pii_config":{"mode":"post_call","mode":"post_call","categories":[]}}`,
	`{"a":1,"a":2}`, `{"a": }`, `[1]`, ``, `{"\u0061":1,"a":2}`,
	`{"language":"multi"}`, `{"language":["en-US","multi"]}`,
	`{"contact_memory_config":{"enable_update":true,"x":1}}`,
	`{"general_tools":[{"type":"end_call","name":"t","x":{"y":[{},{}]}}],"states":[{"name":"a"}],"starting_state":"a"}`,
	`{"nodes":[{"id":"a","type":"end","edges":[{"id":"e","destination_node_id":"b","transition_condition":{"type":"prompt"}}]}]}`,
	`{"filter_criteria":{"query":"\u0000","Query":"x"}}`,
}

// FuzzCheck runs every body through DecodeObject and then the rules of each
// object, in both modes. Nothing may panic; every refusal is an *Error of
// code EINVALID; and what the default mode keeps is valid JSON that strict
// mode accepts as it is: ignoring takes out exactly the fields strict mode
// refuses, and nothing else.
func FuzzCheck(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	objects := []*Object{VoiceAgent, ChatAgent, RetellLLM, ConversationFlow, CreateAgentVersion, PublishAgentVersion, ListAgents}
	f.Fuzz(func(t *testing.T, body []byte) {
		fields, err := DecodeObject(body)
		if err != nil {
			wantInvalid(t, err)
			return
		}
		for _, o := range objects {
			for _, mode := range []Mode{Create, Update} {
				copyOf := func() map[string]json.RawMessage {
					c := make(map[string]json.RawMessage, len(fields))
					for k, v := range fields {
						c[k] = v
					}
					return c
				}
				_, strictErr := o.Check(copyOf(), mode, Refuse)
				if strictErr != nil {
					wantInvalid(t, strictErr)
				}
				kept, err := o.Check(copyOf(), mode, Ignore)
				if err != nil {
					wantInvalid(t, err)
					continue
				}
				for k, v := range kept.Fields {
					if !json.Valid(v) {
						t.Fatalf("%s: kept %s is not JSON: %q", o.name, k, v)
					}
				}
				if _, err := o.Check(kept.Fields, mode, Refuse); err != nil {
					t.Fatalf("%s: what the default mode kept is refused in strict mode: %v\nkept %v", o.name, err, kept.Fields)
				}
				if strictErr == nil && len(kept.Ignored) > 0 {
					t.Fatalf("%s: strict mode accepted a body whose fields %v the default mode ignored", o.name, kept.Ignored)
				}
			}
		}
		// The rules across fields and items take any body that passed.
		for kind, o := range configOf {
			if checked, err := o.Check(fields, Update, Ignore); err == nil {
				if err := CheckIntegrity(kind, checked.Fields); err != nil {
					wantInvalid(t, err)
				}
			}
		}
	})
}

func wantInvalid(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != agentry.EINVALID || e.Message == "" {
		t.Fatalf("refusal %v (%T) is not an *Error of code EINVALID", err, err)
	}
}
