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
	a := e.mustCreateAgent(t, agentry.ChannelVoice, `{"voice_id":"v","agent_name":"S","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"}}`)
	e.mustCreateVersion(t, a.AgentID, 0)
	e.mustCreateVersion(t, a.AgentID, 1)
	title, desc := "launch", "first"
	if err := e.agents.Publish(e.ctx, e.ws, a.AgentID, 1, &title, &desc, ""); err != nil {
		t.Fatal(err)
	}
	for _, desc := range []bool{false, true} {
		var full, sums []agentry.Version
		mustView(t, e.store, func(tx agentry.Tx) (err error) {
			if full, err = tx.ListVersions(e.ws, a.AgentID, agentry.VersionQuery{Desc: desc}); err != nil {
				return err
			}
			sums, err = tx.ListVersions(e.ws, a.AgentID, agentry.VersionQuery{Desc: desc, Summary: true})
			return err
		})
		if len(full) != 3 || len(sums) != 3 {
			t.Fatalf("desc=%v: %d rows, %d summaries, want 3 each", desc, len(full), len(sums))
		}
		for i, f := range full {
			s := sums[i]
			want := agentry.Version{WorkspaceID: f.WorkspaceID, AgentID: f.AgentID, Number: f.Number, BaseVersion: f.BaseVersion,
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
	return a.WorkspaceID == b.WorkspaceID && a.AgentID == b.AgentID && a.Number == b.Number &&
		eqI(a.BaseVersion, b.BaseVersion) && a.Published == b.Published && eqS(a.Title, b.Title) &&
		eqS(a.Description, b.Description) && a.ModifiedAt == b.ModifiedAt && a.Config == nil && a.Channel == ""
}
