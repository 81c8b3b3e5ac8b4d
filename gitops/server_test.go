package gitops

import (
	"bytes"
	"context"
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

// testServer is a real agentry (httpapi over SQLite, in-process) with a
// front that every request goes through. The front adds only what a real
// server cannot be made to do on purpose:
//   - refuse the Nth write with a 503, or do it and lose its answer (an
//     interrupted apply);
//   - answer as Retell itself would for what agentry adds to Retell's API
//     (retell: /openapi.json and every /agentry/v1/ path answer 404, and
//     answers carry no ETag);
//   - record the requests, so that tests can say that nothing was written;
//   - let another client change something just before a request arrives.
//
// Every other request reaches agentry's handler as it is.
type testServer struct {
	t   *testing.T
	URL string
	key string // the workspace this view of the server acts for
	*front
}

// front is what the views of one server share.
type front struct {
	real http.Handler
	svc  *agentry.Service
	keys *agentry.KeyService

	mu        sync.Mutex
	retell    bool     // answer 404 to agentry's extensions, as Retell would
	writes    int      // writes (not GET, not list-agents) seen so far
	failWrite int      // refuse this write (counted from 1) with a 503; 0: none
	loseWrite int      // do this write, then answer 502 as if its answer were lost
	requests  []string // "METHOD /path" of every request
	// before, when set, runs before a request reaches the server: another
	// client's change racing it.
	before func(r *http.Request)
}

// newTestServer starts a server whose knowledge bases are indexed at once.
func newTestServer(t *testing.T) *testServer { return newTestServerIndexing(t, 0) }

// newTestServerIndexing starts a server whose knowledge bases take d to
// index, as serve --kb-indexing-time d.
func newTestServerIndexing(t *testing.T, d time.Duration) *testServer {
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
	svc := &agentry.Service{Store: st, Rules: schema.Rules{}, KnowledgeBaseIndexing: d}
	real := &httpapi.Server{Service: svc, Keys: keys, Store: st, Logger: slog.New(slog.DiscardHandler)}
	f := &front{real: real.Handler(), svc: svc, keys: keys}
	ts := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(ts.Close)
	return &testServer{t: t, URL: ts.URL, key: key, front: f}
}

// workspace returns a view of the same server acting for a new workspace.
func (s *testServer) workspace(name string) *testServer {
	s.t.Helper()
	key, err := s.keys.CreateKey(context.Background(), name, "")
	if err != nil {
		s.t.Fatal(err)
	}
	return &testServer{t: s.t, URL: s.URL, key: key, front: s.front}
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

// tag reads a tag of an agent as the server has it; nil when it does not
// exist.
func (s *testServer) tag(agent, name string) object {
	s.t.Helper()
	tags := s.call(200, "GET", "/agentry/v1/agents/"+agent+"/tags", nil)["tags"].(object)
	t, _ := tags[name].(object)
	return t
}

// writesSince returns the writes (requests other than reads) made since
// the nth request.
func (s *testServer) writesSince(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var w []string
	for _, r := range s.requests[n:] {
		if !isRead(r) {
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

// isRead reports whether a request ("METHOD /path") only reads.
func isRead(r string) bool { return strings.HasPrefix(r, "GET ") || r == "POST /v2/list-agents" }

func fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(encodeJSON(object{"status": "error", "message": msg}))
}

func (f *front) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	call := r.Method + " " + r.URL.Path
	f.requests = append(f.requests, call)
	retell, before := f.retell, f.before
	lose := false
	if !isRead(call) {
		f.writes++
		if f.writes == f.failWrite {
			f.mu.Unlock()
			fail(w, http.StatusServiceUnavailable, "The database is unavailable; try again shortly.")
			return
		}
		lose = f.writes == f.loseWrite
	}
	f.mu.Unlock()
	if retell && (r.URL.Path == "/openapi.json" || strings.HasPrefix(r.URL.Path, "/agentry/")) {
		fail(w, http.StatusNotFound, "Not Found")
		return
	}
	if before != nil {
		before(r)
	}
	if lose {
		f.real.ServeHTTP(httptest.NewRecorder(), r)
		fail(w, http.StatusBadGateway, "the answer was lost")
		return
	}
	if retell {
		w = noETag{w}
	}
	f.real.ServeHTTP(w, r)
}

// noETag drops the ETag of answers, as Retell sends none.
type noETag struct{ http.ResponseWriter }

func (w noETag) WriteHeader(status int) {
	w.Header().Del("Etag")
	w.ResponseWriter.WriteHeader(status)
}

func (w noETag) Write(b []byte) (int, error) {
	w.Header().Del("Etag")
	return w.ResponseWriter.Write(b)
}

func newHTTPServer(t *testing.T, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}
