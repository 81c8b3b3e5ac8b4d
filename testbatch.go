package agentry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// A batch test runs test case definitions against one engine version. Each
// definition becomes a test run (Retell's "test case job") holding a
// snapshot of the definition, so that later edits or deletion of the
// definition do not change what the run was. Runs are executed in the
// background by a TestWorker (testworker.go), which asks the operator's
// test runner for each outcome: agentry runs no language model and never
// invents a result.
//
// What a client polling sees, as on Retell:
//   - the batch is in_progress from its creation until every run has
//     finished, then complete; pass_count, fail_count and error_count grow
//     as runs finish;
//   - a run is pending until a worker claims it, in_progress while the
//     runner works, then pass, fail or error.

// Statuses of batches and runs, as the reference names them.
const (
	BatchInProgress = "in_progress"
	BatchComplete   = "complete"

	RunPending    = "pending"
	RunInProgress = "in_progress"
	RunPass       = "pass"
	RunFail       = "fail"
	RunError      = "error"
)

// Id prefixes of batches and runs.
const (
	TestBatchIDPrefix = "test_case_batch_job_"
	TestRunIDPrefix   = "test_case_job_"
)

// TestBatch is a batch test: its engine version and its counts.
type TestBatch struct {
	WorkspaceID   string
	ID            string
	EngineKind    *Kind
	EngineID      string
	EngineVersion int64
	Status        string // BatchInProgress or BatchComplete
	Pass          int
	Fail          int
	Error         int
	Total         int
	CreatedAt     int64
	ModifiedAt    int64
}

// ResponseEngine is the batch's response_engine: the engine and the version
// it ran against (the latest at creation when the request named none).
func (b *TestBatch) ResponseEngine() json.RawMessage {
	buf := make([]byte, 0, 96)
	buf = append(buf, `{"type":`...)
	buf = strconv.AppendQuote(buf, b.EngineKind.Name)
	buf = append(buf, ',')
	buf = strconv.AppendQuote(buf, b.EngineKind.IDField)
	buf = append(buf, ':')
	buf = strconv.AppendQuote(buf, b.EngineID)
	buf = append(buf, `,"version":`...)
	buf = strconv.AppendInt(buf, b.EngineVersion, 10)
	return append(buf, '}')
}

// TestRun is one definition's run in a batch.
type TestRun struct {
	WorkspaceID  string
	ID           string
	BatchID      string
	DefinitionID string
	// Position is the definition's place in the batch request: runs list in
	// that order.
	Position int64
	// Snapshot is the definition's Document when the batch was created.
	Snapshot json.RawMessage
	TestRunState
	// Explanation is the runner's result_explanation, or why the run is an
	// error; nil while the run has no result.
	Explanation *string
	// Transcript is the runner's transcript (a JSON object), or nil.
	Transcript json.RawMessage
	// Attempts counts the claims of the run by a worker.
	Attempts   int
	CreatedAt  int64
	ModifiedAt int64
}

// TestRunState is the part of a run that workers compare and swap to claim
// it: its status and the lease of the worker that holds it.
type TestRunState struct {
	Status string
	// LeaseUntil is when the claim of the worker running it lapses
	// (milliseconds; 0 unless in progress). Past it, another worker may take
	// the run over.
	LeaseUntil int64
}

// MaxBatchTests is the most test case definitions one batch runs, as the
// reference bounds test_case_definition_ids.
const MaxBatchTests = 1000

// BatchTestRequest asks to run definitions against an engine version.
type BatchTestRequest struct {
	// ResponseEngine is a Retell LLM or conversation flow, with an optional
	// version (none: its latest version now).
	ResponseEngine json.RawMessage
	DefinitionIDs  []string
}

// CreateBatchTest creates a batch and a pending run per definition, in one
// transaction. Every definition must exist in the workspace and target the
// batch's engine (any version of it: running old tests against a new version
// is what batches are for).
func (s *Service) CreateBatchTest(ctx context.Context, c Caller, req BatchTestRequest) (*TestBatch, error) {
	if n := len(req.DefinitionIDs); n == 0 || n > MaxBatchTests {
		return nil, Errorf(EINVALID, "test_case_definition_ids: must hold 1 to %d ids, got %d", MaxBatchTests, n)
	}
	seen := map[string]int{}
	for i, id := range req.DefinitionIDs {
		if j, dup := seen[id]; dup {
			return nil, Errorf(EINVALID, "test_case_definition_ids[%d]: repeats test_case_definition_ids[%d] (%s); list each definition once", i, j, id)
		}
		seen[id] = i
	}
	now := s.now()
	b := &TestBatch{WorkspaceID: c.Workspace, ID: NewID(TestBatchIDPrefix), Status: BatchInProgress,
		Total: len(req.DefinitionIDs), CreatedAt: now, ModifiedAt: now}
	err := s.Store.Update(ctx, func(tx Tx) error {
		target, err := findEngine(tx, c.Workspace, req.ResponseEngine, "response_engine")
		if err != nil {
			return err
		}
		b.EngineKind, b.EngineID, b.EngineVersion = target.kind, target.resource.ID, target.version.Number
		runs := make([]TestRun, 0, len(req.DefinitionIDs))
		for i, id := range req.DefinitionIDs {
			d, err := tx.GetTestCase(c.Workspace, id)
			if errors.Is(err, ErrNotFound) {
				return Errorf(EUNPROCESSABLE, "test_case_definition_ids[%d]: test case definition %s does not exist", i, id)
			} else if err != nil {
				return err
			}
			if d.EngineID != b.EngineID {
				return Errorf(EINVALID, "test_case_definition_ids[%d]: test case definition %s targets %s %s, not the batch's %s %s",
					i, id, d.EngineKind.Noun, d.EngineID, b.EngineKind.Noun, b.EngineID)
			}
			runs = append(runs, TestRun{WorkspaceID: c.Workspace, ID: NewID(TestRunIDPrefix), BatchID: b.ID,
				DefinitionID: d.ID, Position: int64(i), Snapshot: d.Document(),
				TestRunState: TestRunState{Status: RunPending}, CreatedAt: now, ModifiedAt: now})
		}
		if err := tx.InsertTestBatch(b); err != nil {
			return err
		}
		for i := range runs {
			if err := tx.InsertTestRun(&runs[i]); err != nil {
				return err
			}
		}
		// The runs' progress afterwards is the worker's, not a change
		// through the API: it is not audited (docs/API.md).
		return s.record(tx, c, Change{Action: "batch_test.created", Object: ObjectBatchTest, ID: b.ID,
			Details: map[string]any{"response_engine": b.ResponseEngine(), "test_case_count": b.Total}})
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// GetBatchTest returns one batch of the caller's workspace.
func (s *Service) GetBatchTest(ctx context.Context, c Caller, id string) (*TestBatch, error) {
	var b *TestBatch
	err := s.readOne(ctx, func(tx Tx) (err error) {
		b, err = getTestBatch(tx, c.Workspace, id)
		return err
	})
	return b, err
}

func getTestBatch(tx Tx, workspaceID, id string) (*TestBatch, error) {
	b, err := tx.GetTestBatch(workspaceID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ENOTFOUND, "batch test %s not found", id)
	}
	return b, err
}

// ListBatchTests returns one page of the batches run against one version of
// an engine (its latest version when the filter names none), ordered by
// creation. An engine that does not exist has no batches.
func (s *Service) ListBatchTests(ctx context.Context, c Caller, f EngineFilter, p PageRequest) (*Page[TestBatch], error) {
	p = p.normalized()
	q, err := keysetQuery("tb", p)
	if err != nil {
		return nil, err
	}
	var items []TestBatch
	err = s.Store.View(ctx, func(tx Tx) error {
		version := f.Version
		if version == nil {
			latest, err := tx.FindVersion(c.Workspace, f.ID, PickLatest)
			if errors.Is(err, ErrNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			if latest.Kind != f.Kind {
				return nil
			}
			version = &latest.Number
		}
		var err error
		items, err = tx.ListTestBatches(c.Workspace, f.ID, *version, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	kept := items[:0]
	for _, b := range items {
		if b.EngineKind == f.Kind {
			kept = append(kept, b)
		}
	}
	return keysetPage(kept, p, "tb", func(b *TestBatch) (int64, string) { return b.CreatedAt, b.ID }), nil
}

// GetTestRun returns one run of the caller's workspace.
func (s *Service) GetTestRun(ctx context.Context, c Caller, id string) (*TestRun, error) {
	var r *TestRun
	err := s.readOne(ctx, func(tx Tx) (err error) {
		r, err = tx.GetTestRun(c.Workspace, id)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ENOTFOUND, "test run %s not found", id)
		}
		return err
	})
	return r, err
}

// ListTestRuns returns one page of a batch's runs, in the order of the
// batch's test_case_definition_ids (p.Desc reverses it).
func (s *Service) ListTestRuns(ctx context.Context, c Caller, batchID string, p PageRequest) (*Page[TestRun], error) {
	p = p.normalized()
	after, err := seqAfter("tr", p)
	if err != nil {
		return nil, err
	}
	var items []TestRun
	err = s.Store.View(ctx, func(tx Tx) error {
		if _, err := getTestBatch(tx, c.Workspace, batchID); err != nil {
			return err
		}
		var err error
		items, err = tx.ListTestRuns(c.Workspace, batchID, after, p.Desc, p.Limit+1)
		return err
	})
	if err != nil {
		return nil, err
	}
	return seqPage(items, p, "tr", func(r *TestRun) int64 { return r.Position }), nil
}

// finished reports whether status is a run's final status.
func finished(status string) bool {
	return status == RunPass || status == RunFail || status == RunError
}

// validRunStatus checks a status a runner reported.
func validRunStatus(status string) error {
	if !finished(status) {
		return fmt.Errorf("status must be pass, fail or error, got %q", status)
	}
	return nil
}
