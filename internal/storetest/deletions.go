package storetest

import (
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// deletionTests cover the deletion log that replicas read to forget cached
// published versions.
var deletionTests = []suiteTest{
	{"DeletesAreLogged", testDeletesAreLogged},
	{"LogIsPruned", testDeletionLogIsPruned},
	{"RefusedDeleteLogsNothing", testRefusedDeleteLogsNothing},
}

const minimalDoc = `{"voice_id":"v","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"}}`

func testDeletesAreLogged(t *testing.T, open Opener) {
	e := newEnv(t, open)
	a := e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc)
	e.mustCreateVersion(t, a.ResourceID, 0)
	b := e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc)
	llm, err := e.create(e.ws, agentry.RetellLLM, agentry.Fields{})
	if err != nil {
		t.Fatal(err)
	}
	before := e.clock.Now().UnixMilli()
	if err := e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: a.ResourceID, Version: 1}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: b.ResourceID}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.RetellLLM, ID: llm.ResourceID}); err != nil {
		t.Fatal(err)
	}
	ds, err := e.svc.DeletionsSince(e.ctx, before)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 {
		t.Fatalf("logged %d deletions, want 3: %+v", len(ds), ds)
	}
	if d := ds[0]; d.WorkspaceID != e.ws || d.ResourceID != a.ResourceID || d.Number == nil || *d.Number != 1 || d.At != before {
		t.Errorf("version deletion logged as %+v", d)
	}
	for i, id := range []string{b.ResourceID, llm.ResourceID} {
		if d := ds[i+1]; d.ResourceID != id || d.Number != nil {
			t.Errorf("whole deletion %d logged as %+v, want %s with no number", i, d, id)
		}
	}
	later, err := e.svc.DeletionsSince(e.ctx, before+1)
	if err != nil || len(later) != 0 {
		t.Errorf("DeletionsSince after them: %v, %+v", err, later)
	}
}

func testDeletionLogIsPruned(t *testing.T, open Opener) {
	e := newEnv(t, open)
	old := e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc)
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: old.ResourceID}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(agentry.DeletionLogRetention + time.Minute)
	recent := e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc)
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: recent.ResourceID}); err != nil {
		t.Fatal(err)
	}
	ds, err := e.svc.DeletionsSince(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].ResourceID != recent.ResourceID {
		t.Fatalf("log after pruning: %+v, want only %s", ds, recent.ResourceID)
	}
}

func testRefusedDeleteLogsNothing(t *testing.T, open Opener) {
	e := newEnv(t, open)
	a := e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc)
	if err := e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: a.ResourceID, Version: 0}); agentry.ErrorCode(err) != agentry.EINVALID {
		t.Fatalf("deleting the only version: %v, want EINVALID", err)
	}
	ds, err := e.svc.DeletionsSince(e.ctx, 0)
	if err != nil || len(ds) != 0 {
		t.Fatalf("a refused deletion was logged: %v, %+v", err, ds)
	}
}
