package storetest

import (
	"reflect"
	"testing"

	"github.com/agentry/agentry"
)

// readTests cover Service.Get, the API's hot read: one statement
// outside a transaction when the store can run one (Read), in View
// otherwise. Both ways are run, and must agree with the stored rows.
var readTests = []suiteTest{
	{"Picks", testReadPicks},
	{"Channels", testReadChannels},
	{"WorkspaceScoping", testReadWorkspaceScoping},
	{"NotFound", testReadNotFound},
}

// viewOnly hides a store's Read, so the service falls back to View.
type viewOnly struct{ agentry.Store }

type readFunc func(ws, agentID string, kind *agentry.Kind, ref agentry.VersionRef) (*agentry.Version, error)

// readers are the ways GetVersion reads on s: through the store's Read if it
// has one, and through View.
func readers(t *testing.T, s agentry.Store) map[string]readFunc {
	via := func(st agentry.Store) readFunc {
		svc := &agentry.Service{Store: st, Rules: anyConfig{}}
		return func(ws, agentID string, kind *agentry.Kind, ref agentry.VersionRef) (*agentry.Version, error) {
			return svc.Get(t.Context(), agentry.Caller{Workspace: ws}, agentry.Address{Kind: kind, ID: agentID, Version: ref})
		}
	}
	return map[string]readFunc{"store": via(s), "View": via(viewOnly{s})}
}

// wantRead reads with every reader and checks that each gets the stored row
// of version want, or ENOTFOUND when want is noVersion.
func wantRead(t *testing.T, s agentry.Store, ws, agentID string, channel *agentry.Kind, ref agentry.VersionRef, want int64) {
	t.Helper()
	var row *agentry.Version
	if want != noVersion {
		row = mustVersionRow(t, s, ws, agentID, want)
	}
	for name, read := range readers(t, s) {
		v, err := read(ws, agentID, channel, ref)
		switch {
		case want == noVersion && err == nil:
			t.Errorf("%s: GetVersion(%s, %q, %+v) = version %d, want not found", name, agentID, channel, ref, v.Number)
		case want == noVersion:
			wantCode(t, err, agentry.ENOTFOUND)
		case err != nil:
			t.Errorf("%s: GetVersion(%s, %q, %+v): %v, want version %d", name, agentID, channel, ref, err, want)
		case !reflect.DeepEqual(v, row):
			t.Errorf("%s: GetVersion(%s, %q, %+v) = %+v, want %+v", name, agentID, channel, ref, v, row)
		}
	}
}

const noVersion = -1

func testReadPicks(t *testing.T, open Opener) {
	type row struct {
		n           int64
		published   bool
		publishedAt int64
	}
	tests := []struct {
		name           string
		rows           []row
		latest, pubbed int64 // noVersion: ErrNotFound
	}{
		{"one draft", []row{{0, false, 0}}, 0, noVersion},
		{"drafts only", []row{{0, false, 0}, {1, false, 0}, {2, false, 0}}, 2, noVersion},
		{"all published", []row{{0, true, 10}, {1, true, 20}}, 1, 1},
		{"gaps in numbers", []row{{3, false, 0}, {7, true, 10}, {12, false, 0}}, 12, 7},
		// Most recently published, not the largest published number.
		{"published out of order", []row{{0, true, 300}, {1, true, 100}, {2, true, 200}, {3, false, 0}}, 3, 0},
		{"same publish time", []row{{1, true, 100}, {2, true, 100}, {0, true, 50}}, 2, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			ws := mustWorkspace(t, s, "a")
			mustUpdate(t, s, func(tx agentry.Tx) error {
				if err := tx.InsertResource(agentRow(ws, "agent_1", agentry.VoiceAgent, 1)); err != nil {
					return err
				}
				for _, r := range tc.rows {
					v := versionRow(ws, "agent_1", r.n)
					v.Published, v.PublishedAt = r.published, r.publishedAt
					title, base, ev := "t", r.n+100, r.n+200
					if r.n%2 == 1 { // some optional columns set, some not
						v.Title, v.BaseVersion, v.EngineID, v.EngineVersion = &title, &base, "llm_x", &ev
					}
					v.Config, v.Revision = []byte(`{"agent_name":"Ada","n":1}`), r.n+1
					if err := tx.InsertVersion(v); err != nil {
						return err
					}
				}
				return nil
			})
			wantRead(t, s, ws, "agent_1", agentry.AnyAgent, refNone, tc.latest)
			wantRead(t, s, ws, "agent_1", agentry.AnyAgent, refLatest, tc.latest)
			wantRead(t, s, ws, "agent_1", agentry.AnyAgent, refLatPub, tc.pubbed)
			for _, r := range tc.rows {
				wantRead(t, s, ws, "agent_1", agentry.AnyAgent, num(r.n), r.n)
			}
			wantRead(t, s, ws, "agent_1", agentry.AnyAgent, num(99), noVersion)
		})
	}
}

func testReadChannels(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	ids := map[*agentry.Kind]string{agentry.VoiceAgent: "agent_v", agentry.ChatAgent: "agent_c", agentry.RetellLLM: "llm_1"}
	for channel, id := range ids {
		mustInsertAgent(t, s, agentRow(ws, id, channel, 1), 0)
	}
	for owner, id := range ids {
		for _, asked := range []*agentry.Kind{agentry.AnyAgent, agentry.VoiceAgent, agentry.ChatAgent, agentry.RetellLLM, agentry.ConversationFlow} {
			want := int64(noVersion)
			if asked == owner || (asked == agentry.AnyAgent && owner.Agent) {
				want = 0
			}
			for _, ref := range []agentry.VersionRef{num(0), refLatest} {
				wantRead(t, s, ws, id, asked, ref, want)
			}
		}
	}
}

func testReadWorkspaceScoping(t *testing.T, open Opener) {
	s := open(t)
	a := mustWorkspace(t, s, "a")
	b := mustWorkspace(t, s, "b")
	c := mustWorkspace(t, s, "c")
	// The same agent ID in two workspaces, with different versions.
	mustInsertAgent(t, s, agentRow(a, "agent_1", agentry.VoiceAgent, 1), 0, 1)
	mustInsertAgent(t, s, agentRow(b, "agent_1", agentry.VoiceAgent, 1), 0, 1, 2)
	wantRead(t, s, a, "agent_1", agentry.AnyAgent, refLatest, 1)
	wantRead(t, s, b, "agent_1", agentry.AnyAgent, refLatest, 2)
	wantRead(t, s, a, "agent_1", agentry.AnyAgent, num(2), noVersion)
	wantRead(t, s, c, "agent_1", agentry.AnyAgent, refLatest, noVersion)
	wantRead(t, s, c, "agent_1", agentry.AnyAgent, num(0), noVersion)
}

func testReadNotFound(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	mustInsertAgent(t, s, agentRow(ws, "agent_1", agentry.VoiceAgent, 1), 0)
	tag := agentry.VersionRef{Form: agentry.RefTag, Tag: "prod"}
	for _, ref := range []agentry.VersionRef{refNone, refLatest, refLatPub, num(0), tag} {
		wantRead(t, s, ws, "agent_nope", agentry.AnyAgent, ref, noVersion)
	}
	wantRead(t, s, ws, "agent_1", agentry.AnyAgent, num(1), noVersion)
	wantRead(t, s, ws, "agent_1", agentry.AnyAgent, refLatPub, noVersion)
	wantRead(t, s, ws, "agent_1", agentry.AnyAgent, tag, noVersion)
}
