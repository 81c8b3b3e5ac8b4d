package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// testCaseTests cover test case definitions and batch tests as
// agentry.Service keeps them over the store: engine references, workspace
// scoping, paging, snapshots. The execution of runs is in testruns.go.
var testCaseTests = []suiteTest{
	{"DefinitionLifecycle", testDefinitionLifecycle},
	{"DefinitionEngineMustExist", testDefinitionEngineMustExist},
	{"DefinitionsAreWorkspaceScoped", testDefinitionsAreWorkspaceScoped},
	{"DefinitionListByEnginePaging", testDefinitionListByEnginePaging},
	{"BatchResolvesEngineVersion", testBatchResolvesEngineVersion},
	{"BatchRefusalsChangeNothing", testBatchRefusalsChangeNothing},
	{"BatchListVersionFilter", testBatchListVersionFilter},
	{"RunsKeepSnapshotAndOrder", testRunsKeepSnapshotAndOrder},
}

// definition is a valid create body targeting engine ref.
func definition(ref, name string) string {
	return fmt.Sprintf(`{"name":%q,"response_engine":%s,"user_prompt":"You want to book a cleaning.","metrics":["books a slot"]}`, name, ref)
}

func (e *env) mustCreateTestCase(tb testing.TB, ws, doc string) *agentry.TestCaseDefinition {
	tb.Helper()
	d, err := e.svc.CreateTestCase(e.ctx, e.as(ws), fields(tb, doc))
	if err != nil {
		tb.Fatalf("CreateTestCase(%s): %v", doc, err)
	}
	return d
}

func (e *env) mustCreateBatch(tb testing.TB, ref string, ids ...string) *agentry.TestBatch {
	tb.Helper()
	b, err := e.svc.CreateBatchTest(e.ctx, e.caller(), agentry.BatchTestRequest{ResponseEngine: []byte(ref), DefinitionIDs: ids})
	if err != nil {
		tb.Fatalf("CreateBatchTest(%s, %v): %v", ref, ids, err)
	}
	return b
}

func testDefinitionLifecycle(t *testing.T, open Opener) {
	e := newEnv(t, open)
	llm := e.mustCreateEngine(t, agentry.RetellLLM, engineKinds[0].config)
	ref := engineKinds[0].ref(llm.ResourceID)
	d := e.mustCreateTestCase(t, e.ws, definition(ref, "booking"))
	if d.EngineKind != agentry.RetellLLM || d.EngineID != llm.ResourceID || d.CreatedAt != start.UnixMilli() || d.ModifiedAt != d.CreatedAt {
		t.Fatalf("created %+v", d)
	}
	// The optional fields take their defaults; the sent ones are kept as sent.
	wantConfig(t, d.Fields, `{"name":"booking","response_engine":`+ref+`,"user_prompt":"You want to book a cleaning.",
		"metrics":["books a slot"],"dynamic_variables":{},"tool_mocks":[],"llm_model":"gpt-4.1"}`)
	doc := config(t, d.Document())
	if doc["test_case_definition_id"] != d.ID || doc["type"] != "simulation" || doc["name"] != "booking" ||
		doc["creation_timestamp"] != float64(d.CreatedAt) || doc["user_modified_timestamp"] != float64(d.ModifiedAt) {
		t.Errorf("Document() = %s", d.Document())
	}

	at := e.clock.Advance(time.Second)
	up, err := e.svc.UpdateTestCase(e.ctx, e.caller(), d.ID, fields(t, `{"name":"booking v2","dynamic_variables":{"who":"Ada"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if up.ModifiedAt != at || up.CreatedAt != d.CreatedAt {
		t.Errorf("update times: created %d modified %d, want %d and %d", up.CreatedAt, up.ModifiedAt, d.CreatedAt, at)
	}
	wantConfig(t, up.Fields, `{"name":"booking v2","response_engine":`+ref+`,"user_prompt":"You want to book a cleaning.",
		"metrics":["books a slot"],"dynamic_variables":{"who":"Ada"},"tool_mocks":[],"llm_model":"gpt-4.1"}`)
	got, err := e.svc.GetTestCase(e.ctx, e.caller(), d.ID)
	if err != nil || string(got.Fields) != string(up.Fields) || got.ModifiedAt != at {
		t.Fatalf("get after update: %+v, %v", got, err)
	}

	// Moving a definition to another engine moves it in the lists.
	flow := e.mustCreateEngine(t, agentry.ConversationFlow, engineKinds[1].config)
	moved, err := e.svc.UpdateTestCase(e.ctx, e.caller(), d.ID, fields(t, `{"response_engine":`+engineKinds[1].ref(flow.ResourceID)+`}`))
	if err != nil || moved.EngineKind != agentry.ConversationFlow || moved.EngineID != flow.ResourceID {
		t.Fatalf("move: %+v, %v", moved, err)
	}
	if ids := e.listTestCases(t, e.ws, agentry.RetellLLM, llm.ResourceID); len(ids) != 0 {
		t.Errorf("the LLM still lists %v", ids)
	}
	if ids := e.listTestCases(t, e.ws, agentry.ConversationFlow, flow.ResourceID); !slices.Equal(ids, []string{d.ID}) {
		t.Errorf("the flow lists %v, want [%s]", ids, d.ID)
	}

	if err := e.svc.DeleteTestCase(e.ctx, e.caller(), d.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GetTestCase(e.ctx, e.caller(), d.ID)
	wantCode(t, err, agentry.ENOTFOUND, d.ID)
	wantCode(t, e.svc.DeleteTestCase(e.ctx, e.caller(), d.ID), agentry.ENOTFOUND, d.ID)
	_, err = e.svc.UpdateTestCase(e.ctx, e.caller(), d.ID, fields(t, `{"name":"x"}`))
	wantCode(t, err, agentry.ENOTFOUND, d.ID)
}

// listTestCases lists every definition of an engine, oldest first.
func (e *env) listTestCases(tb testing.TB, ws string, kind *agentry.Kind, id string) []string {
	tb.Helper()
	page, err := e.svc.ListTestCases(e.ctx, e.as(ws), agentry.EngineFilter{Kind: kind, ID: id}, agentry.PageRequest{Limit: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, d := range page.Items {
		ids = append(ids, d.ID)
	}
	return ids
}

func testDefinitionEngineMustExist(t *testing.T, open Opener) {
	e := newEnv(t, open)
	llm := e.mustCreateEngine(t, agentry.RetellLLM, engineKinds[0].config)
	flow := e.mustCreateEngine(t, agentry.ConversationFlow, engineKinds[1].config)
	for _, tc := range []struct{ name, ref, words string }{
		{"missing LLM", engineKinds[0].ref("llm_00000000000000000000000000000000"), "llm_00000000000000000000000000000000"},
		{"a flow named as an LLM", engineKinds[0].ref(flow.ResourceID), flow.ResourceID},
		{"missing version", engineKinds[0].refAt(llm.ResourceID, 7), "no version 7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreateTestCase(e.ctx, e.caller(), fields(t, definition(tc.ref, "x")))
			wantCode(t, err, agentry.EUNPROCESSABLE, "response_engine", tc.words)
		})
	}
	// Another workspace's engine is missing too.
	other := mustWorkspace(t, e.store, "ws-other")
	_, err := e.svc.CreateTestCase(e.ctx, e.as(other), fields(t, definition(engineKinds[0].ref(llm.ResourceID), "x")))
	wantCode(t, err, agentry.EUNPROCESSABLE, llm.ResourceID)
	// An update that breaks the reference changes nothing.
	d := e.mustCreateTestCase(t, e.ws, definition(engineKinds[0].refAt(llm.ResourceID, 0), "pinned"))
	_, err = e.svc.UpdateTestCase(e.ctx, e.caller(), d.ID, fields(t, `{"name":"renamed","response_engine":`+engineKinds[0].refAt(llm.ResourceID, 3)+`}`))
	wantCode(t, err, agentry.EUNPROCESSABLE, "no version 3")
	got, _ := e.svc.GetTestCase(e.ctx, e.caller(), d.ID)
	if string(got.Fields) != string(d.Fields) {
		t.Errorf("a refused update changed the definition: %s", got.Fields)
	}
	if ids := e.listTestCases(t, e.ws, agentry.RetellLLM, llm.ResourceID); len(ids) != 1 {
		t.Errorf("refused creates left definitions: %v", ids)
	}
}

func testDefinitionsAreWorkspaceScoped(t *testing.T, open Opener) {
	e := newEnv(t, open)
	llm := e.mustCreateEngine(t, agentry.RetellLLM, engineKinds[0].config)
	d := e.mustCreateTestCase(t, e.ws, definition(engineKinds[0].ref(llm.ResourceID), "mine"))
	other := e.as(mustWorkspace(t, e.store, "ws-b"))
	_, err := e.svc.GetTestCase(e.ctx, other, d.ID)
	wantCode(t, err, agentry.ENOTFOUND, d.ID)
	_, err = e.svc.UpdateTestCase(e.ctx, other, d.ID, fields(t, `{"name":"theirs"}`))
	wantCode(t, err, agentry.ENOTFOUND, d.ID)
	wantCode(t, e.svc.DeleteTestCase(e.ctx, other, d.ID), agentry.ENOTFOUND, d.ID)
	if ids := e.listTestCases(t, other.Workspace, agentry.RetellLLM, llm.ResourceID); len(ids) != 0 {
		t.Errorf("workspace B lists A's definitions: %v", ids)
	}
	_, err = e.svc.CreateBatchTest(e.ctx, other, agentry.BatchTestRequest{ResponseEngine: []byte(engineKinds[0].ref(llm.ResourceID)), DefinitionIDs: []string{d.ID}})
	wantCode(t, err, agentry.EUNPROCESSABLE, llm.ResourceID)
	b := e.mustCreateBatch(t, engineKinds[0].ref(llm.ResourceID), d.ID)
	_, err = e.svc.GetBatchTest(e.ctx, other, b.ID)
	wantCode(t, err, agentry.ENOTFOUND, b.ID)
	_, err = e.svc.ListTestRuns(e.ctx, other, b.ID, agentry.PageRequest{})
	wantCode(t, err, agentry.ENOTFOUND, b.ID)
	runs, _ := e.svc.ListTestRuns(e.ctx, e.caller(), b.ID, agentry.PageRequest{})
	_, err = e.svc.GetTestRun(e.ctx, other, runs.Items[0].ID)
	wantCode(t, err, agentry.ENOTFOUND, runs.Items[0].ID)
	if got, _ := e.svc.GetTestCase(e.ctx, e.caller(), d.ID); string(got.Fields) != string(d.Fields) {
		t.Errorf("B's update reached A's definition: %s", got.Fields)
	}
}

func testDefinitionListByEnginePaging(t *testing.T, open Opener) {
	e := newEnv(t, open)
	llm := e.mustCreateEngine(t, agentry.RetellLLM, engineKinds[0].config)
	other := e.mustCreateEngine(t, agentry.RetellLLM, engineKinds[0].config)
	var made []*agentry.TestCaseDefinition
	for i := range 7 {
		if i%3 == 0 {
			e.clock.Advance(time.Millisecond) // some share a creation time: ties break by id
		}
		made = append(made, e.mustCreateTestCase(t, e.ws, definition(engineKinds[0].ref(llm.ResourceID), fmt.Sprint("t", i))))
		e.mustCreateTestCase(t, e.ws, definition(engineKinds[0].ref(other.ResourceID), "other"))
	}
	slices.SortFunc(made, func(a, b *agentry.TestCaseDefinition) int {
		if a.CreatedAt != b.CreatedAt {
			return int(a.CreatedAt - b.CreatedAt)
		}
		return strings.Compare(a.ID, b.ID)
	})
	var want []string
	for _, d := range made {
		want = append(want, d.ID)
	}
	for _, desc := range []bool{false, true} {
		var got []string
		key := ""
		for pages := 0; ; pages++ {
			page, err := e.svc.ListTestCases(e.ctx, e.caller(), agentry.EngineFilter{Kind: agentry.RetellLLM, ID: llm.ResourceID},
				agentry.PageRequest{Limit: 3, Desc: desc, Key: key})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) > 3 || pages > 3 {
				t.Fatalf("page of %d items, page %d", len(page.Items), pages)
			}
			for _, d := range page.Items {
				got = append(got, d.ID)
			}
			if !page.HasMore {
				break
			}
			key = page.NextKey
		}
		order := slices.Clone(want)
		if desc {
			slices.Reverse(order)
		}
		if !slices.Equal(got, order) {
			t.Errorf("desc=%v: paged %v, want %v", desc, got, order)
		}
	}
	// A key of another list, or for the other order, is refused.
	page, _ := e.svc.ListTestCases(e.ctx, e.caller(), agentry.EngineFilter{Kind: agentry.RetellLLM, ID: llm.ResourceID}, agentry.PageRequest{Limit: 2})
	_, err := e.svc.ListTestCases(e.ctx, e.caller(), agentry.EngineFilter{Kind: agentry.RetellLLM, ID: llm.ResourceID}, agentry.PageRequest{Limit: 2, Desc: true, Key: page.NextKey})
	wantCode(t, err, agentry.EINVALID, "pagination_key")
	_, err = e.svc.ListApps(e.ctx, e.caller(), agentry.PageRequest{Key: page.NextKey})
	wantCode(t, err, agentry.EINVALID, "pagination_key")
}

func testBatchResolvesEngineVersion(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[1]
	flow := e.mustCreateEngine(t, k.kind, k.config)
	agent := e.mustCreateAgent(t, agentry.VoiceAgent, `{"response_engine":`+k.ref(flow.ResourceID)+`}`)
	e.mustCreateVersion(t, agent.ResourceID, 0) // the flow gets version 1
	d := e.mustCreateTestCase(t, e.ws, definition(k.refAt(flow.ResourceID, 0), "old"))
	latest := e.mustCreateBatch(t, k.ref(flow.ResourceID), d.ID)
	if latest.EngineVersion != 1 || latest.EngineKind != k.kind || latest.EngineID != flow.ResourceID {
		t.Errorf("batch without a version ran against %s v%d, want the latest, 1", latest.EngineID, latest.EngineVersion)
	}
	wantConfig(t, latest.ResponseEngine(), k.refAt(flow.ResourceID, 1))
	if latest.Status != agentry.BatchInProgress || latest.Total != 1 || latest.Pass+latest.Fail+latest.Error != 0 {
		t.Errorf("new batch %+v", latest)
	}
	pinned := e.mustCreateBatch(t, k.refAt(flow.ResourceID, 0), d.ID)
	if pinned.EngineVersion != 0 {
		t.Errorf("batch at version 0 ran against v%d", pinned.EngineVersion)
	}
	got, err := e.svc.GetBatchTest(e.ctx, e.caller(), pinned.ID)
	if err != nil || *got != *pinned {
		t.Errorf("GetBatchTest = %+v, %v; want %+v", got, err, pinned)
	}
}

func testBatchRefusalsChangeNothing(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[0]
	llm := e.mustCreateEngine(t, k.kind, k.config)
	other := e.mustCreateEngine(t, k.kind, k.config)
	d := e.mustCreateTestCase(t, e.ws, definition(k.ref(llm.ResourceID), "a"))
	d2 := e.mustCreateTestCase(t, e.ws, definition(k.ref(other.ResourceID), "b"))
	ids := make([]string, agentry.MaxBatchTests+1)
	for i := range ids {
		ids[i] = fmt.Sprint("test_case_definition_", i)
	}
	for _, tc := range []struct {
		name, ref string
		ids       []string
		code      string
		words     []string
	}{
		{"no definitions", k.ref(llm.ResourceID), nil, agentry.EINVALID, []string{"test_case_definition_ids"}},
		{"too many", k.ref(llm.ResourceID), ids, agentry.EINVALID, []string{"test_case_definition_ids", "1000"}},
		{"repeated", k.ref(llm.ResourceID), []string{d.ID, d.ID}, agentry.EINVALID, []string{"test_case_definition_ids[1]", "repeats"}},
		{"missing definition", k.ref(llm.ResourceID), []string{d.ID, "test_case_definition_nope"}, agentry.EUNPROCESSABLE, []string{"test_case_definition_ids[1]", "test_case_definition_nope"}},
		{"another engine's definition", k.ref(llm.ResourceID), []string{d.ID, d2.ID}, agentry.EINVALID, []string{"test_case_definition_ids[1]", other.ResourceID}},
		{"missing engine", k.ref("llm_0"), []string{d.ID}, agentry.EUNPROCESSABLE, []string{"llm_0"}},
		{"missing version", k.refAt(llm.ResourceID, 4), []string{d.ID}, agentry.EUNPROCESSABLE, []string{"no version 4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreateBatchTest(e.ctx, e.caller(), agentry.BatchTestRequest{ResponseEngine: []byte(tc.ref), DefinitionIDs: tc.ids})
			wantCode(t, err, tc.code, tc.words...)
		})
	}
	page, err := e.svc.ListBatchTests(e.ctx, e.caller(), agentry.EngineFilter{Kind: k.kind, ID: llm.ResourceID}, agentry.PageRequest{})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("refused batches were stored: %+v, %v", page, err)
	}
	var next *agentry.TestRun
	mustView(t, e.store, func(tx agentry.Tx) (err error) { next, err = tx.NextTestRun(start.UnixMilli()); return nil })
	if next != nil && next.ID != "" {
		t.Errorf("a refused batch left run %+v", next)
	}
}

func testBatchListVersionFilter(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[0]
	llm := e.mustCreateEngine(t, k.kind, k.config)
	d := e.mustCreateTestCase(t, e.ws, definition(k.ref(llm.ResourceID), "a"))
	v0 := e.mustCreateBatch(t, k.ref(llm.ResourceID), d.ID)
	agent := e.mustCreateAgent(t, agentry.ChatAgent, `{"response_engine":`+k.ref(llm.ResourceID)+`}`)
	e.mustCreateVersion(t, agent.ResourceID, 0)
	e.clock.Advance(time.Millisecond)
	v1a := e.mustCreateBatch(t, k.ref(llm.ResourceID), d.ID)
	e.clock.Advance(time.Millisecond)
	v1b := e.mustCreateBatch(t, k.refAt(llm.ResourceID, 1), d.ID)
	list := func(version *int64, desc bool) []string {
		t.Helper()
		page, err := e.svc.ListBatchTests(e.ctx, e.caller(), agentry.EngineFilter{Kind: k.kind, ID: llm.ResourceID, Version: version}, agentry.PageRequest{Desc: desc})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, b := range page.Items {
			ids = append(ids, b.ID)
		}
		return ids
	}
	if got := list(nil, true); !slices.Equal(got, []string{v1b.ID, v1a.ID}) {
		t.Errorf("latest version, newest first: %v, want [%s %s]", got, v1b.ID, v1a.ID)
	}
	if got := list(ptr(int64(0)), false); !slices.Equal(got, []string{v0.ID}) {
		t.Errorf("version 0: %v, want [%s]", got, v0.ID)
	}
	if got := list(ptr(int64(5)), false); len(got) != 0 {
		t.Errorf("version 5: %v, want none", got)
	}
	page, err := e.svc.ListBatchTests(e.ctx, e.caller(), agentry.EngineFilter{Kind: agentry.ConversationFlow, ID: llm.ResourceID}, agentry.PageRequest{})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("an LLM's batches listed as a flow's: %+v, %v", page, err)
	}
	page, err = e.svc.ListBatchTests(e.ctx, e.caller(), agentry.EngineFilter{Kind: k.kind, ID: "llm_missing"}, agentry.PageRequest{})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("a missing engine lists %+v, %v", page, err)
	}
}

func testRunsKeepSnapshotAndOrder(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[0]
	llm := e.mustCreateEngine(t, k.kind, k.config)
	var ids []string
	for i := range 5 {
		ids = append(ids, e.mustCreateTestCase(t, e.ws, definition(k.ref(llm.ResourceID), fmt.Sprint("case ", i))).ID)
	}
	order := []string{ids[3], ids[0], ids[4], ids[1], ids[2]}
	b := e.mustCreateBatch(t, k.ref(llm.ResourceID), order...)
	before, _ := e.svc.GetTestCase(e.ctx, e.caller(), ids[3])
	e.clock.Advance(time.Second)
	if _, err := e.svc.UpdateTestCase(e.ctx, e.caller(), ids[3], fields(t, `{"user_prompt":"changed later"}`)); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteTestCase(e.ctx, e.caller(), ids[0]); err != nil {
		t.Fatal(err)
	}
	var got []agentry.TestRun
	key := ""
	for {
		page, err := e.svc.ListTestRuns(e.ctx, e.caller(), b.ID, agentry.PageRequest{Limit: 2, Key: key})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.Items...)
		if !page.HasMore {
			break
		}
		key = page.NextKey
	}
	if len(got) != len(order) {
		t.Fatalf("%d runs, want %d", len(got), len(order))
	}
	for i, r := range got {
		if r.DefinitionID != order[i] || r.Status != agentry.RunPending || r.Explanation != nil || r.Transcript != nil || r.BatchID != b.ID {
			t.Errorf("run %d = %+v, want a pending run of %s", i, r, order[i])
		}
	}
	// The snapshot is the definition as it was when the batch was made, and
	// outlives the definition's deletion.
	if string(got[0].Snapshot) != string(before.Document()) {
		t.Errorf("snapshot %s, want %s", got[0].Snapshot, before.Document())
	}
	one, err := e.svc.GetTestRun(e.ctx, e.caller(), got[1].ID)
	if err != nil || one.DefinitionID != ids[0] || config(t, one.Snapshot)["name"] != "case 0" {
		t.Errorf("run of the deleted definition: %+v, %v", one, err)
	}
	desc, _ := e.svc.ListTestRuns(e.ctx, e.caller(), b.ID, agentry.PageRequest{Desc: true})
	if len(desc.Items) != 5 || desc.Items[0].DefinitionID != order[4] {
		t.Errorf("descending runs start with %+v", desc.Items[0])
	}
	_, err = e.svc.ListTestRuns(e.ctx, e.caller(), "test_case_batch_job_missing", agentry.PageRequest{})
	wantCode(t, err, agentry.ENOTFOUND, "test_case_batch_job_missing")
}
