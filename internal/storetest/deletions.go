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
	a := e.mustCreateAgent(t, agentry.ChannelVoice, minimalDoc)
	e.mustCreateVersion(t, a.AgentID, 0)
	b := e.mustCreateAgent(t, agentry.ChannelVoice, minimalDoc)
	llm, err := e.agents.CreateEngine(e.ctx, e.ws, agentry.KindRetellLLM, agentry.Fields{})
	if err != nil {
		t.Fatal(err)
	}
	before := e.clock.Now().UnixMilli()
	if err := e.agents.DeleteVersion(e.ctx, e.ws, a.AgentID, 1); err != nil {
		t.Fatal(err)
	}
	if err := e.agents.DeleteAgent(e.ctx, e.ws, agentry.ChannelVoice, b.AgentID); err != nil {
		t.Fatal(err)
	}
	if err := e.agents.DeleteEngine(e.ctx, e.ws, agentry.KindRetellLLM, llm.AgentID, false); err != nil {
		t.Fatal(err)
	}
	ds, err := e.agents.DeletionsSince(e.ctx, before)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 {
		t.Fatalf("logged %d deletions, want 3: %+v", len(ds), ds)
	}
	if d := ds[0]; d.WorkspaceID != e.ws || d.AgentID != a.AgentID || d.Number == nil || *d.Number != 1 || d.At != before {
		t.Errorf("version deletion logged as %+v", d)
	}
	for i, id := range []string{b.AgentID, llm.AgentID} {
		if d := ds[i+1]; d.AgentID != id || d.Number != nil {
			t.Errorf("whole deletion %d logged as %+v, want %s with no number", i, d, id)
		}
	}
	later, err := e.agents.DeletionsSince(e.ctx, before+1)
	if err != nil || len(later) != 0 {
		t.Errorf("DeletionsSince after them: %v, %+v", err, later)
	}
}

func testDeletionLogIsPruned(t *testing.T, open Opener) {
	e := newEnv(t, open)
	old := e.mustCreateAgent(t, agentry.ChannelVoice, minimalDoc)
	if err := e.agents.DeleteAgent(e.ctx, e.ws, agentry.ChannelVoice, old.AgentID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(agentry.DeletionLogRetention + time.Minute)
	recent := e.mustCreateAgent(t, agentry.ChannelVoice, minimalDoc)
	if err := e.agents.DeleteAgent(e.ctx, e.ws, agentry.ChannelVoice, recent.AgentID); err != nil {
		t.Fatal(err)
	}
	ds, err := e.agents.DeletionsSince(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].AgentID != recent.AgentID {
		t.Fatalf("log after pruning: %+v, want only %s", ds, recent.AgentID)
	}
}

func testRefusedDeleteLogsNothing(t *testing.T, open Opener) {
	e := newEnv(t, open)
	a := e.mustCreateAgent(t, agentry.ChannelVoice, minimalDoc)
	if err := e.agents.DeleteVersion(e.ctx, e.ws, a.AgentID, 0); agentry.ErrorCode(err) != agentry.EINVALID {
		t.Fatalf("deleting the only version: %v, want EINVALID", err)
	}
	ds, err := e.agents.DeletionsSince(e.ctx, 0)
	if err != nil || len(ds) != 0 {
		t.Fatalf("a refused deletion was logged: %v, %+v", err, ds)
	}
}
