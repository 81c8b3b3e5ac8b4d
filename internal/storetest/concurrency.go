package storetest

import (
	"encoding/json"
	"fmt"
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
	{"EditsNotLost", testConcurrentEdits},
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

// testConcurrentEdits sends PATCHes of different fields of one numbered
// draft from many goroutines, some with the If-Match of the draft as it was
// before them: every edit without If-Match is kept (none lost to a race), at
// most one with If-Match succeeds, and the revision counts every success.
func testConcurrentEdits(t *testing.T, open Opener) {
	n := len(editFields)
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"Ada"}`).ResourceID
	before := e.mustGet(t, id, num(0))
	etag := agentry.ETag(before)
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	for i := range 2 * n {
		wg.Go(func() {
			ifMatch := ""
			if i >= n {
				ifMatch = etag
			}
			doc := fmt.Sprintf(`{"boosted_keywords":["k%d"]}`, i)
			if i < n {
				doc = fmt.Sprintf(`{"%s":%q}`, editFields[i], editValue(i))
			}
			_, errs[i] = e.update(e.ws, agentry.VoiceAgent, id, num(0), fields(t, doc), ifMatch)
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case i < n:
			t.Errorf("PATCH %d without If-Match: %v", i, err)
		case agentry.ErrorCode(err) != agentry.EPRECONDITION:
			t.Errorf("PATCH %d with If-Match: %v, want success or EPRECONDITION", i, err)
		}
	}
	if ok < n || ok > n+1 {
		t.Errorf("%d PATCHes succeeded, want the %d without If-Match and at most one with", ok, n)
	}
	v := e.mustGet(t, id, num(0))
	var config map[string]any
	if err := json.Unmarshal(v.Config, &config); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if got := config[editFields[i]]; got != editValue(i) {
			t.Errorf("%s = %v after the concurrent PATCHes, want %q (an edit was lost)", editFields[i], got, editValue(i))
		}
	}
	if v.Revision != before.Revision+int64(ok) {
		t.Errorf("revision %d after %d PATCHes from %d", v.Revision, ok, before.Revision)
	}
}

// editFields are text fields of a voice agent's configuration; editValue(i)
// is valid in each (a URL, for webhook_url).
var editFields = []string{"agent_name", "begin_message", "voicemail_message", "webhook_url"}

func editValue(i int) string { return fmt.Sprintf("https://hooks.example.com/edit-%d", i) }
