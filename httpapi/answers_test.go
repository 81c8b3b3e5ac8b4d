package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
	"github.com/agentry/agentry/sqlite"
)

// stampedServer is a server with serve's caches on its own store of the
// SQLite file at path.
func stampedServer(t testing.TB, path string) (*Server, http.Handler) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := &Server{Service: &agentry.Service{Store: st, Rules: schema.Rules{}, Routes: agentry.NewRouteCache(1000)},
		Keys: &agentry.KeyService{Store: st}, Store: st, CacheBytes: 1 << 20, AnswerCacheBytes: 8 << 20,
		Logger: slog.New(slog.DiscardHandler)}
	return s, s.Handler()
}

type call struct {
	h   http.Handler
	key string
}

func (c call) do(t testing.TB, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.key)
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, req)
	return w
}

func (c call) must(t testing.TB, status int, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	w := c.do(t, method, path, body)
	if w.Code != status {
		t.Fatalf("%s %s: %d %s, want %d", method, path, w.Code, w.Body, status)
	}
	return w
}

// newKey creates a key of the named workspace.
func newKey(t testing.TB, s *Server, workspace string) string {
	t.Helper()
	key, err := s.Keys.(*agentry.KeyService).CreateKey(context.Background(), workspace, "")
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func createTestAgent(t testing.TB, c call, name string) string {
	t.Helper()
	var v struct {
		AgentID string `json:"agent_id"`
	}
	body := fmt.Sprintf(`{"agent_name":%q,"voice_id":"11labs-Adrian","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x.example/llm"}}`, name)
	if err := json.Unmarshal(c.must(t, 201, "POST", "/create-agent", body).Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	return v.AgentID
}

// TestAnswerHitIsTheMiss: an answer served from the cache is the answer
// read from the database — status, headers and body — for every cached
// read, in both workspaces.
func TestAnswerHitIsTheMiss(t *testing.T) {
	s, h := stampedServer(t, filepath.Join(t.TempDir(), "agentry.db"))
	a, b := call{h, newKey(t, s, "a")}, call{h, newKey(t, s, "b")}
	id := createTestAgent(t, a, "Desk")
	a.must(t, 200, "POST", "/publish-agent-version/"+id, `{"version":0}`)
	a.must(t, 201, "POST", "/create-agent-version/"+id, `{"base_version":0}`)
	a.must(t, 200, "PUT", "/agentry/v1/agents/"+id+"/tags/prod", `{"version":0}`)
	chat := createTestAgent(t, b, "Other workspace") // b's own agent, same shape
	var llm struct {
		ID string `json:"llm_id"`
	}
	json.Unmarshal(a.must(t, 201, "POST", "/create-retell-llm", `{"general_prompt":"Be brief."}`).Body.Bytes(), &llm)
	reads := []struct {
		c            call
		method, path string
	}{
		{a, "GET", "/get-agent/" + id},
		{a, "GET", "/get-agent/" + id + "?version=1"},
		{a, "GET", "/get-agent/" + id + "?version=latest"},
		{a, "GET", "/get-agent/" + id + "?version=latest_published"},
		{a, "GET", "/list-agent-versions/" + id},
		{a, "GET", "/list-agent-versions/" + id + "?limit=1&sort_order=ascending"},
		{a, "GET", "/list-agent-versions/" + id + "?agentry_published_only=true"},
		{a, "POST", "/v2/list-agents"},
		{a, "POST", "/v2/list-agents?limit=1"},
		{b, "POST", "/v2/list-agents"},
		{b, "GET", "/get-agent/" + chat},
		{a, "GET", "/get-retell-llm/" + llm.ID},
		{a, "GET", "/get-retell-llm/" + llm.ID + "?version=0"},
		{a, "GET", "/v2/list-retell-llms"},
		{b, "GET", "/v2/list-retell-llms"},
		{b, "GET", "/get-agent/" + id}, // not b's: 422 each time, never a's answer
	}
	for _, r := range reads {
		miss := r.c.do(t, r.method, r.path, "")
		if miss.Code == 200 && !cached(s.answers, miss.Body.Bytes()) {
			t.Fatalf("%s %s: the answer was not cached", r.method, r.path)
		}
		hit := r.c.do(t, r.method, r.path, "")
		if hit.Code != miss.Code || !bytes.Equal(hit.Body.Bytes(), miss.Body.Bytes()) {
			t.Errorf("%s %s: the cached answer differs:\n%d %s\n%d %s", r.method, r.path, miss.Code, miss.Body, hit.Code, hit.Body)
		}
		hm, mm := maps.Clone(hit.Header()), maps.Clone(miss.Header())
		delete(hm, "X-Request-Id")
		delete(mm, "X-Request-Id")
		if fmt.Sprint(hm) != fmt.Sprint(mm) {
			t.Errorf("%s %s: headers differ: %v, cached %v", r.method, r.path, mm, hm)
		}
	}
	if w := b.do(t, "GET", "/get-agent/"+id, ""); w.Code != 422 {
		t.Errorf("another workspace's agent: %d %s", w.Code, w.Body)
	}
}

// TestAnswersAcrossStores: readers through a server on store A, a writer
// through a server on store B of the same file (as another process would
// be); a reader never sees a revision older than the last one acknowledged
// before its read began, in a draft get, list-agents or list-agent-versions.
func TestAnswersAcrossStores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agentry.db")
	sa, ha := stampedServer(t, path)
	_, hb := stampedServer(t, path)
	key := newKey(t, sa, "a")
	ra, wb := call{ha, key}, call{hb, key}
	// x's draft is renamed at every round; y gets a new version.
	x := createTestAgent(t, wb, "rev 0")
	y := createTestAgent(t, wb, "versions")
	var acked atomic.Int64 // the last round acknowledged
	var wg sync.WaitGroup
	var stop atomic.Bool
	for g := range 6 {
		wg.Go(func() {
			for !stop.Load() && !t.Failed() {
				want := acked.Load()
				var got int64
				switch g % 3 {
				case 0:
					var v struct {
						AgentName string `json:"agent_name"`
					}
					json.Unmarshal(ra.must(t, 200, "GET", "/get-agent/"+x, "").Body.Bytes(), &v)
					got, _ = strconv.ParseInt(strings.TrimPrefix(v.AgentName, "rev "), 10, 64)
				case 1:
					var page struct {
						Items []struct {
							AgentID   string `json:"agent_id"`
							AgentName string `json:"agent_name"`
						}
					}
					json.Unmarshal(ra.must(t, 200, "POST", "/v2/list-agents", "").Body.Bytes(), &page)
					got = -1
					for _, it := range page.Items {
						if it.AgentID == x {
							got, _ = strconv.ParseInt(strings.TrimPrefix(it.AgentName, "rev "), 10, 64)
						}
					}
				case 2:
					var page struct{ Items []struct{ Version int64 } }
					json.Unmarshal(ra.must(t, 200, "GET", "/list-agent-versions/"+y+"?limit=1", "").Body.Bytes(), &page)
					got = page.Items[0].Version
				}
				if got < want {
					t.Errorf("reader %d saw round %d after round %d was acknowledged", g, got, want)
				}
			}
		})
	}
	for i := int64(1); i <= 300 && !t.Failed(); i++ {
		wb.must(t, 200, "PATCH", "/update-agent/"+x, fmt.Sprintf(`{"agent_name":"rev %d"}`, i))
		wb.must(t, 201, "POST", "/create-agent-version/"+y, `{"base_version":0}`)
		acked.Store(i)
	}
	stop.Store(true)
	wg.Wait()
	if s := sa.answers; len(s.entries) == 0 && s.stamp == (agentry.Stamp{}) {
		t.Error("server A cached nothing: the test did not test the cache")
	}
}

// TestAnswerCacheBudget: the cache never holds more than its byte budget or
// its entry count, and an answer larger than an eighth of the budget is not
// kept.
func TestAnswerCacheBudget(t *testing.T) {
	s, _ := stampedServer(t, filepath.Join(t.TempDir(), "agentry.db"))
	c := newAnswerCache(s.Service.Store.(agentry.Stamper), 64<<10)
	_, st, ok := c.get(t.Context(), "k0") // the stamp answers are put with
	if !ok {
		t.Fatal("no stamp")
	}
	body := bytes.Repeat([]byte("x"), 1000)
	for i := range 10000 {
		c.put("k"+strconv.Itoa(i), st, &answer{body: body})
		if c.bytes > c.maxBytes || len(c.entries) > c.maxEntries {
			t.Fatalf("after %d puts: %d bytes in %d entries, budget %d", i+1, c.bytes, len(c.entries), c.maxBytes)
		}
	}
	if len(c.entries) == 0 {
		t.Fatal("nothing was kept")
	}
	c.put("big", st, &answer{body: make([]byte, 9<<10)})
	if c.entries["big"] != nil {
		t.Error("an answer over an eighth of the budget was kept")
	}
	c.maxBytes, c.maxEntries = 1<<30, 100
	for i := range 1000 {
		c.put("n"+strconv.Itoa(i), st, &answer{body: body})
		if len(c.entries) > 100 {
			t.Fatalf("%d entries, at most 100", len(c.entries))
		}
	}
	// The bytes counted are the bytes held.
	held := 0
	for k, a := range c.entries {
		held += len(k) + len(a.body) + len(a.etag) + answerOverhead
	}
	if held != c.bytes {
		t.Errorf("the cache counts %d bytes and holds %d", c.bytes, held)
	}
}

// TestAnswerCacheKeepsAShareOfACycle: a client cycling through twice as
// many answers as fit still finds a good share of them (dropping the whole
// cache when full, or the least recently used entry, would find none), and
// when the reads move on to other answers, those get in.
func TestAnswerCacheKeepsAShareOfACycle(t *testing.T) {
	s, _ := stampedServer(t, filepath.Join(t.TempDir(), "agentry.db"))
	c := newAnswerCache(s.Service.Store.(agentry.Stamper), 1<<20)
	body := bytes.Repeat([]byte("x"), 1000)
	fits := c.maxBytes / (1000 + answerOverhead + 5)
	hits, lookups := 0, 0
	for round := range 10 {
		for i := range 2 * fits {
			a, st, ok := c.get(t.Context(), "k"+strconv.Itoa(i))
			if !ok {
				t.Fatal("no stamp")
			}
			if round > 0 {
				lookups++
				if a != nil {
					hits++
				}
			}
			if a == nil {
				c.put("k"+strconv.Itoa(i), st, &answer{body: body})
			}
		}
	}
	t.Logf("%d hits in %d lookups", hits, lookups)
	if hits*3 < lookups {
		t.Errorf("%d hits in %d lookups of a cycle twice the cache's size; want at least a third", hits, lookups)
	}
	// Reads move on to other answers, which fit: they get in.
	for range 10 {
		for i := range fits / 2 {
			if a, st, _ := c.get(t.Context(), "other"+strconv.Itoa(i)); a == nil {
				c.put("other"+strconv.Itoa(i), st, &answer{body: body})
			}
		}
	}
	hits = 0
	for i := range fits / 2 {
		if a, _, _ := c.get(t.Context(), "other"+strconv.Itoa(i)); a != nil {
			hits++
		}
	}
	if hits < fits/4 {
		t.Errorf("after the reads moved on, %d of %d new answers are cached", hits, fits/2)
	}
}

// cached reports whether c holds an answer whose body is part of body (an
// agent version's body is held without its assigned tags).
func cached(c *answerCache, body []byte) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, a := range c.entries {
		if len(a.body) > 1 && bytes.HasPrefix(body, a.body[:len(a.body)-1]) {
			return true
		}
	}
	return false
}

// countingStamper is a stamper whose stamps cost a round trip; it counts them.
type countingStamper struct {
	calls atomic.Int64
	stamp agentry.Stamp
}

func (s *countingStamper) Stamp(context.Context) (agentry.Stamp, bool) {
	s.calls.Add(1)
	return s.stamp, true
}

func (s *countingStamper) StampCostsARoundTrip() bool { return true }

// With stamps that cost a round trip, the cache stops asking for them for a
// while when too few gets hit, and asks again afterwards; while gets hit, it
// keeps asking.
func TestCostlyStampsAreSkippedWhileTheyDoNotPay(t *testing.T) {
	st := &countingStamper{}
	c := newAnswerCache(st, 1<<20)
	if !c.costly {
		t.Fatal("a stamper that costs a round trip was not seen as costly")
	}
	// Misses only: every get's stamp moves (a write between each).
	for i := range windowGets {
		st.stamp[0] = byte(i)
		if _, _, ok := c.get(t.Context(), "k"); !ok {
			t.Fatalf("get %d: not cacheable before the window ended", i)
		}
	}
	calls := st.calls.Load()
	for i := range skipGets {
		if _, _, ok := c.get(t.Context(), "k"); ok {
			t.Fatalf("get %d after a window without hits: cacheable, want skipped", i)
		}
	}
	if st.calls.Load() != calls {
		t.Errorf("%d stamps asked while skipping", st.calls.Load()-calls)
	}
	if _, _, ok := c.get(t.Context(), "k"); !ok || st.calls.Load() != calls+1 {
		t.Error("after skipping, the cache does not ask for a stamp again")
	}

	// Hits: the stamp holds and the answer is cached; nothing is skipped.
	st.stamp[0] = 0xff
	_, stamp, _ := c.get(t.Context(), "hot")
	c.put("hot", stamp, &answer{body: []byte(`{}`)})
	for i := range 3 * windowGets {
		if a, _, ok := c.get(t.Context(), "hot"); !ok || a == nil {
			t.Fatalf("get %d of a cached answer: ok %v, hit %v", i, ok, a != nil)
		}
	}
}
