package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/agentry/agentry/sqlite"
)

// benchList serves one list request over and over, with 49 more agents on
// the bench server (a page of 50), each with a published version and a draft.
func benchList(b *testing.B, method, path func(id string) string) {
	h, key, id := benchServer(b)
	for range 49 {
		req := httptest.NewRequest("POST", "/create-agent", bytes.NewReader(benchConfig))
		req.Header.Set("Authorization", "Bearer "+key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatalf("create: %d %s", w.Code, w.Body)
		}
	}
	req := httptest.NewRequest(method(id), path(id), nil)
	req.Header.Set("Authorization", "Bearer "+key)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkListAgents is one page of 50 agents, as the harness asks.
func BenchmarkListAgents(b *testing.B) {
	benchList(b, func(string) string { return "POST" }, func(string) string { return "/v2/list-agents?limit=50" })
}

// BenchmarkListAgentVersions is the versions of one agent, as the harness
// asks.
func BenchmarkListAgentVersions(b *testing.B) {
	benchList(b, func(string) string { return "GET" }, func(id string) string { return "/list-agent-versions/" + id + "?limit=5" })
}

// BenchmarkGetDraftParallel is BenchmarkGetDraft from 64 goroutines (on
// two cores), the harness's heaviest load: the answer cache's lock and the
// stamp under contention.
func BenchmarkGetDraftParallel(b *testing.B) {
	h, key, id := benchServer(b)
	b.SetParallelism(64 / max(1, runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest("GET", "/get-agent/"+id+"?version=1", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Errorf("status %d: %s", w.Code, w.Body)
				return
			}
		}
	})
}

// BenchmarkAnswerLookup is one hit of the answer cache alone (the stamp and
// the map under the read lock) from 64 goroutines.
func BenchmarkAnswerLookup(b *testing.B) {
	st, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "agentry.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	c := newAnswerCache(st, 8<<20)
	_, stamp, _ := c.get(context.Background(), "key")
	c.put("key", stamp, &answer{body: []byte("{}")})
	b.SetParallelism(64 / max(1, runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if a, _, _ := c.get(context.Background(), "key"); a == nil {
				b.Error("miss")
				return
			}
		}
	})
}
