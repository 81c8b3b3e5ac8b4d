package agentry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Test case definitions describe one simulated conversation to hold against
// a response engine: who the simulated user is (user_prompt), what to judge
// (metrics), the dynamic variables and tool mocks to run with. They are not
// versioned: an update changes the definition in place. A batch test (see
// testbatch.go) runs definitions against one engine version and keeps a
// snapshot of each definition as it ran.

// TestCaseDefinition is a stored test case definition.
type TestCaseDefinition struct {
	WorkspaceID string
	ID          string
	// EngineKind and EngineID name the engine the definition targets
	// (response_engine), kept as columns so definitions list by engine.
	EngineKind *Kind
	EngineID   string
	// Fields are the definition's own fields as a JSON object: name,
	// response_engine, user_prompt, metrics, dynamic_variables, tool_mocks
	// and llm_model, with defaults applied.
	Fields     json.RawMessage
	CreatedAt  int64 // milliseconds since the epoch
	ModifiedAt int64 // milliseconds since the epoch
}

// TestCaseIDPrefix starts every test case definition id.
const TestCaseIDPrefix = "test_case_definition_"

// Defaults of the optional fields of a test case definition. Retell's
// documentation shows gpt-4.1 as the simulation model of its examples.
const defaultSimulationModel = "gpt-4.1"

// Document is the definition as a TestCaseDefinition answer: its fields
// with its id, type and timestamps. A run's snapshot is this document.
func (d *TestCaseDefinition) Document() json.RawMessage {
	b := make([]byte, 0, 160+len(d.Fields))
	b = append(b, `{"test_case_definition_id":`...)
	b = strconv.AppendQuote(b, d.ID)
	b = append(b, `,"type":"simulation","creation_timestamp":`...)
	b = strconv.AppendInt(b, d.CreatedAt, 10)
	b = append(b, `,"user_modified_timestamp":`...)
	b = strconv.AppendInt(b, d.ModifiedAt, 10)
	if len(d.Fields) > 2 {
		b = append(b, ',')
		return append(b, d.Fields[1:]...)
	}
	return append(b, '}')
}

// EngineFilter names one response engine, and optionally one version of it,
// for the lists of test case definitions and batch tests.
type EngineFilter struct {
	Kind    *Kind // RetellLLM or ConversationFlow
	ID      string
	Version *int64 // nil: the engine's latest version (batch tests only)
}

// CreateTestCase stores a new test case definition. fields is a request
// body that passed the definition's field rules (schema) with its required
// fields; the engine it targets must exist under the caller's key.
func (s *Service) CreateTestCase(ctx context.Context, c Caller, fields Fields) (*TestCaseDefinition, error) {
	now := s.now()
	d := &TestCaseDefinition{WorkspaceID: c.Workspace, ID: NewID(TestCaseIDPrefix), CreatedAt: now, ModifiedAt: now}
	merged := Fields{
		"dynamic_variables": json.RawMessage(`{}`),
		"tool_mocks":        json.RawMessage(`[]`),
		"llm_model":         json.RawMessage(strconv.Quote(defaultSimulationModel)),
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		if err := setTestCaseFields(tx, d, merged, fields); err != nil {
			return err
		}
		if err := tx.InsertTestCase(d); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "test_case_definition.created", Object: ObjectTestCase, ID: d.ID, Details: d.details()})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// UpdateTestCase changes the fields of a definition that the body sends; the
// others keep their values (the reference's update body requires nothing,
// so a PUT of some fields cannot mean that the others go).
func (s *Service) UpdateTestCase(ctx context.Context, c Caller, id string, fields Fields) (*TestCaseDefinition, error) {
	var d *TestCaseDefinition
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		if d, err = getTestCase(tx, c.Workspace, id); err != nil {
			return err
		}
		var current Fields
		if err := json.Unmarshal(d.Fields, &current); err != nil {
			return fmt.Errorf("decode test case %s: %w", id, err)
		}
		if err := setTestCaseFields(tx, d, current, fields); err != nil {
			return err
		}
		if now := s.now(); now > d.ModifiedAt {
			d.ModifiedAt = now
		}
		if err := tx.UpdateTestCase(d); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "test_case_definition.updated", Object: ObjectTestCase, ID: d.ID,
			Paths: patchPaths(fields), Details: d.details()})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// setTestCaseFields applies fields over current, checks the engine the
// result targets, and stores the result in d.
func setTestCaseFields(tx Tx, d *TestCaseDefinition, current, fields Fields) error {
	for k, v := range fields {
		current[k] = v
	}
	target, err := findEngine(tx, d.WorkspaceID, current["response_engine"], "response_engine")
	if err != nil {
		return err
	}
	d.EngineKind, d.EngineID = target.kind, target.resource.ID
	if d.Fields, err = encodeConfig(current); err != nil {
		return err
	}
	return nil
}

// GetTestCase returns one definition of the caller's workspace.
func (s *Service) GetTestCase(ctx context.Context, c Caller, id string) (*TestCaseDefinition, error) {
	var d *TestCaseDefinition
	err := s.readOne(ctx, func(tx Tx) (err error) {
		d, err = getTestCase(tx, c.Workspace, id)
		return err
	})
	return d, err
}

// DeleteTestCase deletes a definition. The runs of batches that ran it keep
// their snapshots of it.
func (s *Service) DeleteTestCase(ctx context.Context, c Caller, id string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		d, err := getTestCase(tx, c.Workspace, id)
		if err != nil {
			return err
		}
		err = tx.DeleteTestCase(c.Workspace, id)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ENOTFOUND, "test case definition %s not found", id)
		} else if err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "test_case_definition.deleted", Object: ObjectTestCase, ID: id, Details: d.details()})
	})
}

// details are the details of a definition's changes: its name and the
// engine it targets.
func (d *TestCaseDefinition) details() map[string]any {
	var f struct {
		Name           string          `json:"name"`
		ResponseEngine json.RawMessage `json:"response_engine"`
	}
	_ = json.Unmarshal(d.Fields, &f) // stored by setTestCaseFields: an object
	return map[string]any{"name": f.Name, "response_engine": f.ResponseEngine}
}

// ListTestCases returns one page of the definitions that target an engine,
// ordered by creation.
func (s *Service) ListTestCases(ctx context.Context, c Caller, f EngineFilter, p PageRequest) (*Page[TestCaseDefinition], error) {
	p = p.normalized()
	q, err := keysetQuery("tc", p)
	if err != nil {
		return nil, err
	}
	var items []TestCaseDefinition
	err = s.readOne(ctx, func(tx Tx) (err error) {
		items, err = tx.ListTestCases(c.Workspace, f.ID, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	// A definition of the other kind cannot share an id (the prefixes
	// differ), but the filter says which kind it means: keep to it.
	kept := items[:0]
	for _, d := range items {
		if d.EngineKind == f.Kind {
			kept = append(kept, d)
		}
	}
	return keysetPage(kept, p, "tc", func(d *TestCaseDefinition) (int64, string) { return d.CreatedAt, d.ID }), nil
}

func getTestCase(tx Tx, workspaceID, id string) (*TestCaseDefinition, error) {
	d, err := tx.GetTestCase(workspaceID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ENOTFOUND, "test case definition %s not found", id)
	}
	return d, err
}

// engineTarget is an engine version a test names.
type engineTarget struct {
	ref      engineRef
	kind     *Kind
	resource *Resource
	version  *Version // the version ref names, or the latest
}

// findEngine resolves a response_engine value of a test (a Retell LLM or a
// conversation flow, with an optional version) under the workspace. An
// engine or version that does not exist is EUNPROCESSABLE, naming field.
func findEngine(tx Tx, workspaceID string, raw json.RawMessage, field string) (*engineTarget, error) {
	var ref engineRef
	if err := json.Unmarshal(raw, &ref); err != nil {
		return nil, Errorf(EINVALID, "%s: must be a response engine object", field)
	}
	kind := KindNamed(ref.Type)
	if kind == nil || !kind.Engine {
		return nil, Errorf(EINVALID, "%s.type: must be one of %s, %s", field, RetellLLM.Name, ConversationFlow.Name)
	}
	r, err := tx.GetResource(workspaceID, ref.id())
	if errors.Is(err, ErrNotFound) || (err == nil && r.Kind != kind) {
		return nil, Errorf(EUNPROCESSABLE, "%s names %s %s, which does not exist", field, kind.Noun, ref.id())
	} else if err != nil {
		return nil, err
	}
	t := &engineTarget{ref: ref, kind: kind, resource: r}
	if ref.Version != nil {
		t.version, err = tx.GetVersion(workspaceID, r.ID, *ref.Version)
	} else {
		t.version, err = tx.FindVersion(workspaceID, r.ID, PickLatest)
	}
	if errors.Is(err, ErrNotFound) && ref.Version != nil {
		return nil, Errorf(EUNPROCESSABLE, "%s: %s %s has no version %d", field, kind.Noun, r.ID, *ref.Version)
	}
	return t, err
}
