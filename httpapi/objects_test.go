package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/internal/reference"
)

// part is one part of a multipart body; filename makes it a file.
type part struct{ name, filename, ctype, body string }

func multipartBody(t *testing.T, parts ...part) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := fmt.Sprintf(`form-data; name=%q`, p.name)
		if p.filename != "" {
			disp += fmt.Sprintf(`; filename=%q`, p.filename)
		}
		h.Set("Content-Disposition", disp)
		if p.ctype != "" {
			h.Set("Content-Type", p.ctype)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(p.body))
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func (e *env) upload(path, key string, parts ...part) response {
	e.t.Helper()
	ct, body := multipartBody(e.t, parts...)
	return e.do("POST", path, key, body, "Content-Type", ct)
}

// validateAnswer checks body against the success schema the reference
// gives an operation inline.
func validateAnswer(t *testing.T, path, method string, body []byte) {
	t.Helper()
	s := reference.Spec(t).Paths.Find(path).GetOperation(method).Responses.Value("200").Value.Content.Get("application/json").Schema.Value
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	if err := s.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		t.Errorf("%s answer does not match the reference: %v\n%s", path, err, body)
	}
}

func TestKnowledgeBaseMultipart(t *testing.T) {
	e := newEnv(t, nil)
	r := e.upload("/create-knowledge-base", e.keyA,
		part{name: "knowledge_base_name", body: "Clinic FAQ"},
		part{name: "knowledge_base_texts", body: `[{"title":"Hours","text":"Open 9 to 5."}]`},
		part{name: "knowledge_base_urls", body: `["https://example.com/faq"]`},
		part{name: "knowledge_base_files", filename: "menu.txt", ctype: "text/plain", body: "soup\x00salad"},
		part{name: "knowledge_base_files", filename: "prices.csv", body: "a,b"},
		part{name: "enable_auto_refresh", body: "true"},
		part{name: "max_chunk_size", body: "1500"},
	)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	reference.Validate(t, "KnowledgeBaseResponse", r.body)
	kb := r.json(t)
	id := kb["knowledge_base_id"].(string)
	if kb["max_chunk_size"] != 1500.0 || kb["min_chunk_size"] != 400.0 || kb["enable_auto_refresh"] != true || kb["knowledge_base_name"] != "Clinic FAQ" {
		t.Errorf("created %s", r.body)
	}
	got := e.do("GET", "/get-knowledge-base/"+id, e.keyA, nil)
	reference.Validate(t, "KnowledgeBaseResponse", got.body)
	sources := got.json(t)["knowledge_base_sources"].([]any)
	if len(sources) != 4 {
		t.Fatalf("sources %s", got.body)
	}
	file := sources[1].(map[string]any)
	if file["type"] != "document" || file["filename"] != "menu.txt" || file["file_size"] != 10.0 {
		t.Errorf("file source %v", file)
	}
	// The file_url serves the bytes as sent, with the key.
	url := file["file_url"].(string)
	path := strings.TrimPrefix(url, e.url)
	if path == url {
		t.Fatalf("file_url %s is not on this server (%s)", url, e.url)
	}
	content := e.do("GET", path, e.keyA, nil)
	if content.status != 200 || string(content.body) != "soup\x00salad" || content.header.Get("Content-Type") != "text/plain" ||
		content.header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(content.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("content: %d %q %v", content.status, content.body, content.header)
	}
	if other := e.do("GET", path, e.keyB, nil); other.status != 404 {
		t.Errorf("workspace B reads A's source: %d", other.status)
	}
	text := e.do("GET", strings.TrimPrefix(sources[0].(map[string]any)["content_url"].(string), e.url), e.keyA, nil)
	if string(text.body) != "Open 9 to 5." {
		t.Errorf("text content %q", text.body)
	}

	// URLs may also come one part each; add-knowledge-base-sources answers 201.
	add := e.upload("/add-knowledge-base-sources/"+id, e.keyA,
		part{name: "knowledge_base_urls", body: "https://example.com/a"}, part{name: "knowledge_base_urls", body: "https://example.com/b"})
	if add.status != 201 {
		t.Fatalf("add: %d %s", add.status, add.body)
	}
	reference.Validate(t, "KnowledgeBaseResponse", add.body)
	var list []json.RawMessage
	if err := json.Unmarshal(e.do("GET", "/list-knowledge-bases", e.keyA, nil).body, &list); err != nil || len(list) != 1 {
		t.Fatalf("list: %v %d", err, len(list))
	}
	reference.Validate(t, "KnowledgeBaseResponse", list[0])
	del := e.do("DELETE", "/delete-knowledge-base-source/"+id+"/source/"+sources[0].(map[string]any)["source_id"].(string), e.keyA, nil)
	if del.status != 200 {
		t.Fatalf("delete source: %d %s", del.status, del.body)
	}
	reference.Validate(t, "KnowledgeBaseResponse", del.body)
}

func TestKnowledgeBaseIndexingAsPolled(t *testing.T) {
	e := newEnv(t, func(s *httpapi.Server) { s.Service.KnowledgeBaseIndexing = 300 * time.Millisecond })
	r := e.upload("/create-knowledge-base", e.keyA, part{name: "knowledge_base_name", body: "slow"},
		part{name: "knowledge_base_texts", body: `[{"title":"t","text":"x"}]`})
	kb := r.json(t)
	if kb["status"] != "in_progress" || len(kb["knowledge_base_sources"].([]any)) != 0 {
		t.Fatalf("new knowledge base: %s", r.body)
	}
	id := kb["knowledge_base_id"].(string)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := e.do("GET", "/get-knowledge-base/"+id, e.keyA, nil).json(t)
		if got["status"] == "complete" {
			if len(got["knowledge_base_sources"].([]any)) != 1 {
				t.Errorf("complete without its source: %v", got)
			}
			break
		}
		if got["status"] != "in_progress" || time.Now().After(deadline) {
			t.Fatalf("polled %v", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestMultipartBodiesAreChecked(t *testing.T) {
	e := newEnv(t, nil)
	kb := e.upload("/create-knowledge-base", e.keyA, part{name: "knowledge_base_name", body: "kb"}).json(t)["knowledge_base_id"].(string)
	for _, c := range []struct {
		name   string
		path   string
		parts  []part
		status int
		want   string
	}{
		{"name missing", "/create-knowledge-base", []part{{name: "knowledge_base_urls", body: `[]`}}, 400, "knowledge_base_name: is required"},
		{"name too long", "/create-knowledge-base", []part{{name: "knowledge_base_name", body: strings.Repeat("n", 40)}}, 400, "knowledge_base_name: must be at most 39"},
		{"chunk not a number", "/create-knowledge-base", []part{{name: "knowledge_base_name", body: "k"}, {name: "max_chunk_size", body: "big"}}, 400, "max_chunk_size: must be an integer"},
		{"chunk out of range", "/create-knowledge-base", []part{{name: "knowledge_base_name", body: "k"}, {name: "min_chunk_size", body: "100"}}, 400, "min_chunk_size: must be between 200 and 2000"},
		{"min not below max", "/create-knowledge-base", []part{{name: "knowledge_base_name", body: "k"}, {name: "max_chunk_size", body: "600"}, {name: "min_chunk_size", body: "600"}}, 400, "min_chunk_size: must be less than max_chunk_size"},
		{"texts not JSON", "/create-knowledge-base", []part{{name: "knowledge_base_name", body: "k"}, {name: "knowledge_base_texts", body: `[{"title":`}}, 400, "knowledge_base_texts[0]: must be an object"},
		{"text without title", "/create-knowledge-base", []part{{name: "knowledge_base_name", body: "k"}, {name: "knowledge_base_texts", body: `[{"text":"x"}]`}}, 400, "knowledge_base_texts[0].title: is required"},
		{"bad URL", "/create-knowledge-base", []part{{name: "knowledge_base_name", body: "k"}, {name: "knowledge_base_urls", body: `["not a url"]`}}, 400, "knowledge_base_urls[0]"},
		{"text as a file", "/create-knowledge-base", []part{{name: "knowledge_base_name", filename: "n.txt", body: "k"}}, 400, "knowledge_base_name: must be a text field"},
		{"file as text", "/create-knowledge-base", []part{{name: "knowledge_base_name", body: "k"}, {name: "knowledge_base_files", body: "x"}}, 400, "knowledge_base_files: must be a file part"},
		{"name twice", "/create-knowledge-base", []part{{name: "knowledge_base_name", body: "k"}, {name: "knowledge_base_name", body: "j"}}, 400, "sent 2 times"},
		{"nothing to add", "/add-knowledge-base-sources/" + kb, nil, 400, "at least one source"},
		{"clone without files", "/clone-voice", []part{{name: "voice_name", body: "v"}, {name: "voice_provider", body: "elevenlabs"}}, 400, "files: is required"},
		{"clone bad provider", "/clone-voice", []part{{name: "voice_name", body: "v"}, {name: "voice_provider", body: "openai"}, {name: "files", filename: "a.wav", body: "RIFF0000WAVE"}}, 400, "voice_provider: must be one of"},
		{"asset without file", "/create-asset", nil, 400, "file: is required"},
		{"two asset files", "/create-asset", []part{{name: "file", filename: "a.png", body: "x"}, {name: "file", filename: "b.png", body: "y"}}, 400, "file: takes one file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.upload(c.path, e.keyA, c.parts...), c.status, c.want)
		})
	}
	// Not multipart at all: 415.
	wantError(t, e.do("POST", "/create-knowledge-base", e.keyA, []byte(`{"knowledge_base_name":"k"}`), "Content-Type", "application/json"),
		415, "multipart/form-data")
	unterminated := "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nabc"
	wantError(t, e.do("POST", "/create-asset", e.keyA, []byte(unterminated), "Content-Type", "multipart/form-data; boundary=x"), 400, "malformed multipart")
	var kbs []any
	json.Unmarshal(e.do("GET", "/list-knowledge-bases", e.keyA, nil).body, &kbs)
	if len(kbs) != 1 {
		t.Errorf("refused bodies created knowledge bases: %d", len(kbs))
	}
}

func TestUploadLimits(t *testing.T) {
	e := newEnv(t, nil)
	// A file over its operation's limit: 413 naming it.
	big := strings.Repeat("a", agentry.MaxAssetBytes+1)
	wantError(t, e.upload("/create-asset", e.keyA, part{name: "file", filename: "hold.wav", body: big}), 413, "file (hold.wav): larger than the limit of 10 MiB")
	// A body over MaxUploadBytes, each file within its limit: 413.
	half := strings.Repeat("b", httpapi.MaxUploadBytes/2+1)
	wantError(t, e.upload("/create-knowledge-base", e.keyA, part{name: "knowledge_base_name", body: "k"},
		part{name: "knowledge_base_files", filename: "a.txt", body: half}, part{name: "knowledge_base_files", filename: "b.txt", body: half}),
		413, "request body: larger than the limit of 64 MiB")
	// JSON bodies keep their 1 MiB.
	wantError(t, e.do("POST", "/create-conversation-flow-component", e.keyA, []byte(`{"name":"`+strings.Repeat("x", httpapi.MaxBodyBytes)+`"}`)), 413, "1 MiB")
	// Within the limits: a 9 MiB asset.
	ok := e.upload("/create-asset", e.keyA, part{name: "file", filename: "hold.wav", body: "RIFF\x00\x00\x00\x00WAVE" + strings.Repeat("x", 9<<20)})
	if ok.status != 201 {
		t.Fatalf("9 MiB asset: %d %s", ok.status, ok.body)
	}
}

func TestComponentEndpoints(t *testing.T) {
	e := newEnv(t, nil)
	body := `{"name":"Collect","start_node_id":"ask","nodes":[{"id":"ask","type":"conversation","instruction":{"type":"prompt","text":"Name?"},
		"edges":[{"id":"e1","destination_node_id":"done","transition_condition":{"type":"prompt","prompt":"given"}}]},{"id":"done","type":"end"}]}`
	r := e.do("POST", "/create-conversation-flow-component", e.keyA, []byte(body))
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	reference.Validate(t, "ConversationFlowComponentResponse", r.body)
	c := r.json(t)
	id := c["conversation_flow_component_id"].(string)
	if links, ok := c["linked_conversation_flow_ids"].([]any); !ok || len(links) != 0 {
		t.Errorf("linked_conversation_flow_ids = %v, want []", c["linked_conversation_flow_ids"])
	}
	etag := r.header.Get("Etag")
	up := e.do("PATCH", "/update-conversation-flow-component/"+id, e.keyA, []byte(`{"name":"Collect details"}`), "If-Match", etag)
	if up.status != 200 || up.json(t)["name"] != "Collect details" || up.header.Get("Etag") == etag {
		t.Fatalf("update: %d %s", up.status, up.body)
	}
	reference.Validate(t, "ConversationFlowComponentResponse", up.body)
	wantError(t, e.do("PATCH", "/update-conversation-flow-component/"+id, e.keyA, []byte(`{"name":"x"}`), "If-Match", etag), 412, "Precondition failed")
	for _, c := range []struct{ name, body, want string }{
		{"name missing", `{"nodes":[]}`, "name: is required"},
		{"nodes missing", `{"name":"x"}`, "nodes: is required"},
		{"node without id", `{"name":"x","nodes":[{"type":"end"}]}`, "nodes[0].id: is required"},
		{"edge to nowhere", `{"name":"x","nodes":[{"id":"a","type":"conversation","edges":[{"id":"e","destination_node_id":"zz","transition_condition":{"type":"prompt","prompt":"p"}}]}]}`, `nodes[0].edges[0].destination_node_id: no node has id "zz"`},
		{"unknown field", `{"name":"x","nodes":[],"nmae":"y"}`, `unknown field "nmae"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.do("POST", "/create-conversation-flow-component", e.keyA, []byte(c.body)), 400, c.want)
		})
	}
	wantError(t, e.do("PATCH", "/update-conversation-flow-component/"+id, e.keyA, []byte(`{"start_node_id":"nope"}`)), 400, "start_node_id")
	// A missing knowledge base named by a component is the reference's 404.
	wantError(t, e.do("POST", "/create-conversation-flow-component", e.keyA,
		[]byte(`{"name":"x","nodes":[{"id":"a","type":"conversation","knowledge_base_ids":["knowledge_base_none"]}]}`)), 404, "nodes[0].knowledge_base_ids[0]")
	// A flow naming a missing component is the flow's 422.
	wantError(t, e.do("POST", "/create-conversation-flow", e.keyA, []byte(`{"start_speaker":"agent","model_choice":{"type":"cascading","model":"gpt-4.1"},
		"nodes":[{"id":"c","type":"component","component_type":"shared","component_id":"component_none"}]}`)), 422, "Cannot find requested asset under given api key: nodes[0].component_id")
	list := e.do("GET", "/v2/list-conversation-flow-components?limit=1", e.keyA, nil)
	validateAnswer(t, "/v2/list-conversation-flow-components", "GET", list.body)
	if e.do("DELETE", "/delete-conversation-flow-component/"+id, e.keyA, nil).status != 204 {
		t.Fatal("delete")
	}
	wantError(t, e.do("GET", "/get-conversation-flow-component/"+id, e.keyA, nil), 404, "not found")
}

func TestVoiceAssetAndAccountEndpoints(t *testing.T) {
	e := newEnv(t, nil)
	var voices []json.RawMessage
	if err := json.Unmarshal(e.do("GET", "/list-voices", e.keyA, nil).body, &voices); err != nil || len(voices) != len(agentry.CatalogVoices()) {
		t.Fatalf("list-voices: %v, %d", err, len(voices))
	}
	for _, v := range voices {
		reference.Validate(t, "VoiceResponse", v)
	}
	reference.Validate(t, "VoiceResponse", e.do("GET", "/get-voice/retell-Cimo", e.keyA, nil).body)
	wantError(t, e.do("GET", "/get-voice/11labs-Nobody", e.keyA, nil), 422, "Cannot find requested asset under given api key")
	cloned := e.upload("/clone-voice", e.keyA, part{name: "voice_name", body: "Founder"}, part{name: "voice_provider", body: "cartesia"},
		part{name: "files", filename: "sample.wav", ctype: "audio/wav", body: "RIFF\x00\x00\x00\x00WAVEfmt "})
	if cloned.status != 201 {
		t.Fatalf("clone: %d %s", cloned.status, cloned.body)
	}
	reference.Validate(t, "VoiceResponse", cloned.body)
	added := e.do("POST", "/add-community-voice", e.keyA, []byte(`{"provider_voice_id":"21m00Tcm4TlvDq8ikWAM","voice_name":"Rachel","public_user_id":"u"}`))
	if added.status != 200 {
		t.Fatalf("add community voice: %d %s", added.status, added.body)
	}
	reference.Validate(t, "VoiceResponse", added.body)
	search := e.do("POST", "/search-community-voice", e.keyA, []byte(`{"search_query":"narration"}`))
	validateAnswer(t, "/search-community-voice", "POST", search.body)
	if n := len(search.json(t)["voices"].([]any)); n < 2 {
		t.Errorf("search found %d voices: %s", n, search.body)
	}
	wantError(t, e.do("POST", "/search-community-voice", e.keyA, []byte(`{}`)), 400, "search_query: is required")

	asset := e.upload("/create-asset", e.keyA, part{name: "file", filename: "hold.mp3", ctype: "audio/mpeg", body: "ID3\x04\x00music"})
	if asset.status != 201 {
		t.Fatalf("create-asset: %d %s", asset.status, asset.body)
	}
	reference.Validate(t, "Asset", asset.body)
	a := asset.json(t)
	content := e.do("GET", strings.TrimPrefix(a["url"].(string), e.url), e.keyA, nil)
	if content.status != 200 || string(content.body) != "ID3\x04\x00music" || content.header.Get("Content-Type") != "audio/mpeg" {
		t.Errorf("asset content: %d %q %v", content.status, content.body, content.header)
	}

	conc := e.do("GET", "/get-concurrency", e.keyA, nil)
	validateAnswer(t, "/get-concurrency", "GET", conc.body)
	if c := conc.json(t); c["concurrency_limit"] != float64(agentry.DefaultConcurrencyLimit) || c["current_concurrency"] != 0.0 {
		t.Errorf("get-concurrency: %s", conc.body)
	}
	info := e.do("GET", "/get-api-key-info", e.keyB, nil)
	validateAnswer(t, "/get-api-key-info", "GET", info.body)
	if m := info.json(t); m["org_name"] != "b" || m["api_key_name"] != nil || !strings.HasPrefix(m["org_id"].(string), "ws_") {
		t.Errorf("get-api-key-info for B's key: %s", info.body)
	}
}

func TestRepairEndpoint(t *testing.T) {
	e := newEnv(t, nil)
	id := e.createAgent(e.keyA)
	r := e.do("POST", "/repair-agent/"+id, e.keyA, nil)
	if r.status != 200 {
		t.Fatalf("repair: %d %s", r.status, r.body)
	}
	reference.Validate(t, "AgentResponse", r.body)
	e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(`{"version":0}`))
	wantError(t, e.do("POST", "/repair-agent/"+id+"?version=0", e.keyA, nil), 409, "published and cannot be repaired")
	wantError(t, e.do("POST", "/repair-agent/"+id+"?version=v1", e.keyA, nil), 400, "version")
}
