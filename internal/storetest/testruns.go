package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// testRunTests cover the execution of batch tests by agentry.TestWorker:
// what a runner is sent and what is recorded of its answer, the statuses a
// polling client sees, the claim that lets only one worker run a run, and
// what happens to a run whose worker dies or stops.
var testRunTests = []suiteTest{
	{"WorkerRecordsOutcomes", testWorkerRecordsOutcomes},
	{"StatusesWhileRunning", testStatusesWhileRunning},
	{"NoRunnerEndsInError", testNoRunnerEndsInError},
	{"VanishedEngineEndsInError", testVanishedEngineEndsInError},
	{"ConcurrentWorkersRunEachOnce", testConcurrentWorkersRunEachOnce},
	{"LapsedLeaseIsTakenOver", testLapsedLeaseIsTakenOver},
	{"StoppedWorkerHandsBack", testStoppedWorkerHandsBack},
	{"RunLoop", testWorkerRunLoop},
}

// fakeRunner answers by the definition's name and records each request.
type fakeRunner struct {
	mu     sync.Mutex
	calls  map[string]int // by test_case_definition_id
	seen   []agentry.TestRunRequest
	answer func(ctx context.Context, name string) (*agentry.TestOutcome, error)
}

func (f *fakeRunner) RunTest(ctx context.Context, req agentry.TestRunRequest) (*agentry.TestOutcome, error) {
	var def struct {
		ID   string `json:"test_case_definition_id"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(req.TestCaseDefinition, &def); err != nil {
		return nil, err
	}
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[def.ID]++
	f.seen = append(f.seen, req)
	f.mu.Unlock()
	return f.answer(ctx, def.Name)
}

// byName is the answer of most tests: a definition's name says its outcome.
func byName(_ context.Context, name string) (*agentry.TestOutcome, error) {
	switch {
	case strings.HasPrefix(name, "pass"):
		return &agentry.TestOutcome{Status: agentry.RunPass, Explanation: "all metrics held"}, nil
	case strings.HasPrefix(name, "fail"):
		return &agentry.TestOutcome{Status: agentry.RunFail, Explanation: "no slot was offered", Transcript: json.RawMessage(`{"turns":[{"role":"user","content":"hi"}]}`)}, nil
	case strings.HasPrefix(name, "bogus"):
		return &agentry.TestOutcome{Status: "maybe"}, nil
	}
	return nil, errors.New("the runner answered HTTP 502")
}

func (e *env) worker(r agentry.TestRunner) *agentry.TestWorker {
	return &agentry.TestWorker{Service: e.svc, Runner: r, Timeout: time.Minute, Poll: 5 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}
}

// drain steps w until no run is left.
func drain(t *testing.T, ctx context.Context, w *agentry.TestWorker) {
	t.Helper()
	for range 10_000 {
		more, err := w.Step(ctx)
		if err != nil {
			t.Fatalf("Step: %v", err)
		}
		if !more {
			return
		}
	}
	t.Fatal("the worker never ran out of runs")
}

// batchFixture is an LLM with one definition per name and a batch of them.
func batchFixture(t *testing.T, e *env, names ...string) (*agentry.Version, *agentry.TestBatch, []string) {
	t.Helper()
	k := engineKinds[0]
	llm := e.mustCreateEngine(t, k.kind, k.config)
	var ids []string
	for _, n := range names {
		ids = append(ids, e.mustCreateTestCase(t, e.ws, definition(k.ref(llm.ResourceID), n)).ID)
	}
	return llm, e.mustCreateBatch(t, k.ref(llm.ResourceID), ids...), ids
}

func (e *env) runs(t *testing.T, batchID string) []agentry.TestRun {
	t.Helper()
	page, err := e.svc.ListTestRuns(e.ctx, e.caller(), batchID, agentry.PageRequest{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func (e *env) batch(t *testing.T, id string) *agentry.TestBatch {
	t.Helper()
	b, err := e.svc.GetBatchTest(e.ctx, e.caller(), id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testWorkerRecordsOutcomes(t *testing.T, open Opener) {
	e := newEnv(t, open)
	llm, b, ids := batchFixture(t, e, "pass one", "fail one", "broken one", "bogus one")
	runner := &fakeRunner{answer: byName}
	at := e.clock.Advance(time.Minute)
	drain(t, e.ctx, e.worker(runner))

	runs := e.runs(t, b.ID)
	want := []struct {
		status, explanation string
		transcript          bool
	}{
		{agentry.RunPass, "all metrics held", false},
		{agentry.RunFail, "no slot was offered", true},
		{agentry.RunError, "test runner: the runner answered HTTP 502", false},
		{agentry.RunError, `test runner: status must be pass, fail or error, got "maybe"`, false},
	}
	for i, r := range runs {
		w := want[i]
		if r.Status != w.status || r.Explanation == nil || *r.Explanation != w.explanation || (r.Transcript != nil) != w.transcript ||
			r.Attempts != 1 || r.ModifiedAt != at || r.LeaseUntil != 0 {
			t.Errorf("run %d = status %s, explanation %v, transcript %s, attempts %d, modified %d; want %+v at %d",
				i, r.Status, show(r.Explanation), r.Transcript, r.Attempts, r.ModifiedAt, w, at)
		}
	}
	wantConfig(t, runs[1].Transcript, `{"turns":[{"role":"user","content":"hi"}]}`)
	got := e.batch(t, b.ID)
	if got.Status != agentry.BatchComplete || got.Pass != 1 || got.Fail != 1 || got.Error != 2 || got.Total != 4 || got.ModifiedAt != at {
		t.Errorf("batch after the runs: %+v", got)
	}
	// What the runner was sent: the snapshot, the engine reference with its
	// version, and that engine version as get-retell-llm answers it.
	for _, id := range ids {
		if runner.calls[id] != 1 {
			t.Fatalf("runner calls %v, want one per definition", runner.calls)
		}
	}
	req := runner.seen[0]
	wantConfig(t, req.TestCaseDefinition, string(runs[0].Snapshot))
	wantConfig(t, req.ResponseEngine, engineKinds[0].refAt(llm.ResourceID, 0))
	cfg := config(t, req.EngineConfig)
	if cfg["llm_id"] != llm.ResourceID || cfg["version"] != float64(0) || cfg["is_published"] != false || cfg["general_prompt"] != "You are Ada." {
		t.Errorf("engine_config = %s", req.EngineConfig)
	}
	// Nothing is left to do, and finished runs are not run again.
	if more, err := e.worker(runner).Step(e.ctx); more || err != nil {
		t.Errorf("Step after the batch finished: %v, %v", more, err)
	}
}

func testStatusesWhileRunning(t *testing.T, open Opener) {
	e := newEnv(t, open)
	_, b, _ := batchFixture(t, e, "pass a", "pass b")
	started, proceed := make(chan struct{}), make(chan struct{})
	runner := &fakeRunner{answer: func(ctx context.Context, name string) (*agentry.TestOutcome, error) {
		started <- struct{}{}
		<-proceed
		return byName(ctx, name)
	}}
	if runs := e.runs(t, b.ID); runs[0].Status != agentry.RunPending || runs[1].Status != agentry.RunPending {
		t.Fatalf("new runs are %s and %s, want pending", runs[0].Status, runs[1].Status)
	}
	w := e.worker(runner)
	done := make(chan error)
	go func() { _, err := w.Step(e.ctx); done <- err }()
	<-started
	runs := e.runs(t, b.ID)
	if runs[0].Status != agentry.RunInProgress || runs[1].Status != agentry.RunPending || runs[0].LeaseUntil <= start.UnixMilli() {
		t.Errorf("while the runner works: %s (lease %d) and %s, want in_progress and pending", runs[0].Status, runs[0].LeaseUntil, runs[1].Status)
	}
	if got := e.batch(t, b.ID); got.Status != agentry.BatchInProgress {
		t.Errorf("batch is %s while a run is in progress", got.Status)
	}
	close(proceed)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := e.batch(t, b.ID); got.Status != agentry.BatchInProgress || got.Pass != 1 {
		t.Errorf("after one of two runs: %+v, want in_progress with pass_count 1", got)
	}
	go func() { <-started }()
	drain(t, e.ctx, w)
	if got := e.batch(t, b.ID); got.Status != agentry.BatchComplete || got.Pass != 2 {
		t.Errorf("after both runs: %+v", got)
	}
}

func testNoRunnerEndsInError(t *testing.T, open Opener) {
	e := newEnv(t, open)
	_, b, _ := batchFixture(t, e, "pass a", "pass b", "pass c")
	drain(t, e.ctx, e.worker(nil))
	for _, r := range e.runs(t, b.ID) {
		if r.Status != agentry.RunError || r.Explanation == nil || *r.Explanation != agentry.NoRunnerMessage {
			t.Errorf("run without a runner: %s %v", r.Status, show(r.Explanation))
		}
	}
	if got := e.batch(t, b.ID); got.Status != agentry.BatchComplete || got.Error != 3 || got.Pass != 0 {
		t.Errorf("batch without a runner: %+v, want complete with 3 errors and no pass", got)
	}
	if !strings.Contains(agentry.NoRunnerMessage, "--test-runner-url") {
		t.Errorf("the message does not say how to configure a runner: %s", agentry.NoRunnerMessage)
	}
}

func testVanishedEngineEndsInError(t *testing.T, open Opener) {
	e := newEnv(t, open)
	llm, b, _ := batchFixture(t, e, "pass a")
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.RetellLLM, ID: llm.ResourceID, Force: true}); err != nil {
		t.Fatal(err)
	}
	runner := &fakeRunner{answer: byName}
	drain(t, e.ctx, e.worker(runner))
	r := e.runs(t, b.ID)[0]
	if r.Status != agentry.RunError || r.Explanation == nil || !strings.Contains(*r.Explanation, "no longer exists") || len(runner.seen) != 0 {
		t.Errorf("run against a deleted engine: %s %v, runner called %d times", r.Status, show(r.Explanation), len(runner.seen))
	}
}

func testConcurrentWorkersRunEachOnce(t *testing.T, open Opener) {
	e := newEnv(t, open)
	var names []string
	for i := range 24 {
		names = append(names, fmt.Sprint([]string{"pass", "fail", "error"}[i%3], " ", i))
	}
	_, b1, ids1 := batchFixture(t, e, names[:12]...)
	_, b2, ids2 := batchFixture(t, e, names[12:]...)
	runner := &fakeRunner{answer: func(ctx context.Context, name string) (*agentry.TestOutcome, error) {
		time.Sleep(time.Millisecond) // let the workers overlap
		return byName(ctx, name)
	}}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		w := e.worker(runner) // separate workers, as in separate replicas
		wg.Go(func() {
			for {
				more, err := w.Step(e.ctx)
				if err != nil {
					errs <- err
					return
				}
				if !more {
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Step: %v", err)
	}
	for _, id := range append(ids1, ids2...) {
		if n := runner.calls[id]; n != 1 {
			t.Errorf("definition %s was run %d times, want once", id, n)
		}
	}
	for _, id := range []string{b1.ID, b2.ID} {
		got := e.batch(t, id)
		if got.Status != agentry.BatchComplete || got.Pass != 4 || got.Fail != 4 || got.Error != 4 {
			t.Errorf("batch %s: %+v, want complete with 4 of each", id, got)
		}
	}
}

// claim marks the oldest open run in progress as a worker would, with a
// lease until leaseUntil and the given attempts, and returns it.
func (e *env) claim(t *testing.T, leaseUntil int64, attempts int) *agentry.TestRun {
	t.Helper()
	var r *agentry.TestRun
	mustUpdate(t, e.store, func(tx agentry.Tx) error {
		var err error
		if r, err = tx.NextTestRun(e.clock.Millis()); err != nil {
			return err
		}
		seen := r.TestRunState
		r.Status, r.LeaseUntil, r.Attempts = agentry.RunInProgress, leaseUntil, attempts
		ok, err := tx.UpdateTestRun(r, seen)
		if err == nil && !ok {
			err = errors.New("claim lost")
		}
		return err
	})
	return r
}

func testLapsedLeaseIsTakenOver(t *testing.T, open Opener) {
	e := newEnv(t, open)
	_, b, _ := batchFixture(t, e, "pass a", "pass b")
	runner := &fakeRunner{answer: byName}
	w := e.worker(runner)

	// A worker claimed run a and died. Until its lease lapses, a is not
	// taken; b is.
	now := e.clock.Millis()
	dead := e.claim(t, now+1000, 1)
	if more, err := w.Step(e.ctx); !more || err != nil {
		t.Fatalf("Step: %v %v", more, err)
	}
	if more, err := w.Step(e.ctx); more || err != nil {
		t.Fatalf("Step found a run to do while the only open one is leased: %v %v", more, err)
	}
	if r, _ := e.svc.GetTestRun(e.ctx, e.caller(), dead.ID); r.Status != agentry.RunInProgress || len(runner.seen) != 1 {
		t.Fatalf("the leased run was touched: %s, runner called %d times", r.Status, len(runner.seen))
	}
	e.clock.Advance(2 * time.Second)
	drain(t, e.ctx, w)
	r, _ := e.svc.GetTestRun(e.ctx, e.caller(), dead.ID)
	if r.Status != agentry.RunPass || r.Attempts != 2 {
		t.Errorf("taken-over run: %s after %d attempts, want pass after 2", r.Status, r.Attempts)
	}
	if got := e.batch(t, b.ID); got.Status != agentry.BatchComplete || got.Pass != 2 {
		t.Errorf("batch %+v", got)
	}

	// A run whose workers died MaxTestAttempts times is an error, not run
	// again.
	_, b2, _ := batchFixture(t, e, "pass c")
	e.claim(t, e.clock.Millis()+1000, agentry.MaxTestAttempts)
	e.clock.Advance(2 * time.Second)
	calls := len(runner.seen)
	drain(t, e.ctx, w)
	r = &e.runs(t, b2.ID)[0]
	if r.Status != agentry.RunError || r.Explanation == nil || !strings.Contains(*r.Explanation, "stopped before the test runner answered") || len(runner.seen) != calls {
		t.Errorf("run abandoned %d times: %s %v (runner called again: %v)", agentry.MaxTestAttempts, r.Status, show(r.Explanation), len(runner.seen) != calls)
	}
	if got := e.batch(t, b2.ID); got.Status != agentry.BatchComplete || got.Error != 1 {
		t.Errorf("batch %+v", got)
	}
}

func testStoppedWorkerHandsBack(t *testing.T, open Opener) {
	e := newEnv(t, open)
	_, b, _ := batchFixture(t, e, "pass a")
	started := make(chan struct{})
	blocking := &fakeRunner{answer: func(ctx context.Context, name string) (*agentry.TestOutcome, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error)
	go func() { _, err := e.worker(blocking).Step(ctx); done <- err }()
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Step of a stopped worker: %v", err)
	}
	r := e.runs(t, b.ID)[0]
	if r.Status != agentry.RunPending || r.Attempts != 0 || r.LeaseUntil != 0 || r.Explanation != nil {
		t.Errorf("handed-back run: %+v, want pending with no attempt counted", r)
	}
	drain(t, e.ctx, e.worker(&fakeRunner{answer: byName}))
	if got := e.batch(t, b.ID); got.Status != agentry.BatchComplete || got.Pass != 1 {
		t.Errorf("batch after another worker ran it: %+v", got)
	}
}

func testWorkerRunLoop(t *testing.T, open Opener) {
	e := newEnv(t, open)
	ctx, cancel := context.WithCancel(e.ctx)
	w := e.worker(&fakeRunner{answer: byName})
	w.Workers = 3
	stopped := make(chan struct{})
	go func() { w.Run(ctx); close(stopped) }()
	_, b, _ := batchFixture(t, e, "pass a", "fail b", "pass c", "x d")
	deadline := time.Now().Add(20 * time.Second)
	for e.batch(t, b.ID).Status != agentry.BatchComplete {
		if time.Now().After(deadline) {
			t.Fatalf("the batch did not complete: %+v", e.batch(t, b.ID))
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-stopped
	if got := e.batch(t, b.ID); got.Pass != 2 || got.Fail != 1 || got.Error != 1 {
		t.Errorf("batch %+v", got)
	}
}
