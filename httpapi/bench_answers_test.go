package httpapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchList serves one list request over and over: agents more agents on
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
