package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time the process has used so far, user and system.
func cpuTime(b testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start (cpu-ns/op):
// what a request costs the server's one core, steadier than the wall time
// on a shared machine, where other processes take turns on the cores.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkUpdateDraft is the whole handler for a small PATCH of a draft on
// SQLite: one write transaction, the audit entry and the outbox query
// included. Compare builds with it to see what a change to the write path
// costs.
func BenchmarkUpdateDraft(b *testing.B) {
	h, key, id := benchServer(b)
	body := []byte(`{"voice_speed":1.1}`)
	b.ReportAllocs()
	start := cpuTime(b)
	defer func() { reportCPU(b, start) }()
	for b.Loop() {
		req := httptest.NewRequest("PATCH", "/update-agent/"+id+"?version=1", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// benchDo sends one request through h and fails unless it is answered with
// want.
func benchDo(b testing.TB, h http.Handler, key, method, target, body string, want int) *httptest.ResponseRecorder {
	b.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != want {
		b.Fatalf("%s %s: status %d: %s", method, target, w.Code, w.Body)
	}
	return w
}

// BenchmarkPublish is the whole handler for publish-agent-version of a
// draft on SQLite: the write transaction, its audit entry and outbox query.
// Each iteration publishes a draft of its own, made before the timer runs;
// run it with a fixed count (-benchtime 2000x) to keep the setup short.
func BenchmarkPublish(b *testing.B) {
	h, key, id := benchServer(b)
	for i := 0; i < b.N; i++ {
		benchDo(b, h, key, "POST", "/create-agent-version/"+id, `{"base_version":0}`, http.StatusCreated)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime(b)
	defer func() { reportCPU(b, start) }()
	for i := 0; i < b.N; i++ {
		// Version 1 is benchServer's draft; the loop's drafts follow it.
		body := `{"version":` + strconv.Itoa(i+1) + `}`
		benchDo(b, h, key, "POST", "/publish-agent-version/"+id, body, http.StatusOK)
	}
}

// BenchmarkListAgentsPage is the whole handler for a page of 50 agents of
// v2/list-agents, uncached, on SQLite: voice and chat agents, a third of
// them with tags (one with dynamic variables, one unassigned).
func BenchmarkListAgentsPage(b *testing.B) {
	h, key, _ := benchServer(b)
	for i := 0; i < 60; i++ {
		var w *httptest.ResponseRecorder
		if i%4 == 3 {
			w = benchDo(b, h, key, "POST", "/create-chat-agent", `{"agent_name":"Chat `+strconv.Itoa(i)+`","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://llm.example.com/x"}}`, http.StatusCreated)
		} else {
			w = benchDo(b, h, key, "POST", "/create-agent", string(benchConfig), http.StatusCreated)
		}
		if i%3 == 0 {
			var a struct {
				ID string `json:"agent_id"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
				b.Fatal(err)
			}
			benchDo(b, h, key, "PUT", "/agentry/v1/agents/"+a.ID+"/tags/prod", `{"version":0,"dynamic_variables":{"region":"eu","tier":"<gold>"}}`, http.StatusOK)
			benchDo(b, h, key, "PUT", "/agentry/v1/agents/"+a.ID+"/tags/canary", `{"version":null}`, http.StatusOK)
		}
	}
	b.ReportAllocs()
	start := cpuTime(b)
	defer func() { reportCPU(b, start) }()
	for b.Loop() {
		benchDo(b, h, key, "POST", "/v2/list-agents?limit=50", "", http.StatusOK)
	}
}
