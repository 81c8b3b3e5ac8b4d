package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testRunner is a test runner in the test process: it counts the runs of
// each definition, and holds the runs of definitions named "hold…" until
// released.
type testRunner struct {
	*httptest.Server
	mu      sync.Mutex
	calls   map[string]int
	held    chan string // a held run has arrived (its definition's id)
	release chan struct{}
}

func startRunner(t *testing.T) *testRunner {
	r := &testRunner{calls: map[string]int{}, held: make(chan string, 16), release: make(chan struct{})}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body struct {
			Def struct {
				ID   string `json:"test_case_definition_id"`
				Name string `json:"name"`
			} `json:"test_case_definition"`
		}
		json.NewDecoder(req.Body).Decode(&body)
		io.Copy(io.Discard, req.Body)
		r.mu.Lock()
		r.calls[body.Def.ID]++
		r.mu.Unlock()
		if strings.HasPrefix(body.Def.Name, "hold") {
			r.held <- body.Def.ID
			select {
			case <-r.release:
			case <-req.Context().Done(): // agentry went away
				return
			}
		}
		fmt.Fprintf(w, `{"status":"pass","result_explanation":"ran %s"}`, body.Def.Name)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *testRunner) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[id]
}

// batchOf creates an LLM, one definition per name and a batch of them
// through srv, and returns the batch's id and the definitions' ids.
func batchOf(t *testing.T, srv *server, names ...string) (string, []string) {
	t.Helper()
	llm := srv.must(t, 201, "POST", "/create-retell-llm", map[string]any{"general_prompt": "Hi"}).object(t)["llm_id"]
	engine := map[string]any{"type": "retell-llm", "llm_id": llm}
	var ids []string
	for _, n := range names {
		d := srv.must(t, 201, "POST", "/create-test-case-definition", map[string]any{"name": n, "response_engine": engine,
			"user_prompt": "u", "metrics": []string{"m"}}).object(t)
		ids = append(ids, d["test_case_definition_id"].(string))
	}
	b := srv.must(t, 201, "POST", "/create-batch-test", map[string]any{"response_engine": engine, "test_case_definition_ids": ids}).object(t)
	return b["test_case_batch_job_id"].(string), ids
}

// awaitBatch polls a batch until it is complete, within d.
func awaitBatch(t *testing.T, srv *server, id string, d time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		b := srv.must(t, 200, "GET", "/get-batch-test/"+id, nil).object(t)
		if b["status"] == "complete" {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch %s not complete within %s: %v", id, d, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTestRunsAcrossReplicasAndRestarts runs batch tests on two replicas of
// one database: each run is executed once, by one of them. A replica
// stopped with SIGTERM while a run is in hand hands it back, and the next
// start runs it at once; one killed with SIGKILL leaves its run to be taken
// over when its lease (the runner timeout plus 10 s) lapses.
func TestTestRunsAcrossReplicasAndRestarts(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		runner := startRunner(t)
		url := runner.URL + "/run"
		srvs := startServers(t, db, 2, "--test-runner-url", url, "--test-runner-timeout", "30s")
		var names []string
		for i := range 16 {
			names = append(names, fmt.Sprint("case ", i))
		}
		batch, ids := batchOf(t, srvs[0], names...)
		done := awaitBatch(t, srvs[1], batch, 20*time.Second)
		if done["pass_count"] != float64(16) {
			t.Errorf("batch on two replicas: %v", done)
		}
		for _, id := range ids {
			if n := runner.count(id); n != 1 {
				t.Errorf("definition %s ran %d times on two replicas, want once", id, n)
			}
		}

		// SIGTERM while a run is held: it is handed back, not lost.
		batch, ids = batchOf(t, srvs[0], "hold a")
		<-runner.held
		for _, s := range srvs {
			s.signal(syscall.SIGTERM)
		}
		for _, s := range srvs {
			<-s.done
		}
		srv := startServer(t, "after SIGTERM", db.dsn, "--test-runner-url", url, "--test-runner-timeout", "30s")
		go func() { <-runner.held; runner.release <- struct{}{} }()
		// Well within the 40 s lease it would otherwise wait for.
		if b := awaitBatch(t, srv, batch, 10*time.Second); b["pass_count"] != float64(1) {
			t.Errorf("batch after a SIGTERM: %v", b)
		}
		if n := runner.count(ids[0]); n != 2 {
			t.Errorf("the held definition ran %d times, want twice (once per start)", n)
		}
		srv.stop(10 * time.Second)

		// SIGKILL while a run is held: the lease lapses and a new process
		// takes the run over. A short runner timeout makes a short lease.
		args := []string{"--test-runner-url", url, "--test-runner-timeout", "1s"}
		srv = startServer(t, "to be killed", db.dsn, args...)
		batch, ids = batchOf(t, srv, "hold b")
		<-runner.held
		srv.kill()
		run := startServer(t, "after SIGKILL", db.dsn, args...)
		if r := listRuns(t, run, batch); r[0]["status"] != "in_progress" {
			t.Errorf("the killed process's run is %v, want still in_progress until its lease lapses", r[0]["status"])
		}
		go func() { <-runner.held; runner.release <- struct{}{} }()
		if b := awaitBatch(t, run, batch, 30*time.Second); b["pass_count"] != float64(1) {
			t.Errorf("batch after a SIGKILL: %v", b)
		}
		if n := runner.count(ids[0]); n != 2 {
			t.Errorf("the held definition ran %d times, want twice", n)
		}
	})
}

func listRuns(t *testing.T, srv *server, batch string) []map[string]any {
	t.Helper()
	var page struct{ Items []map[string]any }
	if err := json.Unmarshal(srv.must(t, 200, "GET", "/v2/list-test-runs/"+batch, nil).body, &page); err != nil {
		t.Fatal(err)
	}
	return page.Items
}
