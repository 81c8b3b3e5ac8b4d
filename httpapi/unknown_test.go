package httpapi_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/agentry/agentry/httpapi"
)

// logBuffer collects a server's log lines; the server writes from its own
// goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lines returns the log lines that contain every one of parts.
func (l *logBuffer) lines(parts ...string) []string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		all := line != ""
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			out = append(out, line)
		}
	}
	return out
}

// logTo sends a server's log to l.
func logTo(l *logBuffer) func(*httpapi.Server) {
	return func(s *httpapi.Server) { s.Logger = slog.New(slog.NewTextHandler(l, nil)) }
}

// Third-party requests: fields of other API revisions (an older agent field,
// a field of another engine type, a misspelt nested flag) and fields at any
// depth. By default each is accepted, left out of what is stored, named in
// Agentry-Ignored-Fields and in a warning log line with the request id.
func TestUnknownFieldsAreIgnoredByDefault(t *testing.T) {
	var log logBuffer
	e := newEnv(t, logTo(&log))
	id := e.createAgent(e.keyA)
	llm := e.createEngine(engineKinds[0], e.keyA, minimalLLM)
	cases := []struct {
		name, method, path, body string
		status                   int
		ignored                  string
		// read answers what was stored, which must hold none of the ignored fields
		read string
	}{
		{"create-agent with an older field", "POST", "/create-agent",
			`{"voice_id":"retell-Cimo","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"},"enable_voicemail_detection":true,"normalize_for_speech":true}`,
			201, "enable_voicemail_detection, normalize_for_speech", ""},
		{"update-agent, nested and in a list item", "PATCH", "/update-agent/" + id,
			`{"voicemail_option":{"action":{"type":"hangup","beep":1}},"pronunciation_dictionary":[{"word":"a","alphabet":"ipa","phoneme":"a","stress":2}],"response_engine":{"type":"custom-llm","llm_websocket_url":"wss://y","llm_id":"llm_1"}}`,
			200, "pronunciation_dictionary[0].stress, response_engine.llm_id, voicemail_option.action.beep", "/get-agent/" + id},
		{"create-agent-version: closed by the reference", "POST", "/create-agent-version/" + id, `{"base_version":0,"copy_tags":true}`,
			400, "", ""},
		{"publish-agent-version", "POST", "/publish-agent-version/" + id, `{"version":0,"publish_note":"x"}`, 200, "publish_note", ""},
		{"list-agents filter", "POST", "/v2/list-agents", `{"filter_criteria":{"query":"","Query":"x","owner":"me"},"page":2}`,
			200, `filter_criteria.Query, filter_criteria.owner, page`, ""},
		{"update-retell-llm", "PATCH", "/update-retell-llm/" + llm, `{"general_prompt":"p","inbound_dynamic_variables_webhook_url":"https://x"}`,
			200, "inbound_dynamic_variables_webhook_url", "/get-retell-llm/" + llm},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(c.method, c.path, e.keyA, []byte(c.body))
			if c.status == 400 {
				wantError(t, r, 400, "unknown field")
				return
			}
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if got := r.header.Get(httpapi.IgnoredFieldsHeader); got != c.ignored {
				t.Errorf("%s: %q, want %q", httpapi.IgnoredFieldsHeader, got, c.ignored)
			}
			stored := r.body
			if c.read != "" {
				stored = e.do("GET", c.read, e.keyA, nil).body
			}
			for _, f := range strings.Split(c.ignored, ", ") {
				leaf := f[strings.LastIndexAny(f, ".")+1:]
				if bytes.Contains(stored, []byte(`"`+leaf+`"`)) {
					t.Errorf("ignored field %s was stored: %s", f, stored)
				}
			}
			reqID := r.header.Get("X-Request-Id")
			if lines := log.lines("level=WARN", "ignored unknown fields", "request_id="+reqID, c.ignored); len(lines) != 1 {
				t.Errorf("want one warning naming %q with request id %s, got %q", c.ignored, reqID, lines)
			}
		})
	}
	// What was not ignored was applied.
	got := e.do("GET", "/get-agent/"+id+"?version=0", e.keyA, nil).json(t)
	if vm, _ := got["voicemail_option"].(map[string]any); vm == nil || got["is_published"] != true {
		t.Errorf("the update and publish did not apply: %v", got)
	}
	// A request without unknown fields names none.
	if r := e.do("GET", "/get-agent/"+id, e.keyA, nil); r.header.Values(httpapi.IgnoredFieldsHeader) != nil {
		t.Errorf("a clean request got %s: %q", httpapi.IgnoredFieldsHeader, r.header.Values(httpapi.IgnoredFieldsHeader))
	}
}

// In strict mode the same requests are a 400 that names the fields, and
// nothing changes.
func TestUnknownFieldsAreRefusedWhenStrict(t *testing.T) {
	e := newEnv(t, strict)
	id := e.createAgent(e.keyA)
	before := e.do("GET", "/get-agent-versions/"+id, e.keyA, nil)
	for _, c := range []struct{ method, path, body, message string }{
		{"POST", "/create-agent", `{"voice_id":"retell-Cimo","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"},"enable_voicemail_detection":true}`, `unknown field "enable_voicemail_detection"`},
		{"PATCH", "/update-agent/" + id, `{"voicemail_option":{"action":{"type":"hangup","beep":1}}}`, `voicemail_option.action: unknown field "beep"`},
		{"POST", "/publish-agent-version/" + id, `{"version":0,"publish_note":"x"}`, `unknown field "publish_note"`},
		{"POST", "/v2/list-agents", `{"filter_criteria":{"owner":"me"}}`, `filter_criteria: unknown field "owner"`},
		{"POST", "/create-retell-llm", `{"general_promt":"x"}`, `unknown field "general_promt"`},
	} {
		wantError(t, e.do(c.method, c.path, e.keyA, []byte(c.body)), 400, c.message)
	}
	if after := e.do("GET", "/get-agent-versions/"+id, e.keyA, nil); !bytes.Equal(before.body, after.body) {
		t.Errorf("refused requests changed the agent:\n%s\n%s", before.body, after.body)
	}
}

// Objects the reference closes refuse unknown fields in both modes.
func TestClosedObjectsAreStrictInBothModes(t *testing.T) {
	for name, configure := range map[string]func(*httpapi.Server){"default": nil, "strict": strict} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, configure)
			id := e.createAgent(e.keyA)
			for _, c := range []struct{ method, path, body, message string }{
				{"PATCH", "/update-agent/" + id, `{"contact_memory_config":{"enable_write":true}}`, `contact_memory_config: unknown field "enable_write"`},
				{"PATCH", "/update-agent/" + id, `{"call_screening_option":{"agent_identity":"a","call_purpose":"b","tone":"x"}}`, `call_screening_option: unknown field "tone"`},
				{"POST", "/create-agent-version/" + id, `{"base_version":0,"copy_tags":true}`, `unknown field "copy_tags"`},
			} {
				wantError(t, e.do(c.method, c.path, e.keyA, []byte(c.body)), 400, c.message)
			}
		})
	}
}

// The header names at most 100 fields; the log line says the same.
func TestIgnoredFieldsHeaderIsBounded(t *testing.T) {
	e := newEnv(t, nil)
	var b strings.Builder
	b.WriteString(`{"voice_id":"retell-Cimo","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"}`)
	for i := range 150 {
		b.WriteString(`,"x` + string(rune('a'+i%26)) + strings.Repeat("z", i/26) + `":1`)
	}
	b.WriteString(`}`)
	r := e.do("POST", "/create-agent", e.keyA, []byte(b.String()))
	if r.status != 201 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	names := strings.Split(r.header.Get(httpapi.IgnoredFieldsHeader), ", ")
	if len(names) != 101 || names[100] != "..." {
		t.Errorf("header lists %d names ending %q, want 100 and ...", len(names), names[len(names)-1])
	}
	r = e.do("POST", "/create-agent", e.keyA, []byte(`{"voice_id":"retell-Cimo","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"},"we\"ird key\n":1}`))
	if got := r.header.Get(httpapi.IgnoredFieldsHeader); got != `"we\"ird key\n"` {
		t.Errorf("a key that is not a plain name is quoted: got %s", got)
	}
}

// The objects beyond agents and engines (tags, webhooks, phone numbers,
// resolve, knowledge bases as multipart, test cases, apps) take unknown
// fields as every body does: ignored and named by default, refused with
// --strict, and in neither mode stored.
func TestUnknownFieldsOfEveryKindOfBody(t *testing.T) {
	for _, mode := range []string{"default", "strict"} {
		t.Run(mode, func(t *testing.T) {
			var configure func(*httpapi.Server)
			if mode == "strict" {
				configure = strict
			}
			e := newEnv(t, configure)
			agent := e.createAgent(e.keyA)
			llm := e.createEngine(engineKinds[0], e.keyA, minimalLLM)
			engine := fmt.Sprintf(`{"type":"retell-llm","llm_id":%q}`, llm)
			testCase := e.do("POST", "/create-test-case-definition", e.keyA, []byte(`{"name":"n","response_engine":`+engine+`,"user_prompt":"u","metrics":["m"]}`))
			if testCase.status != 201 {
				t.Fatalf("create-test-case-definition: %d %s", testCase.status, testCase.body)
			}
			caseID := testCase.json(t)["test_case_definition_id"].(string)
			kbParts := []part{{name: "knowledge_base_name", body: "k"}, {name: "knowledge_base_nmae", body: "zzq"}}
			for _, c := range []struct {
				name, method, path, body, field string
				multipart                       []part
				ok                              int
			}{
				{name: "tag", method: "PUT", path: "/agentry/v1/agents/" + agent + "/tags/prod", body: `{"version":0,"extra":"zzq"}`, field: "extra", ok: 200},
				{name: "webhook", method: "POST", path: "/agentry/v1/webhooks", body: `{"url":"https://hooks.example.com/a","events":["*"],"secret":"zzq"}`, field: "secret", ok: 201},
				{name: "phone number", method: "POST", path: "/create-phone-number", body: `{"area_code":415,"nick_name":"zzq"}`, field: "nick_name", ok: 201},
				{name: "resolve", method: "POST", path: "/agentry/v1/resolve", body: `{"agent_id":"` + agent + `","agent_version":0,"caller":"zzq"}`, field: "caller", ok: 200},
				{name: "test case", method: "PUT", path: "/update-test-case-definition/" + caseID, body: `{"nam":"zzq"}`, field: "nam", ok: 200},
				{name: "app", method: "POST", path: "/create-app", body: `{"type":"crm","provider":"hubspot","name":"Sales","colour":"zzq"}`, field: "colour", ok: 201},
				{name: "knowledge base (multipart)", method: "POST", path: "/create-knowledge-base", multipart: kbParts, field: "knowledge_base_nmae", ok: 201},
			} {
				t.Run(c.name, func(t *testing.T) {
					var r response
					if c.multipart != nil {
						r = e.upload(c.path, e.keyA, c.multipart...)
					} else {
						r = e.do(c.method, c.path, e.keyA, []byte(c.body))
					}
					if mode == "strict" {
						wantError(t, r, 400, `unknown field "`+c.field+`"`)
						return
					}
					if r.status != c.ok {
						t.Fatalf("%d %s, want %d", r.status, r.body, c.ok)
					}
					if got := r.header.Get(httpapi.IgnoredFieldsHeader); got != c.field {
						t.Errorf("%s = %q, want %q", httpapi.IgnoredFieldsHeader, got, c.field)
					}
					if strings.Contains(string(r.body), "zzq") {
						t.Errorf("the ignored field's value came back in the answer: %s", r.body)
					}
				})
			}
		})
	}
}
