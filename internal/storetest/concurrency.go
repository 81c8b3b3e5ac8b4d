package storetest

import (
	"slices"
	"sync"
	"testing"

	"github.com/agentry/agentry"
)

// concurrencyTests drive one agent from many goroutines through the service:
// the store's transactions and row locks must serialize them.
var concurrencyTests = []suiteTest{
	{"CreateVersionNumbers", testConcurrentCreateVersion},
	{"PublishOnce", testConcurrentPublish},
}

func testConcurrentCreateVersion(t *testing.T, open Opener) {
	const n = 50
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"busy"}`).ResourceID
	got := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			v, err := e.svc.Branch(e.ctx, e.caller(), agentry.BranchRequest{AgentID: id, Base: 0})
			errs[i] = err
			if err == nil {
				got[i] = v.Number
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("CreateVersion #%d: %v", i, err)
		}
	}
	slices.Sort(got)
	for i, num := range got {
		if num != int64(i+1) {
			t.Fatalf("version numbers = %v, want 1..%d each once", got, n)
		}
	}
	if a := mustAgentRow(t, e.store, e.ws, id); a.NextVersion != n+1 {
		t.Errorf("NextVersion = %d, want %d", a.NextVersion, n+1)
	}
	if c := countVersions(t, e.store, e.ws, id); c != n+1 {
		t.Errorf("CountVersions = %d, want %d", c, n+1)
	}
	// The counter goes on from where the race left it.
	if v := e.mustCreateVersion(t, id, 0); v.Number != n+1 {
		t.Errorf("next version = %d, want %d", v.Number, n+1)
	}
}

func testConcurrentPublish(t *testing.T, open Opener) {
	const n = 10
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
	before := e.mustGet(t, id, num(0))
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = e.svc.Publish(e.ctx, e.caller(), agentry.PublishRequest{AgentID: id, Version: 0, Title: ptr("by goroutine")})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case agentry.ErrorCode(err) != agentry.EINVALID:
			t.Errorf("Publish: %v, want success or EINVALID", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d publishes succeeded, want exactly 1", ok)
	}
	v := e.mustGet(t, id, num(0))
	if !v.Published || v.Revision != before.Revision+1 || v.PublishedAt != e.clock.Millis() {
		t.Errorf("after concurrent publishes: %+v", v)
	}
}
