package agentry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// TestRunner evaluates one test case against an engine version: the
// operator's service, reached over HTTP by the outbound adapter (DESIGN §6).
// agentry only records what it answers.
type TestRunner interface {
	// RunTest asks for the outcome of one run. An error means the runner
	// gave no usable answer (unreachable, timed out, a non-200, a malformed
	// body); its message is recorded as the run's explanation, so it must
	// be fit for the client and hold no secret.
	RunTest(ctx context.Context, req TestRunRequest) (*TestOutcome, error)
}

// TestRunRequest is what a runner receives for one run.
type TestRunRequest struct {
	// TestCaseDefinition is the run's snapshot of the definition.
	TestCaseDefinition json.RawMessage `json:"test_case_definition"`
	// ResponseEngine is the batch's engine reference, version included.
	ResponseEngine json.RawMessage `json:"response_engine"`
	// EngineConfig is that engine version as get-retell-llm or
	// get-conversation-flow answers it.
	EngineConfig json.RawMessage `json:"engine_config"`
}

// TestOutcome is a runner's answer.
type TestOutcome struct {
	Status      string // RunPass, RunFail or RunError
	Explanation string
	// Transcript is a JSON object, or nil.
	Transcript json.RawMessage
}

// NoRunnerMessage is the explanation of every run when no test runner is
// configured.
const NoRunnerMessage = "no test runner is configured: agentry runs no language model, so it cannot evaluate a test by itself; " +
	"start agentry serve with --test-runner-url (or AGENTRY_TEST_RUNNER_URL) naming a runner, then create the batch again"

// Defaults of a TestWorker.
const (
	DefaultTestTimeout = 2 * time.Minute
	DefaultTestWorkers = 4
	DefaultTestPoll    = 250 * time.Millisecond
	// MaxTestAttempts is how often a run is started before a run whose
	// worker keeps vanishing (its process stopped while the runner worked)
	// is recorded as an error.
	MaxTestAttempts = 3
	// leaseMargin is how much longer than the runner's timeout a claim
	// lasts: a live worker always records its result before its lease
	// lapses, so only a worker that died loses its run to another. Leases
	// are compared across replicas' clocks, which must agree within it.
	leaseMargin = 10 * time.Second
)

// TestWorker executes pending test runs in the background. Any number of
// workers, in one process or in replicas on one database, may run at once:
// each run is claimed in the database (a compare-and-swap on its status and
// lease), so only one of them executes it. A run whose worker died (its
// lease lapsed) is taken over and started again, up to MaxTestAttempts
// times; a worker stopped gracefully hands its run back at once.
type TestWorker struct {
	Service *Service
	// Runner evaluates the runs; nil means none is configured, and every run
	// ends as an error that says so.
	Runner TestRunner
	// Timeout bounds one runner answer (DefaultTestTimeout when 0).
	Timeout time.Duration
	// Workers is how many runs execute at once (DefaultTestWorkers when 0).
	Workers int
	// Poll is how long a worker waits when nothing is pending
	// (DefaultTestPoll when 0).
	Poll   time.Duration
	Logger *slog.Logger
}

// Run executes runs until ctx ends, then returns once every run in hand is
// recorded or handed back. One loop looks for work (a read, once per Poll
// while there is none) and claims it; up to Workers runs execute at once.
func (w *TestWorker) Run(ctx context.Context) {
	n := w.Workers
	if n <= 0 {
		n = DefaultTestWorkers
	}
	poll := w.Poll
	if poll <= 0 {
		poll = DefaultTestPoll
	}
	slots := make(chan struct{}, n)
	var running sync.WaitGroup
	defer running.Wait()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		run, found, err := w.claim(ctx)
		if run != nil {
			// Claimed: finish executes it, or hands it back if ctx has ended.
			running.Go(func() {
				defer func() { <-slots }()
				if err := w.finish(ctx, run); err != nil {
					w.logger().Error("test worker", "test_case_job_id", run.ID, "err", err)
				}
			})
			continue
		}
		<-slots
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			w.logger().Error("test worker", "err", err)
		}
		if found && err == nil {
			continue // another worker took it first, or it was closed here: look again
		}
		t.Reset(poll)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *TestWorker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}

func (w *TestWorker) timeout() time.Duration {
	if w.Timeout > 0 {
		return w.Timeout
	}
	return DefaultTestTimeout
}

// Step claims one run and executes it, in the caller's goroutine. It
// reports whether there was a run to take (false: nothing is to do).
func (w *TestWorker) Step(ctx context.Context) (bool, error) {
	run, found, err := w.claim(ctx)
	if err != nil || run == nil {
		return found, err
	}
	return true, w.finish(ctx, run)
}

// claim finds the next run to do and claims it. found says whether there
// was one; run is nil when another worker claimed it first, or when it was
// a run abandoned too often, which claim records as an error.
func (w *TestWorker) claim(ctx context.Context) (run *TestRun, found bool, err error) {
	s := w.Service
	// A read first: when there is nothing to do, as mostly, no write
	// transaction (on SQLite, the database's one write lock) is taken.
	err = s.readOne(ctx, func(tx Tx) error {
		_, err := tx.NextTestRun(s.now())
		found = err == nil
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil || !found {
		return nil, false, err
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		now := s.now()
		r, err := tx.NextTestRun(now)
		if errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		seen := r.TestRunState
		if r.Status == RunInProgress && r.Attempts >= MaxTestAttempts {
			msg := fmt.Sprintf("the run was started %d times and each time the agentry process running it stopped before the test runner answered; create a new batch to run it again", r.Attempts)
			return finishRun(tx, r, seen, &TestOutcome{Status: RunError, Explanation: msg}, now)
		}
		r.Status, r.LeaseUntil, r.ModifiedAt = RunInProgress, now+(w.timeout()+leaseMargin).Milliseconds(), now
		r.Attempts++
		ok, err := tx.UpdateTestRun(r, seen)
		if ok {
			run = r
		}
		return err
	})
	return run, true, err
}

// finish executes a claimed run and records its outcome, or hands it back
// when ctx ends first.
func (w *TestWorker) finish(ctx context.Context, run *TestRun) error {
	s := w.Service
	outcome := w.execute(ctx, run)
	if ctx.Err() != nil {
		return w.release(run)
	}
	if outcome.Status == RunError {
		w.logger().Warn("test run ended in error", "test_case_job_id", run.ID, "test_case_batch_job_id", run.BatchID, "reason", outcome.Explanation)
	}
	return s.Store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		return finishRun(tx, run, run.TestRunState, outcome, s.now())
	})
}

// execute asks the runner for the outcome of run; every failure becomes an
// error outcome that says what went wrong.
func (w *TestWorker) execute(ctx context.Context, run *TestRun) *TestOutcome {
	if w.Runner == nil {
		return &TestOutcome{Status: RunError, Explanation: NoRunnerMessage}
	}
	c := Caller{Workspace: run.WorkspaceID}
	b, err := w.Service.GetBatchTest(ctx, c, run.BatchID)
	if err != nil {
		return &TestOutcome{Status: RunError, Explanation: "the run's batch test could not be read: " + ErrorMessage(err)}
	}
	engine, err := w.Service.Get(ctx, c, Address{Kind: b.EngineKind, ID: b.EngineID, Version: VersionRef{Form: RefNumber, Number: b.EngineVersion}})
	if ErrorCode(err) == ENOTFOUND {
		return &TestOutcome{Status: RunError, Explanation: fmt.Sprintf("%s %s version %d, which the batch tests, no longer exists", b.EngineKind.Noun, b.EngineID, b.EngineVersion)}
	} else if err != nil {
		return &TestOutcome{Status: RunError, Explanation: "the engine version could not be read: " + ErrorMessage(err)}
	}
	rctx, cancel := context.WithTimeout(ctx, w.timeout())
	defer cancel()
	out, err := w.Runner.RunTest(rctx, TestRunRequest{TestCaseDefinition: run.Snapshot, ResponseEngine: b.ResponseEngine(), EngineConfig: engineDocument(engine)})
	if err != nil {
		return &TestOutcome{Status: RunError, Explanation: "test runner: " + err.Error()}
	}
	if err := validRunStatus(out.Status); err != nil {
		return &TestOutcome{Status: RunError, Explanation: "test runner: " + err.Error()}
	}
	return out
}

// release hands a claimed run back when its worker stops before recording
// it: it is pending again at once, and the start did not count.
func (w *TestWorker) release(run *TestRun) error {
	s := w.Service
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Store.Update(ctx, func(tx Tx) error {
		seen := run.TestRunState
		run.Status, run.LeaseUntil, run.ModifiedAt = RunPending, 0, s.now()
		run.Attempts--
		_, err := tx.UpdateTestRun(run, seen)
		return err
	})
}

// finishRun records a run's outcome if the run is still as seen, and counts
// it in its batch. A worker whose lease lapsed and was taken over records
// nothing: the run belongs to the worker that took it.
func finishRun(tx Tx, r *TestRun, seen TestRunState, out *TestOutcome, now int64) error {
	r.Status, r.LeaseUntil = out.Status, 0
	r.Explanation, r.Transcript = &out.Explanation, out.Transcript
	if now > r.ModifiedAt {
		r.ModifiedAt = now
	}
	ok, err := tx.UpdateTestRun(r, seen)
	if err != nil || !ok {
		return err
	}
	return tx.CountTestResult(r.WorkspaceID, r.BatchID, out.Status, r.ModifiedAt)
}

// engineDocument is an engine version as its get endpoint answers it: the
// id, version, is_published and last_modification_timestamp, then the
// configuration's fields.
func engineDocument(v *Version) json.RawMessage {
	b := make([]byte, 0, 128+len(v.Config))
	b = append(b, '{')
	b = strconv.AppendQuote(b, v.Kind.IDField)
	b = append(b, ':')
	b = strconv.AppendQuote(b, v.ResourceID)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, v.Number, 10)
	b = append(b, `,"is_published":`...)
	b = strconv.AppendBool(b, v.Published)
	b = append(b, `,"last_modification_timestamp":`...)
	b = strconv.AppendInt(b, v.ModifiedAt, 10)
	if len(v.Config) > 2 {
		b = append(b, ',')
		return append(b, v.Config[1:]...)
	}
	return append(b, '}')
}
