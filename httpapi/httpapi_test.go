package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/api"
	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/internal/reference"
	"github.com/agentry/agentry/schema"
	"github.com/agentry/agentry/sqlite"
)

// env is a real server on a temp SQLite database with one key per workspace.
type env struct {
	t     *testing.T
	url   string
	keyA  string
	keyB  string
	keys  *agentry.KeyService
	store agentry.Store
}

func newEnv(t *testing.T, configure func(*httpapi.Server)) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "agentry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys := &agentry.KeyService{Store: st}
	a, err := keys.CreateKey(ctx, "a", "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := keys.CreateKey(ctx, "b", "")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httpapi.Server{Service: &agentry.Service{Store: st, Rules: schema.Rules{}}, Keys: keys, Store: st, CacheBytes: 1 << 20,
		AnswerCacheBytes: 8 << 20, Logger: slog.New(slog.DiscardHandler)} // the caches serve has
	if configure != nil {
		configure(srv)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, url: ts.URL, keyA: a, keyB: b, keys: keys, store: st}
}

// strict configures a server as serve --strict does: undeclared body fields
// are refused, in configurations and in the other request bodies alike.
func strict(s *httpapi.Server) {
	s.Strict = true
	s.Service.Rules = schema.Rules{Strict: true}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

func (e *env) do(method, path, key string, body []byte, header ...string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, b}
}

const minimalAgent = `{"voice_id":"retell-Cimo","agent_name":"Desk","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://example.com/llm"}}`

func (e *env) createAgent(key string) string {
	e.t.Helper()
	r := e.do("POST", "/create-agent", key, []byte(minimalAgent))
	if r.status != 201 {
		e.t.Fatalf("create-agent: %d %s", r.status, r.body)
	}
	return r.json(e.t)["agent_id"].(string)
}

// wantError checks the envelope, status and that message contains want.
func wantError(t *testing.T, r response, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	m := r.json(t)
	if m["status"] != "error" || len(m) != 2 {
		t.Errorf("error body %s, want exactly {status:error, message}", r.body)
	}
	if msg, _ := m["message"].(string); !strings.Contains(msg, want) {
		t.Errorf("message %q does not contain %q", msg, want)
	}
}

// In strict mode every kind of bad input is refused; in the default mode the
// same holds except for unknown fields (unknown_test.go).
func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	e := newEnv(t, strict)
	id := e.createAgent(e.keyA)
	before := e.do("GET", "/get-agent-versions/"+id, e.keyA, nil)
	big := append([]byte(`{"agent_name":"`), bytes.Repeat([]byte("x"), httpapi.MaxBodyBytes)...)
	big = append(big, `"}`...)
	cases := []struct {
		name, method, path, body string
		status                   int
		message                  string
	}{
		{"malformed JSON", "PATCH", "/update-agent/" + id, `{"agent_name":`, 400, "request body"},
		{"not an object", "PATCH", "/update-agent/" + id, `[1,2]`, 400, "JSON object"},
		{"wrong type", "PATCH", "/update-agent/" + id, `{"agent_name":5}`, 400, "agent_name"},
		{"out of range", "PATCH", "/update-agent/" + id, `{"voice_speed":9}`, 400, "voice_speed"},
		{"bad enum", "PATCH", "/update-agent/" + id, `{"ambient_sound":"jungle"}`, 400, "ambient_sound"},
		{"unknown field", "PATCH", "/update-agent/" + id, `{"agent_nam":"x"}`, 400, `unknown field "agent_nam"`},
		{"unknown nested field", "PATCH", "/update-agent/" + id, `{"response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x","extra":1}}`, 400, `unknown field "extra"`},
		{"null on non-nullable", "PATCH", "/update-agent/" + id, `{"voice_id":null}`, 400, "voice_id"},
		{"integer field given a fraction", "PATCH", "/update-agent/" + id, `{"max_call_duration_ms":60000.5}`, 400, "max_call_duration_ms"},
		{"negative version", "PATCH", "/update-agent/" + id + "?version=-1", `{}`, 400, "version"},
		{"non-integer version", "GET", "/get-agent/" + id + "?version=1.5", ``, 400, "version"},
		{"reserved tag name", "GET", "/get-agent/" + id + "?version=v2", ``, 400, "version"},
		{"create without voice_id", "POST", "/create-agent", `{"response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"}}`, 400, "voice_id"},
		{"create without response_engine", "POST", "/create-agent", `{"voice_id":"retell-Cimo"}`, 400, "response_engine"},
		{"bad response_engine type", "POST", "/create-agent", `{"voice_id":"v","response_engine":{"type":"gpt"}}`, 400, "response_engine.type"},
		{"create-agent-version without base", "POST", "/create-agent-version/" + id, `{}`, 400, "base_version"},
		{"create-agent-version negative base", "POST", "/create-agent-version/" + id, `{"base_version":-1}`, 400, "base_version"},
		{"publish without version", "POST", "/publish-agent-version/" + id, `{}`, 400, "version"},
		{"publish with string version", "POST", "/publish-agent-version/" + id, `{"version":"0"}`, 400, "version"},
		{"publish with unknown field", "POST", "/publish-agent-version/" + id, `{"version":0,"title":"x"}`, 400, `unknown field "title"`},
		{"delete-agent-version without version", "DELETE", "/delete-agent-version/" + id, ``, 400, "version"},
		{"delete-agent-version bad version", "DELETE", "/delete-agent-version/" + id + "?version=x", ``, 400, "version"},
		{"list limit 0", "GET", "/list-agent-versions/" + id + "?limit=0", ``, 400, "limit"},
		{"list limit 1001", "POST", "/v2/list-agents?limit=1001", ``, 400, "limit"},
		{"list bad sort_order", "POST", "/v2/list-agents?sort_order=up", ``, 400, "sort_order"},
		{"list bad pagination_key", "GET", "/list-agent-versions/" + id + "?pagination_key=zzz", ``, 400, "pagination_key"},
		{"list bad channel", "POST", "/v2/list-agents", `{"filter_criteria":{"channel":{"type":"string","op":"eq","value":"fax"}}}`, 400, "channel"},
		{"body over 1 MiB", "PATCH", "/update-agent/" + id, string(big), 413, "1 MiB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.do(c.method, c.path, e.keyA, []byte(c.body)), c.status, c.message)
		})
	}
	after := e.do("GET", "/get-agent-versions/"+id, e.keyA, nil)
	if !bytes.Equal(before.body, after.body) {
		t.Errorf("bad requests changed the agent:\nbefore %s\nafter  %s", before.body, after.body)
	}
	list := e.do("POST", "/v2/list-agents", e.keyA, nil).json(t)
	if n := len(list["items"].([]any)); n != 1 {
		t.Errorf("bad creates left %d agents, want 1", n)
	}
}

func TestRoutingAndAuthErrors(t *testing.T) {
	e := newEnv(t, nil)
	t.Run("unknown path is 404", func(t *testing.T) {
		wantError(t, e.do("GET", "/no-such-thing", e.keyA, nil), 404, "no such endpoint")
	})
	t.Run("wrong method is 405 with Allow", func(t *testing.T) {
		r := e.do("GET", "/create-agent", e.keyA, nil)
		wantError(t, r, 405, "not allowed")
		if got := r.header.Get("Allow"); got != "POST" {
			t.Errorf("Allow %q, want POST", got)
		}
		r = e.do("PUT", "/get-agent/agent_x", e.keyA, nil)
		wantError(t, r, 405, "not allowed")
		if got := r.header.Get("Allow"); got != "GET, HEAD" {
			t.Errorf("Allow %q, want GET, HEAD", got)
		}
	})
	for name, key := range map[string]string{
		"missing key":   "",
		"malformed key": "hello",
		"unknown key":   "key_00000000000000000000000000000000",
	} {
		t.Run(name+" is 401", func(t *testing.T) {
			wantError(t, e.do("POST", "/v2/list-agents", key, nil), 401, "API key is missing or invalid")
		})
	}
	t.Run("healthz needs no key", func(t *testing.T) {
		if r := e.do("GET", "/healthz", "", nil); r.status != 200 {
			t.Fatalf("healthz %d", r.status)
		}
		if r := e.do("GET", "/readyz", "", nil); r.status != 200 {
			t.Fatalf("readyz %d", r.status)
		}
	})
	t.Run("every response carries the server's own request id", func(t *testing.T) {
		// A client's id is logged beside the server's (hygiene_test.go),
		// never instead of it: a log line must name one request.
		r := e.do("GET", "/healthz", "", nil, "X-Request-Id", "trace-123")
		if got := r.header.Get("X-Request-Id"); !strings.HasPrefix(got, "req_") {
			t.Errorf("X-Request-Id %q, want the server's own req_…", got)
		}
		if got := e.do("GET", "/healthz", "", nil).header.Get("X-Request-Id"); !strings.HasPrefix(got, "req_") {
			t.Errorf("generated X-Request-Id %q", got)
		}
	})
}

// Every operation that addresses a resource answers a missing one with the
// not-found status its table entry gives (422 with Retell's wording on the
// older endpoints, 404 on the others), and another workspace's resource
// exactly like a missing one.
func TestNotFoundStatusFollowsTheTable(t *testing.T) {
	e := newEnv(t, nil)
	id := e.createAgent(e.keyA)
	// Bodies that pass validation, so that the lookup is what fails.
	bodies := map[string]string{"createAgentVersion": `{"base_version":0}`, "publishAgentVersion": `{"version":0}`,
		"getAppToolSchema": `{"app_tool_template_name":"x"}`,
		"putAgentTag":      `{"version":null}`, "revertAgentTag": `{"seq":1}`, "putRoutingMode": `{"mode":"sticky"}`}
	// Required query parameters, likewise.
	queries := map[string]string{"getMCPTools": "?mcp_id=x"}
	for _, op := range api.Operations {
		if !strings.Contains(op.Path, "{") {
			continue
		}
		if op.Missing == 0 {
			t.Errorf("%s addresses a resource but its entry gives no not-found status", op.ID)
			continue
		}
		t.Run(op.ID, func(t *testing.T) {
			body := bodies[op.ID]
			if body == "" && op.Body != nil {
				body = "{}"
			}
			path := op.Path
			for _, p := range op.Params {
				if p.In == "path" {
					path = strings.ReplaceAll(path, "{"+p.Name+"}", "missing_0123")
				}
			}
			if strings.Contains(op.ID, "AgentVersion") && op.Method == "DELETE" {
				path += "?version=0"
			}
			path += queries[op.ID]
			r := e.do(op.Method, path, e.keyA, []byte(body))
			want := "not found"
			if op.Missing == 422 {
				want = "Cannot find requested asset under given api key"
			}
			wantError(t, r, op.Missing, want)
			if op.Missing != r.status {
				return
			}
			// The other workspace's agent, where the path names an agent.
			if strings.Contains(op.Path, "{agent_id}") && !strings.Contains(op.ID, "Chat") {
				other := e.do(op.Method, strings.ReplaceAll(path, "missing_0123", id), e.keyB, []byte(body))
				if other.status != op.Missing {
					t.Errorf("workspace B got %d for A's agent, want %d like a missing agent", other.status, op.Missing)
				}
			}
		})
	}
	// A missing version of an existing agent: the same statuses.
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/get-agent/" + id + "?version=7", ""},
		{"POST", "/create-agent-version/" + id, `{"base_version":9}`},
		{"POST", "/publish-agent-version/" + id, `{"version":9}`},
		{"DELETE", "/delete-agent-version/" + id + "?version=9", ""},
	} {
		r := e.do(c.method, c.path, e.keyA, []byte(c.body))
		want := 404
		if c.method == "GET" {
			want = 422
		}
		wantError(t, r, want, "no version")
	}
}

func TestResponsesMatchTheReferenceSchemas(t *testing.T) {
	e := newEnv(t, nil)
	full := `{"voice_id":"retell-Cimo","agent_name":"Full","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://example.com/llm"},
	  "voice_speed":1.2,"language":["en-US","es-ES"],"ambient_sound":"coffee-shop","webhook_url":"https://example.com/hook",
	  "post_call_analysis_data":[{"type":"string","name":"topic","description":"what the call was about"}],
	  "voicemail_option":{"action":{"type":"static_text","text":"call back"}},"version_title":"first"}`
	r := e.do("POST", "/create-agent", e.keyA, []byte(full))
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	reference.Validate(t, "AgentResponse", r.body)
	id := r.json(t)["agent_id"].(string)
	if r := e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(`{"version":0,"version_description":"launch"}`)); r.status != 200 || len(r.body) != 0 {
		t.Fatalf("publish: %d %q", r.status, r.body)
	}
	draft := e.do("POST", "/create-agent-version/"+id, e.keyA, []byte(`{"base_version":0}`))
	reference.Validate(t, "AgentResponse", draft.body)
	reference.Validate(t, "AgentResponse", e.do("GET", "/get-agent/"+id+"?version=0", e.keyA, nil).body)

	var versions []json.RawMessage
	if err := json.Unmarshal(e.do("GET", "/get-agent-versions/"+id, e.keyA, nil).body, &versions); err != nil || len(versions) != 2 {
		t.Fatalf("get-agent-versions: %v, %d items", err, len(versions))
	}
	for _, v := range versions {
		reference.Validate(t, "AgentResponse", v)
	}
	var page struct{ Items []json.RawMessage }
	json.Unmarshal(e.do("GET", "/list-agent-versions/"+id, e.keyA, nil).body, &page)
	for _, v := range page.Items {
		reference.Validate(t, "AgentVersionSummary", v)
	}
	json.Unmarshal(e.do("POST", "/v2/list-agents", e.keyA, nil).body, &page)
	for _, v := range page.Items {
		reference.Validate(t, "AgentListItemResponse", v)
	}
}

func TestPublishedCacheForgetsDeletedVersions(t *testing.T) {
	e := newEnv(t, nil)
	id := e.createAgent(e.keyA)
	e.do("POST", "/create-agent-version/"+id, e.keyA, []byte(`{"base_version":0}`))
	e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(`{"version":1}`))
	first := e.do("GET", "/get-agent/"+id+"?version=1", e.keyA, nil)
	second := e.do("GET", "/get-agent/"+id+"?version=1", e.keyA, nil)
	if first.status != 200 || !bytes.Equal(first.body, second.body) || first.header.Get("ETag") != second.header.Get("ETag") {
		t.Fatalf("cached read differs:\n%s\n%s", first.body, second.body)
	}
	if r := e.do("GET", "/get-agent/"+id+"?version=1", e.keyB, nil); r.status != 422 {
		t.Fatalf("workspace B read A's cached version: %d", r.status)
	}
	if r := e.do("DELETE", "/delete-agent-version/"+id+"?version=1", e.keyA, nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantError(t, e.do("GET", "/get-agent/"+id+"?version=1", e.keyA, nil), 422, "no version 1")

	e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(`{"version":0}`))
	e.do("GET", "/get-agent/"+id+"?version=0", e.keyA, nil)
	e.do("DELETE", "/delete-agent/"+id, e.keyA, nil)
	wantError(t, e.do("GET", "/get-agent/"+id+"?version=0", e.keyA, nil), 422, "not found")
}

func TestRevokedKeyIsRefused(t *testing.T) {
	e := newEnv(t, nil) // KeyTTL 0: every request checks the database
	if r := e.do("POST", "/v2/list-agents", e.keyA, nil); r.status != 200 {
		t.Fatalf("valid key: %d", r.status)
	}
	if err := e.keys.RevokeKey(context.Background(), e.keyA[:agentry.KeyPrefixLen]); err != nil {
		t.Fatal(err)
	}
	wantError(t, e.do("POST", "/v2/list-agents", e.keyA, nil), 401, "API key")
}

func TestIfMatch(t *testing.T) {
	e := newEnv(t, nil)
	id := e.createAgent(e.keyA)
	etag := e.do("GET", "/get-agent/"+id, e.keyA, nil).header.Get("ETag")
	if etag == "" {
		t.Fatal("get-agent sent no ETag")
	}
	r := e.do("PATCH", "/update-agent/"+id, e.keyA, []byte(`{"agent_name":"one"}`), "If-Match", etag)
	if r.status != 200 {
		t.Fatalf("update with current ETag: %d %s", r.status, r.body)
	}
	wantError(t, e.do("PATCH", "/update-agent/"+id, e.keyA, []byte(`{"agent_name":"two"}`), "If-Match", etag), 412, "Precondition failed")
	wantError(t, e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(`{"version":0}`), "If-Match", etag), 412, "Precondition failed")
	if got := e.do("GET", "/get-agent/"+id, e.keyA, nil).json(t); got["agent_name"] != "one" || got["is_published"] != false {
		t.Errorf("a refused conditional request changed the version: %v", got)
	}
	if r := e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(`{"version":0}`), "If-Match", r.header.Get("ETag")); r.status != 200 {
		t.Errorf("publish with the current ETag: %d %s", r.status, r.body)
	}
}
