package gitops

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/schema"
	"github.com/agentry/agentry/sqlite"
)

// testServer is a real agentry (httpapi over SQLite, in-process) for agents
// and engines, with what this branch's agentry does not serve yet added in
// front of it as a plain in-memory stand-in, shaped as Retell's SDK and
// DESIGN.md §6 say: tags (the extension endpoints and list-agents' tags),
// routing modes, phone numbers, shared components and knowledge bases.
// It can refuse the Nth write, to test an interrupted apply.
type testServer struct {
	t    *testing.T
	URL  string
	key  string
	real http.Handler

	mu         sync.Mutex
	extensions bool // serve tags and routing modes (agentry's extensions)
	flat       bool // serve phone numbers, components and knowledge bases
	tags       map[string]map[string]object
	routing    map[string]string
	objects    map[string]*fakeStore // by kind: phone, component, kb
	clock      int64
	writes     int
	failWrite  int      // refuse this write (counted from 1) with a 503; 0: none
	loseWrite  int      // do this write, then answer 503 as if the answer were lost
	requests   []string // "METHOD /path" of every request
}

// fakeStore keeps objects of one kind in creation order.
type fakeStore struct {
	order []string
	byID  map[string]object
}

func (s *fakeStore) put(id string, o object) {
	if _, ok := s.byID[id]; !ok {
		s.order = append(s.order, id)
	}
	s.byID[id] = o
}

func (s *fakeStore) del(id string) {
	delete(s.byID, id)
	for i, x := range s.order {
		if x == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
}

func (s *fakeStore) list() []any {
	out := []any{}
	for _, id := range s.order {
		out = append(out, s.byID[id])
	}
	return out
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "agentry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys := &agentry.KeyService{Store: st}
	key, err := keys.CreateKey(ctx, "w", "")
	if err != nil {
		t.Fatal(err)
	}
	real := &httpapi.Server{Service: &agentry.Service{Store: st, Rules: schema.Rules{}}, Keys: keys, Store: st,
		Logger: slog.New(slog.DiscardHandler)}
	s := &testServer{t: t, key: key, real: real.Handler(), extensions: true, flat: true,
		tags: map[string]map[string]object{}, routing: map[string]string{},
		objects: map[string]*fakeStore{"phone": {byID: map[string]object{}}, "component": {byID: map[string]object{}}, "kb": {byID: map[string]object{}}}}
	ts := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

func (s *testServer) client() *Client {
	return &Client{BaseURL: s.URL, APIKey: s.key, Sleep: func(time.Duration) {}}
}

// call makes a request as a user of the server would, and decodes the
// answer (nil for none); it fails the test on a status other than want.
func (s *testServer) call(want int, method, path string, body any) object {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(encodeJSON(body))
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		s.t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, b, want)
	}
	if len(bytes.TrimSpace(b)) == 0 || b[0] != '{' {
		return nil
	}
	m, err := decodeObject(b)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	return m
}

// writesSeen returns the writes (non-GET requests) made since n requests.
func (s *testServer) writesSince(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var w []string
	for _, r := range s.requests[n:] {
		if !strings.HasPrefix(r, "GET ") && !strings.HasPrefix(r, "POST /v2/list-agents") {
			w = append(w, r)
		}
	}
	return w
}

func (s *testServer) requestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func writeJSONTo(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		w.Write(encodeJSON(v))
	}
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSONTo(w, status, object{"status": "error", "message": msg})
}

func (s *testServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	isWrite := r.Method != http.MethodGet && r.URL.Path != "/v2/list-agents"
	lose := false
	if isWrite {
		s.writes++
		if s.writes == s.failWrite {
			s.mu.Unlock()
			fail(w, http.StatusServiceUnavailable, "The database is unavailable; try again shortly.")
			return
		}
		lose = s.writes == s.loseWrite
	}
	s.mu.Unlock()
	if lose {
		s.route2(httptest.NewRecorder(), r)
		fail(w, http.StatusBadGateway, "the answer was lost")
		return
	}
	s.route2(w, r)
}

// route2 serves a request that was let through.
func (s *testServer) route2(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.key {
		fail(w, http.StatusUnauthorized, "API key is missing or invalid.")
		return
	}
	p := r.URL.Path
	switch {
	case p == "/openapi.json":
		if !s.extensions {
			fail(w, http.StatusNotFound, "not found")
			return
		}
		writeJSONTo(w, 200, object{"openapi": "3.0.3", "paths": object{
			"/agentry/v1/agents/{agent_id}/tags/{tag}":         object{"put": object{}, "delete": object{}},
			"/agentry/v1/phone-numbers/{phone_number}/routing": object{"put": object{}, "get": object{}},
		}})
	case p == "/v2/list-agents":
		s.listAgents(w, r)
	case strings.HasPrefix(p, "/agentry/v1/agents/") && s.extensions:
		s.tag(w, r)
	case strings.HasPrefix(p, "/agentry/v1/phone-numbers/") && s.extensions:
		s.route(w, r)
	case s.flat && (strings.Contains(p, "phone-number") || strings.Contains(p, "conversation-flow-component") || strings.Contains(p, "knowledge-base")):
		s.mu.Lock()
		defer s.mu.Unlock()
		s.clock++
		s.flatObject(w, r)
	default:
		s.real.ServeHTTP(w, r)
	}
}

// listAgents answers from agentry and adds the tags of the stand-in.
func (s *testServer) listAgents(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	s.real.ServeHTTP(rec, r)
	if rec.Code != 200 {
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		return
	}
	page, err := decodeObject(rec.Body.Bytes())
	if err != nil {
		fail(w, 500, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	items, _ := page["items"].([]any)
	for _, it := range items {
		a := it.(object)
		tags := object{}
		for name, st := range s.tags[str(a, "agent_id")] {
			tags[name] = clone(st)
		}
		a["tags"] = tags
	}
	writeJSONTo(w, 200, page)
}

// tag serves PUT and DELETE /agentry/v1/agents/{agent_id}/tags/{tag}.
func (s *testServer) tag(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/agentry/v1/agents/"), "/")
	if len(parts) != 3 || parts[1] != "tags" {
		fail(w, 404, "not found")
		return
	}
	agent, name := parts[0], parts[2]
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodPut:
		body, err := readBody(r)
		if err != nil {
			fail(w, 400, err.Error())
			return
		}
		st := object{"dynamic_variables": object{}}
		if dv, ok := body["dynamic_variables"].(object); ok {
			st["dynamic_variables"] = dv
		}
		if v, ok := body["version"]; ok && v != nil {
			st["version"] = v
		}
		if s.tags[agent] == nil {
			s.tags[agent] = map[string]object{}
		}
		s.tags[agent][name] = st
		writeJSONTo(w, 200, st)
	case http.MethodDelete:
		delete(s.tags[agent], name)
		w.WriteHeader(204)
	default:
		fail(w, 405, "method not allowed")
	}
}

// route serves GET and PUT /agentry/v1/phone-numbers/{n}/routing.
func (s *testServer) route(w http.ResponseWriter, r *http.Request) {
	n := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/agentry/v1/phone-numbers/"), "/routing")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.objects["phone"].byID[n] == nil {
		fail(w, 404, "no such phone number")
		return
	}
	if r.Method == http.MethodPut {
		body, err := readBody(r)
		if err != nil {
			fail(w, 400, err.Error())
			return
		}
		s.routing[n] = str(body, "mode")
	}
	mode := s.routing[n]
	if mode == "" {
		mode = "random"
	}
	writeJSONTo(w, 200, object{"mode": mode})
}

func readBody(r *http.Request) (object, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return object{}, nil
	}
	return decodeObject(b)
}

// flatObject serves phone numbers, shared components and knowledge bases.
func (s *testServer) flatObject(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	seg := func(prefix string) string { return strings.TrimPrefix(p, prefix) }
	switch {
	case r.Method == http.MethodGet && p == "/v2/list-phone-numbers":
		writeJSONTo(w, 200, object{"items": s.objects["phone"].list(), "has_more": false})
	case r.Method == http.MethodGet && p == "/v2/list-conversation-flow-components":
		writeJSONTo(w, 200, object{"items": s.objects["component"].list(), "has_more": false})
	case r.Method == http.MethodGet && p == "/list-knowledge-bases":
		writeJSONTo(w, 200, s.objects["kb"].list())
	case r.Method == http.MethodPost && (p == "/create-phone-number" || p == "/import-phone-number"):
		body, _ := readBody(r)
		n := str(body, "phone_number")
		if n == "" || s.objects["phone"].byID[n] != nil {
			fail(w, 400, "phone_number: missing or taken")
			return
		}
		o := object{"phone_number": n, "phone_number_type": "retell-twilio", "phone_number_pretty": "pretty " + n, "last_modification_timestamp": num(s.clock)}
		if p == "/import-phone-number" {
			o["phone_number_type"] = "custom"
			o["sip_outbound_trunk_config"] = object{"termination_uri": body["termination_uri"]}
		}
		s.objects["phone"].put(n, o)
		writeJSONTo(w, 201, o)
	case strings.HasPrefix(p, "/get-phone-number/"), strings.HasPrefix(p, "/update-phone-number/"), strings.HasPrefix(p, "/delete-phone-number/"):
		n := p[strings.LastIndex(p, "/")+1:]
		s.one(w, r, "phone", n, func(o, body object) {
			for k, v := range body {
				if contains(sipFields, k) {
					sip, _ := o["sip_outbound_trunk_config"].(object)
					if sip == nil {
						sip = object{}
					}
					sip[k] = v
					o["sip_outbound_trunk_config"] = sip
					continue
				}
				o[k] = v
			}
			o["last_modification_timestamp"] = num(s.clock)
		})
	case r.Method == http.MethodPost && p == "/create-conversation-flow-component":
		body, _ := readBody(r)
		id := fmt.Sprintf("cfc_%d", s.clock)
		body["conversation_flow_component_id"] = id
		body["user_modified_timestamp"] = num(s.clock)
		s.objects["component"].put(id, body)
		writeJSONTo(w, 201, body)
	case strings.HasPrefix(p, "/get-conversation-flow-component/"), strings.HasPrefix(p, "/update-conversation-flow-component/"), strings.HasPrefix(p, "/delete-conversation-flow-component/"):
		s.one(w, r, "component", p[strings.LastIndex(p, "/")+1:], func(o, body object) {
			for k, v := range body {
				if v == nil {
					delete(o, k)
				} else {
					o[k] = v
				}
			}
			o["user_modified_timestamp"] = num(s.clock)
		})
	case r.Method == http.MethodPost && p == "/create-knowledge-base":
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			fail(w, 400, "multipart: "+err.Error())
			return
		}
		id := fmt.Sprintf("kb_%d", s.clock)
		o := object{"knowledge_base_id": id, "knowledge_base_name": r.FormValue("knowledge_base_name"), "status": "complete", "knowledge_base_sources": []any{}}
		for _, k := range []string{"max_chunk_size", "min_chunk_size"} {
			if v := r.FormValue(k); v != "" {
				o[k] = json.Number(v)
			}
		}
		if v := r.FormValue("enable_auto_refresh"); v != "" {
			o["enable_auto_refresh"] = v == "true"
		}
		s.addSources(o, r)
		s.objects["kb"].put(id, o)
		writeJSONTo(w, 201, o)
	case r.Method == http.MethodPost && strings.HasPrefix(p, "/add-knowledge-base-sources/"):
		o := s.objects["kb"].byID[seg("/add-knowledge-base-sources/")]
		if o == nil {
			fail(w, 404, "no such knowledge base")
			return
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			fail(w, 400, "multipart: "+err.Error())
			return
		}
		s.addSources(o, r)
		writeJSONTo(w, 200, o)
	case r.Method == http.MethodDelete && strings.HasPrefix(p, "/delete-knowledge-base-source/"):
		parts := strings.Split(seg("/delete-knowledge-base-source/"), "/")
		o := s.objects["kb"].byID[parts[0]]
		if o == nil || len(parts) != 3 {
			fail(w, 404, "no such knowledge base")
			return
		}
		var keep []any
		for _, src := range o["knowledge_base_sources"].([]any) {
			if str(src.(object), "source_id") != parts[2] {
				keep = append(keep, src)
			}
		}
		o["knowledge_base_sources"] = keep
		writeJSONTo(w, 200, o)
	case strings.HasPrefix(p, "/get-knowledge-base/"), strings.HasPrefix(p, "/delete-knowledge-base/"):
		s.one(w, r, "kb", p[strings.LastIndex(p, "/")+1:], nil)
	default:
		fail(w, 404, "not found")
	}
}

// one serves get, update (with edit) and delete of one stored object.
func (s *testServer) one(w http.ResponseWriter, r *http.Request, kind, id string, edit func(o, body object)) {
	o := s.objects[kind].byID[id]
	if o == nil {
		fail(w, 404, "not found")
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSONTo(w, 200, o)
	case http.MethodPatch:
		body, err := readBody(r)
		if err != nil {
			fail(w, 400, err.Error())
			return
		}
		edit(o, body)
		writeJSONTo(w, 200, o)
	case http.MethodDelete:
		s.objects[kind].del(id)
		w.WriteHeader(204)
	}
}

func (s *testServer) addSources(o object, r *http.Request) {
	srcs, _ := o["knowledge_base_sources"].([]any)
	if v := r.FormValue("knowledge_base_urls"); v != "" {
		var urls []string
		json.Unmarshal([]byte(v), &urls)
		for _, u := range urls {
			s.clock++
			srcs = append(srcs, object{"type": "url", "url": u, "source_id": fmt.Sprintf("src_%d", s.clock)})
		}
	}
	if v := r.FormValue("knowledge_base_texts"); v != "" {
		var texts []struct{ Title, Text string }
		json.Unmarshal([]byte(v), &texts)
		for _, t := range texts {
			s.clock++
			srcs = append(srcs, object{"type": "text", "title": t.Title, "content_url": "https://storage.example/" + t.Title, "source_id": fmt.Sprintf("src_%d", s.clock)})
		}
	}
	o["knowledge_base_sources"] = srcs
}

type timeDuration = time.Duration

func newHTTPServer(t *testing.T, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}
