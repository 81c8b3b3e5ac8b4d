package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Test case definitions, batch tests and their runs. The runs execute in
// the background (agentry.TestWorker, started by serve); these handlers
// only create and read.

// decodeBody reads a request body that is not a configuration and checks
// it against obj in mode (schema.Update: a partial body, nothing required).
func decodeBody(r *http.Request, obj *schema.Object, mode schema.Mode) (agentry.Fields, error) {
	fields, err := decodeFields(r)
	if err != nil {
		return nil, err
	}
	return checkRequestAs(r, obj, fields, mode)
}

// pageOf reads limit, sort_order and pagination_key.
func pageOf(r *http.Request, defaultDesc bool) (agentry.PageRequest, error) {
	q := r.URL.Query()
	return agentry.ParsePageRequest(q.Get("limit"), q.Get("sort_order"), q.Get("pagination_key"), defaultDesc)
}

// engineFilter reads type and the id parameter its kind needs.
func engineFilter(r *http.Request) (agentry.EngineFilter, error) {
	q := r.URL.Query()
	kind := agentry.KindNamed(q.Get("type"))
	if kind == nil || !kind.Engine {
		if q.Get("type") == "" {
			return agentry.EngineFilter{}, agentry.Errorf(agentry.EINVALID, "type: is required (retell-llm or conversation-flow)")
		}
		return agentry.EngineFilter{}, agentry.Errorf(agentry.EINVALID, "type: must be retell-llm or conversation-flow, got %q", q.Get("type"))
	}
	f := agentry.EngineFilter{Kind: kind, ID: q.Get(kind.IDField)}
	if f.ID == "" {
		return f, agentry.Errorf(agentry.EINVALID, "%s: is required when type is %s", kind.IDField, kind.Name)
	}
	for _, other := range []*agentry.Kind{agentry.RetellLLM, agentry.ConversationFlow} {
		if other != kind && q.Has(other.IDField) {
			return f, agentry.Errorf(agentry.EINVALID, "%s: not allowed when type is %s (use %s)", other.IDField, kind.Name, kind.IDField)
		}
	}
	return f, nil
}

func (s *Server) createTestCaseDefinition(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeBody(r, schema.TestCaseDefinitionInput, schema.Create)
	if err != nil {
		return err
	}
	d, err := s.Service.CreateTestCase(r.Context(), caller(r), fields)
	if err != nil {
		return err
	}
	writeRaw(w, http.StatusCreated, d.Document())
	return nil
}

func (s *Server) getTestCaseDefinition(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Service.GetTestCase(r.Context(), caller(r), r.PathValue("test_case_definition_id"))
	if err != nil {
		return err
	}
	writeRaw(w, http.StatusOK, d.Document())
	return nil
}

func (s *Server) updateTestCaseDefinition(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeBody(r, schema.TestCaseDefinitionInput, schema.Update)
	if err != nil {
		return err
	}
	d, err := s.Service.UpdateTestCase(r.Context(), caller(r), r.PathValue("test_case_definition_id"), fields)
	if err != nil {
		return err
	}
	writeRaw(w, http.StatusOK, d.Document())
	return nil
}

func (s *Server) deleteTestCaseDefinition(w http.ResponseWriter, r *http.Request) error {
	if err := s.Service.DeleteTestCase(r.Context(), caller(r), r.PathValue("test_case_definition_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listTestCaseDefinitions(w http.ResponseWriter, r *http.Request) error {
	f, err := engineFilter(r)
	if err != nil {
		return err
	}
	p, err := pageOf(r, true)
	if err != nil {
		return err
	}
	res, err := s.Service.ListTestCases(r.Context(), caller(r), f, p)
	if err != nil {
		return err
	}
	out := listResponse[json.RawMessage]{Items: make([]json.RawMessage, len(res.Items)), HasMore: res.HasMore, PaginationKey: res.NextKey}
	for i := range res.Items {
		out.Items[i] = res.Items[i].Document()
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// batchJSON is TestCaseBatchJob.
type batchJSON struct {
	ID             string          `json:"test_case_batch_job_id"`
	Status         string          `json:"status"`
	ResponseEngine json.RawMessage `json:"response_engine"`
	Pass           int             `json:"pass_count"`
	Fail           int             `json:"fail_count"`
	Error          int             `json:"error_count"`
	Total          int             `json:"total_count"`
	Created        int64           `json:"creation_timestamp"`
	Modified       int64           `json:"user_modified_timestamp"`
}

func batchOf(b *agentry.TestBatch) batchJSON {
	return batchJSON{ID: b.ID, Status: b.Status, ResponseEngine: b.ResponseEngine(), Pass: b.Pass, Fail: b.Fail, Error: b.Error,
		Total: b.Total, Created: b.CreatedAt, Modified: b.ModifiedAt}
}

// runJSON is TestCaseJob.
type runJSON struct {
	ID           string          `json:"test_case_job_id"`
	Status       string          `json:"status"`
	DefinitionID string          `json:"test_case_definition_id"`
	Snapshot     json.RawMessage `json:"test_case_definition_snapshot"`
	Transcript   json.RawMessage `json:"transcript_snapshot"` // null until the runner sends one
	Explanation  *string         `json:"result_explanation"`  // null until the run has a result
	Created      int64           `json:"creation_timestamp"`
	Modified     int64           `json:"user_modified_timestamp"`
}

func runOf(t *agentry.TestRun) runJSON {
	return runJSON{ID: t.ID, Status: t.Status, DefinitionID: t.DefinitionID, Snapshot: t.Snapshot, Transcript: t.Transcript,
		Explanation: t.Explanation, Created: t.CreatedAt, Modified: t.ModifiedAt}
}

func (s *Server) createBatchTest(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeBody(r, schema.CreateBatchTest, schema.Create)
	if err != nil {
		return err
	}
	req := agentry.BatchTestRequest{ResponseEngine: fields["response_engine"]}
	if err := json.Unmarshal(fields["test_case_definition_ids"], &req.DefinitionIDs); err != nil {
		return agentry.Errorf(agentry.EINVALID, "test_case_definition_ids: must be an array of strings")
	}
	b, err := s.Service.CreateBatchTest(r.Context(), caller(r), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, batchOf(b))
	return nil
}

func (s *Server) getBatchTest(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Service.GetBatchTest(r.Context(), caller(r), r.PathValue("test_case_batch_job_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, batchOf(b))
	return nil
}

func (s *Server) listBatchTests(w http.ResponseWriter, r *http.Request) error {
	f, err := engineFilter(r)
	if err != nil {
		return err
	}
	if raw := r.URL.Query().Get("version"); raw != "" {
		n, err := agentry.ParseVersionNumber(raw)
		if err != nil {
			return err
		}
		f.Version = &n
	}
	p, err := pageOf(r, true)
	if err != nil {
		return err
	}
	res, err := s.Service.ListBatchTests(r.Context(), caller(r), f, p)
	if err != nil {
		return err
	}
	out := listResponse[batchJSON]{Items: make([]batchJSON, len(res.Items)), HasMore: res.HasMore, PaginationKey: res.NextKey}
	for i := range res.Items {
		out.Items[i] = batchOf(&res.Items[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getTestRun(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Service.GetTestRun(r.Context(), caller(r), r.PathValue("test_case_job_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, runOf(t))
	return nil
}

func (s *Server) listTestRuns(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r, false)
	if err != nil {
		return err
	}
	res, err := s.Service.ListTestRuns(r.Context(), caller(r), r.PathValue("test_case_batch_job_id"), p)
	if err != nil {
		return err
	}
	out := listResponse[runJSON]{Items: make([]runJSON, len(res.Items)), HasMore: res.HasMore, PaginationKey: res.NextKey}
	for i := range res.Items {
		out.Items[i] = runOf(&res.Items[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
