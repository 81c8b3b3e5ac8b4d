package storetest

import (
	"testing"

	"github.com/agentry/agentry"
)

// summaryTests cover Tx.ListVersions with Summary: the columns a version
// summary shows, equal to the full rows', and nothing else.
var summaryTests = []suiteTest{
	{"SummariesMatchRows", testSummariesMatchRows},
}

func testSummariesMatchRows(t *testing.T, open Opener) {
	e := newEnv(t, open)
	a := e.mustCreateAgent(t, agentry.VoiceAgent, `{"voice_id":"v","agent_name":"S","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"}}`)
	e.mustCreateVersion(t, a.ResourceID, 0)
	e.mustCreateVersion(t, a.ResourceID, 1)
	title, desc := "launch", "first"
	if err := e.svc.Publish(e.ctx, e.caller(), agentry.PublishRequest{AgentID: a.ResourceID, Version: 1, Title: &title, Description: &desc}); err != nil {
		t.Fatal(err)
	}
	for _, desc := range []bool{false, true} {
		var full, sums []agentry.Version
		mustView(t, e.store, func(tx agentry.Tx) (err error) {
			if full, err = tx.ListVersions(e.ws, a.ResourceID, agentry.VersionQuery{Desc: desc}); err != nil {
				return err
			}
			sums, err = tx.ListVersions(e.ws, a.ResourceID, agentry.VersionQuery{Desc: desc, Summary: true})
			return err
		})
		if len(full) != 3 || len(sums) != 3 {
			t.Fatalf("desc=%v: %d rows, %d summaries, want 3 each", desc, len(full), len(sums))
		}
		for i, f := range full {
			s := sums[i]
			want := agentry.Version{WorkspaceID: f.WorkspaceID, ResourceID: f.ResourceID, Number: f.Number, BaseVersion: f.BaseVersion,
				Published: f.Published, Title: f.Title, Description: f.Description, ModifiedAt: f.ModifiedAt}
			if !sameSummary(s, want) {
				t.Errorf("desc=%v: summary %d = %+v, want %+v", desc, i, s, want)
			}
		}
	}
}

func sameSummary(a, b agentry.Version) bool {
	eqI := func(x, y *int64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	eqS := func(x, y *string) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.WorkspaceID == b.WorkspaceID && a.ResourceID == b.ResourceID && a.Number == b.Number &&
		eqI(a.BaseVersion, b.BaseVersion) && a.Published == b.Published && eqS(a.Title, b.Title) &&
		eqS(a.Description, b.Description) && a.ModifiedAt == b.ModifiedAt && a.Config == nil && a.Kind == nil
}
