package storetest

import (
	"testing"

	"github.com/agentry/agentry"
)

// probeTests cover the write probe that readiness and startup use: a store
// that can write says so, as often as it is asked, and the probe changes
// nothing a client sees.
var probeTests = []suiteTest{
	{"ProbeWriteOnAWritableStore", testProbeWriteOnAWritableStore},
}

func testProbeWriteOnAWritableStore(t *testing.T, open Opener) {
	e := newEnv(t, open)
	p, ok := e.store.(agentry.WriteProber)
	if !ok {
		t.Fatal("the store offers no ProbeWrite: readiness could not tell a read-only database")
	}
	e.createAgents(t, 2, "a")
	before, err := e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{}, agentry.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := p.ProbeWrite(e.ctx); err != nil {
			t.Fatalf("ProbeWrite: %v", err)
		}
	}
	after, err := e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{}, agentry.PageRequest{})
	if err != nil || len(after.Items) != len(before.Items) {
		t.Errorf("probes changed what a client sees: %d agents before, %d after (%v)", len(before.Items), len(after.Items), err)
	}
}
