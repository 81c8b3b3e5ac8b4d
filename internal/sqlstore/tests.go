package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/agentry/agentry"
)

// Test case definitions, batch tests and their runs.

const testCaseColumns = `workspace_id, id, engine_kind, engine_id, fields, created_at, modified_at`

func scanTestCase(sc interface{ Scan(...any) error }) (agentry.TestCaseDefinition, error) {
	var d agentry.TestCaseDefinition
	var kind, fields string
	err := sc.Scan(&d.WorkspaceID, &d.ID, &kind, &d.EngineID, &fields, &d.CreatedAt, &d.ModifiedAt)
	if err == nil {
		d.EngineKind, err = kindOf(kind)
	}
	d.Fields = []byte(fields)
	return d, err
}

// InsertTestCase inserts a test case definition.
func (t *Tx) InsertTestCase(d *agentry.TestCaseDefinition) error {
	_, err := t.exec(`INSERT INTO test_case_definitions (`+testCaseColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		d.WorkspaceID, d.ID, d.EngineKind.Name, d.EngineID, string(d.Fields), d.CreatedAt, d.ModifiedAt)
	return err
}

// GetTestCase reads a test case definition.
func (t *Tx) GetTestCase(workspaceID, id string) (*agentry.TestCaseDefinition, error) {
	d, err := scanTestCase(t.queryRow(`SELECT `+testCaseColumns+` FROM test_case_definitions WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return &d, notFound(err)
}

// UpdateTestCase writes a definition's mutable columns.
func (t *Tx) UpdateTestCase(d *agentry.TestCaseDefinition) error {
	return mustAffect(t.exec(`UPDATE test_case_definitions SET engine_kind = ?, engine_id = ?, fields = ?, modified_at = ? WHERE workspace_id = ? AND id = ?`,
		d.EngineKind.Name, d.EngineID, string(d.Fields), d.ModifiedAt, d.WorkspaceID, d.ID))
}

// DeleteTestCase deletes a definition.
func (t *Tx) DeleteTestCase(workspaceID, id string) error {
	return mustAffect(t.exec(`DELETE FROM test_case_definitions WHERE workspace_id = ? AND id = ?`, workspaceID, id))
}

// ListTestCases reads a keyset page of one engine's definitions.
func (t *Tx) ListTestCases(workspaceID, engineID string, q agentry.KeysetQuery) ([]agentry.TestCaseDefinition, error) {
	query, args := keyset(`SELECT `+testCaseColumns+` FROM test_case_definitions WHERE workspace_id = ? AND engine_id = ?`,
		[]any{workspaceID, engineID}, q)
	return collect(t, scanTestCase, query, args...)
}

const testBatchColumns = `workspace_id, id, engine_kind, engine_id, engine_version, status, pass_count, fail_count, error_count, total_count, created_at, modified_at`

func scanTestBatch(sc interface{ Scan(...any) error }) (agentry.TestBatch, error) {
	var b agentry.TestBatch
	var kind string
	err := sc.Scan(&b.WorkspaceID, &b.ID, &kind, &b.EngineID, &b.EngineVersion, &b.Status,
		&b.Pass, &b.Fail, &b.Error, &b.Total, &b.CreatedAt, &b.ModifiedAt)
	if err == nil {
		b.EngineKind, err = kindOf(kind)
	}
	return b, err
}

// InsertTestBatch inserts a batch test.
func (t *Tx) InsertTestBatch(b *agentry.TestBatch) error {
	_, err := t.exec(`INSERT INTO test_batches (`+testBatchColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.WorkspaceID, b.ID, b.EngineKind.Name, b.EngineID, b.EngineVersion, b.Status,
		b.Pass, b.Fail, b.Error, b.Total, b.CreatedAt, b.ModifiedAt)
	return err
}

// GetTestBatch reads a batch test.
func (t *Tx) GetTestBatch(workspaceID, id string) (*agentry.TestBatch, error) {
	b, err := scanTestBatch(t.queryRow(`SELECT `+testBatchColumns+` FROM test_batches WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return &b, notFound(err)
}

// ListTestBatches reads a keyset page of the batches of one engine version.
func (t *Tx) ListTestBatches(workspaceID, engineID string, engineVersion int64, q agentry.KeysetQuery) ([]agentry.TestBatch, error) {
	query, args := keyset(`SELECT `+testBatchColumns+` FROM test_batches WHERE workspace_id = ? AND engine_id = ? AND engine_version = ?`,
		[]any{workspaceID, engineID, engineVersion}, q)
	return collect(t, scanTestBatch, query, args...)
}

// CountTestResult counts one finished run in its batch, in one statement so
// that workers finishing runs of one batch at once never lose a count.
func (t *Tx) CountTestResult(workspaceID, batchID, status string, at int64) error {
	column := map[string]string{agentry.RunPass: "pass_count", agentry.RunFail: "fail_count", agentry.RunError: "error_count"}[status]
	if column == "" {
		return fmt.Errorf("CountTestResult: status %q is not a result", status)
	}
	return mustAffect(t.exec(`UPDATE test_batches SET `+column+` = `+column+` + 1,
		status = CASE WHEN pass_count + fail_count + error_count + 1 >= total_count THEN ? ELSE status END,
		modified_at = CASE WHEN modified_at < ? THEN ? ELSE modified_at END
		WHERE workspace_id = ? AND id = ?`, agentry.BatchComplete, at, at, workspaceID, batchID))
}

const testRunColumns = `workspace_id, id, batch_id, definition_id, position, snapshot, status, lease_until, explanation, transcript, attempts, created_at, modified_at`

func scanTestRun(sc interface{ Scan(...any) error }) (agentry.TestRun, error) {
	var r agentry.TestRun
	var snapshot string
	var explanation, transcript sql.NullString
	err := sc.Scan(&r.WorkspaceID, &r.ID, &r.BatchID, &r.DefinitionID, &r.Position, &snapshot, &r.Status, &r.LeaseUntil,
		&explanation, &transcript, &r.Attempts, &r.CreatedAt, &r.ModifiedAt)
	r.Snapshot = []byte(snapshot)
	if explanation.Valid {
		r.Explanation = &explanation.String
	}
	if transcript.Valid {
		r.Transcript = []byte(transcript.String)
	}
	return r, err
}

// nullJSON is a JSON document for a nullable TEXT column.
func nullJSON(b []byte) sql.NullString {
	return sql.NullString{String: string(b), Valid: b != nil}
}

// InsertTestRun inserts a run.
func (t *Tx) InsertTestRun(r *agentry.TestRun) error {
	_, err := t.exec(`INSERT INTO test_runs (`+testRunColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.WorkspaceID, r.ID, r.BatchID, r.DefinitionID, r.Position, string(r.Snapshot), r.Status, r.LeaseUntil,
		r.Explanation, nullJSON(r.Transcript), r.Attempts, r.CreatedAt, r.ModifiedAt)
	return err
}

// GetTestRun reads a run.
func (t *Tx) GetTestRun(workspaceID, id string) (*agentry.TestRun, error) {
	r, err := scanTestRun(t.queryRow(`SELECT `+testRunColumns+` FROM test_runs WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return &r, notFound(err)
}

// ListTestRuns reads a page of a batch's runs by position.
func (t *Tx) ListTestRuns(workspaceID, batchID string, after *int64, desc bool, limit int) ([]agentry.TestRun, error) {
	query := `SELECT ` + testRunColumns + ` FROM test_runs WHERE workspace_id = ? AND batch_id = ?`
	args := []any{workspaceID, batchID}
	op, dir := ">", "ASC"
	if desc {
		op, dir = "<", "DESC"
	}
	if after != nil {
		query += ` AND position ` + op + ` ?`
		args = append(args, *after)
	}
	query += ` ORDER BY position ` + dir + ` LIMIT ?`
	args = append(args, limit)
	return collect(t, scanTestRun, query, args...)
}

// NextTestRun reads the oldest run still to do: pending, or in progress
// with a lapsed lease. The predicate repeats the test_runs_open index's.
func (t *Tx) NextTestRun(now int64) (*agentry.TestRun, error) {
	r, err := scanTestRun(t.queryRow(`SELECT `+testRunColumns+` FROM test_runs
		WHERE status IN ('pending', 'in_progress') AND (status = ? OR lease_until < ?)
		ORDER BY created_at, batch_id, position LIMIT 1`, agentry.RunPending, now))
	return &r, notFound(err)
}

// UpdateTestRun writes a run's mutable columns if its status and lease are
// still those seen.
func (t *Tx) UpdateTestRun(r *agentry.TestRun, seen agentry.TestRunState) (bool, error) {
	err := mustAffect(t.exec(`UPDATE test_runs SET status = ?, lease_until = ?, explanation = ?, transcript = ?, attempts = ?, modified_at = ?
		WHERE workspace_id = ? AND id = ? AND status = ? AND lease_until = ?`,
		r.Status, r.LeaseUntil, r.Explanation, nullJSON(r.Transcript), r.Attempts, r.ModifiedAt,
		r.WorkspaceID, r.ID, seen.Status, seen.LeaseUntil))
	if errors.Is(err, agentry.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// keyset appends the keyset condition, order and limit of q to a query
// over a table with created_at and id columns.
func keyset(query string, args []any, q agentry.KeysetQuery) (string, []any) {
	var b strings.Builder
	b.WriteString(query)
	op, dir := ">", "ASC"
	if q.Desc {
		op, dir = "<", "DESC"
	}
	if q.After != nil {
		b.WriteString(` AND (created_at, id) ` + op + ` (?, ?)`)
		args = append(args, q.After.CreatedAt, q.After.ID)
	}
	b.WriteString(` ORDER BY created_at ` + dir + `, id ` + dir + ` LIMIT ?`)
	return b.String(), append(args, q.Limit)
}

// collect runs a query and scans every row with scan.
func collect[T any](t *Tx, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
