package storetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/agentry/agentry"
)

// txTests cover the row operations of agentry.Tx: what a backend must do,
// without any of the versioning rules.
var txTests = []suiteTest{
	{"AgentRoundTrip", testTxAgentRoundTrip},
	{"AgentMissing", testTxAgentMissing},
	{"VersionRoundTrip", testTxVersionRoundTrip},
	{"VersionMissing", testTxVersionMissing},
	{"Duplicate", testTxDuplicate},
	{"FindVersion", testTxFindVersion},
	{"CountVersions", testTxCountVersions},
	{"ListVersions", testTxListVersions},
	{"WorkspaceScoping", testTxWorkspaceScoping},
	{"DeleteAgentRemovesVersions", testTxDeleteAgentRemovesVersions},
	{"Rollback", testTxRollback},
	{"ViewIsReadOnly", testTxViewIsReadOnly},
	{"KeyRows", testTxKeyRows},
}

func agentRow(ws, id string, channel *agentry.Kind, created int64) *agentry.Resource {
	return &agentry.Resource{WorkspaceID: ws, ID: id, Kind: channel, NextVersion: 1, CreatedAt: created, ModifiedAt: created}
}

func versionRow(ws, agentID string, n int64) *agentry.Version {
	return &agentry.Version{WorkspaceID: ws, ResourceID: agentID, Kind: agentry.VoiceAgent, Number: n,
		Config: []byte(`{}`), ModifiedAt: start.UnixMilli()}
}

func mustInsertAgent(tb testing.TB, s agentry.Store, a *agentry.Resource, versions ...int64) {
	tb.Helper()
	mustUpdate(tb, s, func(tx agentry.Tx) error {
		if err := tx.InsertResource(a); err != nil {
			return err
		}
		for _, n := range versions {
			// A version carries its agent's channel, as the service writes it.
			v := versionRow(a.WorkspaceID, a.ID, n)
			v.Kind = a.Kind
			if err := tx.InsertVersion(v); err != nil {
				return err
			}
		}
		return nil
	})
}

func testTxAgentRoundTrip(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	a := &agentry.Resource{WorkspaceID: ws, ID: "agent_1", Kind: agentry.ChatAgent, Name: "Ada",
		NextVersion: 1, CreatedAt: 1000, ModifiedAt: 2000}
	mustInsertAgent(t, s, a)
	if got := mustAgentRow(t, s, ws, "agent_1"); !reflect.DeepEqual(got, a) {
		t.Fatalf("GetAgent = %+v, want %+v", got, a)
	}
	mustUpdate(t, s, func(tx agentry.Tx) error {
		got, err := tx.LockResource(ws, "agent_1")
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, a) {
			t.Errorf("LockAgent = %+v, want %+v", got, a)
		}
		got.Name, got.NextVersion, got.ModifiedAt = "Grace", 7, 3000
		return tx.UpdateResource(got)
	})
	want := *a
	want.Name, want.NextVersion, want.ModifiedAt = "Grace", 7, 3000
	if got := mustAgentRow(t, s, ws, "agent_1"); !reflect.DeepEqual(*got, want) {
		t.Fatalf("after UpdateAgent: %+v, want %+v", got, want)
	}
}

func testTxAgentMissing(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	missing := agentRow(ws, "agent_missing", agentry.VoiceAgent, 1)
	ops := map[string]func(tx agentry.Tx) error{
		"GetAgent":    func(tx agentry.Tx) error { _, err := tx.GetResource(ws, missing.ID); return err },
		"LockAgent":   func(tx agentry.Tx) error { _, err := tx.LockResource(ws, missing.ID); return err },
		"UpdateAgent": func(tx agentry.Tx) error { return tx.UpdateResource(missing) },
		"DeleteAgent": func(tx agentry.Tx) error { return tx.DeleteResource(ws, missing.ID) },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			wantIs(t, s.Update(t.Context(), op), agentry.ErrNotFound)
		})
	}
}

func testTxVersionRoundTrip(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	mustInsertAgent(t, s, agentRow(ws, "agent_1", agentry.VoiceAgent, 1))
	draft := &agentry.Version{WorkspaceID: ws, ResourceID: "agent_1", Kind: agentry.VoiceAgent, Number: 0,
		Config: []byte(`{"agent_name":"Ada","voice_speed":1.5,"nested":{"a":[1,2,{"b":null}]}}`), ModifiedAt: 5000}
	published := &agentry.Version{WorkspaceID: ws, ResourceID: "agent_1", Kind: agentry.VoiceAgent, Number: 1,
		BaseVersion: ptr[int64](0), Published: true, PublishedAt: 6000, Title: ptr(""), Description: ptr("release 1 ✓"),
		Config: []byte(`{}`), ModifiedAt: 6000, Revision: 3}
	mustUpdate(t, s, func(tx agentry.Tx) error {
		if err := tx.InsertVersion(draft); err != nil {
			return err
		}
		return tx.InsertVersion(published)
	})
	for _, want := range []*agentry.Version{draft, published} {
		wantVersion(t, mustVersionRow(t, s, ws, "agent_1", want.Number), want)
	}

	// UpdateVersion writes every mutable column, including clearing to null.
	changed := *draft
	changed.Published, changed.PublishedAt = true, 7000
	changed.Title, changed.Description = ptr("T"), ptr("D")
	changed.Config, changed.ModifiedAt, changed.Revision = []byte(`{"agent_name":"Bea"}`), 7000, 1
	mustUpdate(t, s, func(tx agentry.Tx) error { return tx.UpdateVersion(&changed) })
	wantVersion(t, mustVersionRow(t, s, ws, "agent_1", 0), &changed)

	cleared := changed
	cleared.Title, cleared.Description, cleared.Published, cleared.PublishedAt = nil, nil, false, 0
	mustUpdate(t, s, func(tx agentry.Tx) error { return tx.UpdateVersion(&cleared) })
	wantVersion(t, mustVersionRow(t, s, ws, "agent_1", 0), &cleared)
}

// wantVersion compares every field of a version row, the configuration by
// JSON value.
func wantVersion(tb testing.TB, got, want *agentry.Version) {
	tb.Helper()
	if got.WorkspaceID != want.WorkspaceID || got.ResourceID != want.ResourceID || got.Kind != want.Kind ||
		got.Number != want.Number || got.Published != want.Published || got.PublishedAt != want.PublishedAt ||
		got.ModifiedAt != want.ModifiedAt || got.Revision != want.Revision {
		tb.Errorf("version row = %+v\nwant %+v", got, want)
	}
	wantInt(tb, "BaseVersion", got.BaseVersion, want.BaseVersion)
	wantStr(tb, "Title", got.Title, want.Title)
	wantStr(tb, "Description", got.Description, want.Description)
	wantConfig(tb, got.Config, string(want.Config))
}

func testTxVersionMissing(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	mustInsertAgent(t, s, agentRow(ws, "agent_empty", agentry.VoiceAgent, 1))
	mustInsertAgent(t, s, agentRow(ws, "agent_1", agentry.VoiceAgent, 1), 0)
	ops := map[string]func(tx agentry.Tx) error{
		"GetVersion":    func(tx agentry.Tx) error { _, err := tx.GetVersion(ws, "agent_1", 1); return err },
		"UpdateVersion": func(tx agentry.Tx) error { return tx.UpdateVersion(versionRow(ws, "agent_1", 1)) },
		"DeleteVersion": func(tx agentry.Tx) error { return tx.DeleteVersion(ws, "agent_1", 1) },
		"GetVersionOfUnknownAgent": func(tx agentry.Tx) error {
			_, err := tx.GetVersion(ws, "agent_nope", 0)
			return err
		},
		"FindVersionLatest": func(tx agentry.Tx) error {
			_, err := tx.FindVersion(ws, "agent_empty", agentry.PickLatest)
			return err
		},
		"FindVersionLatestDraft": func(tx agentry.Tx) error {
			_, err := tx.FindVersion(ws, "agent_empty", agentry.PickLatestDraft)
			return err
		},
		"FindVersionLatestPublished": func(tx agentry.Tx) error {
			_, err := tx.FindVersion(ws, "agent_1", agentry.PickLatestPublished)
			return err
		},
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			wantIs(t, s.Update(t.Context(), op), agentry.ErrNotFound)
		})
	}
}

func testTxDuplicate(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	mustInsertAgent(t, s, agentRow(ws, "agent_1", agentry.VoiceAgent, 1), 0)
	key := &agentry.APIKey{ID: "apikey_1", WorkspaceID: ws, Hash: agentry.HashKey("k1"), Prefix: "key_1", CreatedAt: 1}
	mustUpdate(t, s, func(tx agentry.Tx) error { return tx.InsertKey(key) })

	ops := map[string]func(tx agentry.Tx) error{
		"Workspace ID":   func(tx agentry.Tx) error { return tx.InsertWorkspace(&agentry.Workspace{ID: ws, Name: "other"}) },
		"Workspace name": func(tx agentry.Tx) error { return tx.InsertWorkspace(&agentry.Workspace{ID: "ws_other", Name: "a"}) },
		"Agent":          func(tx agentry.Tx) error { return tx.InsertResource(agentRow(ws, "agent_1", agentry.ChatAgent, 2)) },
		"Version":        func(tx agentry.Tx) error { return tx.InsertVersion(versionRow(ws, "agent_1", 0)) },
		"Key ID": func(tx agentry.Tx) error {
			k := *key
			k.Hash = agentry.HashKey("k2")
			return tx.InsertKey(&k)
		},
		"Key hash": func(tx agentry.Tx) error {
			k := *key
			k.ID = "apikey_2"
			return tx.InsertKey(&k)
		},
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			var inner error
			err := s.Update(t.Context(), func(tx agentry.Tx) error { inner = op(tx); return inner })
			wantIs(t, inner, agentry.ErrDuplicate)
			wantIs(t, err, agentry.ErrDuplicate)
		})
	}
	// The rejected rows changed nothing.
	if a := mustAgentRow(t, s, ws, "agent_1"); a.Kind != agentry.VoiceAgent {
		t.Errorf("agent channel = %s after a rejected duplicate", a.Kind)
	}
	if n := countVersions(t, s, ws, "agent_1"); n != 1 {
		t.Errorf("CountVersions = %d, want 1", n)
	}
}

func testTxFindVersion(t *testing.T, open Opener) {
	type row struct {
		n           int64
		published   bool
		publishedAt int64
	}
	const none = -1
	tests := []struct {
		name                  string
		rows                  []row
		latest, draft, pubbed int64 // none: ErrNotFound
	}{
		{"one draft", []row{{0, false, 0}}, 0, 0, none},
		{"drafts only", []row{{0, false, 0}, {1, false, 0}, {2, false, 0}}, 2, 2, none},
		{"all published", []row{{0, true, 10}, {1, true, 20}}, 1, none, 1},
		{"latest is published", []row{{0, false, 0}, {1, true, 10}}, 1, 0, 1},
		{"gaps in numbers", []row{{3, false, 0}, {7, true, 10}, {12, false, 0}}, 12, 12, 7},
		// Most recently published, not the largest published number.
		{"published out of order", []row{{0, true, 300}, {1, true, 100}, {2, true, 200}, {3, false, 0}}, 3, 3, 0},
		{"same publish time", []row{{1, true, 100}, {2, true, 100}, {0, true, 50}}, 2, none, 2},
		{"draft below published", []row{{0, false, 0}, {1, false, 0}, {2, true, 5}}, 2, 1, 2},
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
					if err := tx.InsertVersion(v); err != nil {
						return err
					}
				}
				return nil
			})
			for _, p := range []struct {
				name string
				pick int
				want int64
			}{{"PickLatest", agentry.PickLatest, tc.latest}, {"PickLatestDraft", agentry.PickLatestDraft, tc.draft},
				{"PickLatestPublished", agentry.PickLatestPublished, tc.pubbed}} {
				var v *agentry.Version
				err := s.View(t.Context(), func(tx agentry.Tx) (err error) {
					v, err = tx.FindVersion(ws, "agent_1", p.pick)
					return err
				})
				switch {
				case p.want == none:
					if !errors.Is(err, agentry.ErrNotFound) {
						t.Errorf("%s: err = %v, want ErrNotFound", p.name, err)
					}
				case err != nil:
					t.Errorf("%s: %v", p.name, err)
				case v.Number != p.want:
					t.Errorf("%s = version %d, want %d", p.name, v.Number, p.want)
				}
				// LockFind locks the agent and picks the same version, nil
				// where FindVersion finds none.
				err = s.Update(t.Context(), func(tx agentry.Tx) error {
					r, v, err := tx.LockFind(ws, "agent_1", p.pick)
					if err != nil {
						return err
					}
					if r.ID != "agent_1" || r.NextVersion != 1 {
						t.Errorf("LockFind %s: agent %+v, want agent_1's row", p.name, r)
					}
					switch {
					case p.want == none && v != nil:
						t.Errorf("LockFind %s = version %d, want none", p.name, v.Number)
					case p.want != none && v == nil:
						t.Errorf("LockFind %s = no version, want %d", p.name, p.want)
					case p.want != none && v.Number != p.want:
						t.Errorf("LockFind %s = version %d, want %d", p.name, v.Number, p.want)
					}
					return nil
				})
				if err != nil {
					t.Errorf("LockFind %s: %v", p.name, err)
				}
			}
			err := s.Update(t.Context(), func(tx agentry.Tx) error {
				_, _, err := tx.LockFind(ws, "agent_missing", agentry.PickLatest)
				return err
			})
			if !errors.Is(err, agentry.ErrNotFound) {
				t.Errorf("LockFind of a missing agent: %v, want ErrNotFound", err)
			}
		})
	}
}

func testTxCountVersions(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	if n := countVersions(t, s, ws, "agent_nope"); n != 0 {
		t.Errorf("CountVersions of unknown agent = %d, want 0", n)
	}
	mustInsertAgent(t, s, agentRow(ws, "agent_1", agentry.VoiceAgent, 1), 0, 1, 2, 5)
	mustInsertAgent(t, s, agentRow(ws, "agent_2", agentry.VoiceAgent, 1), 0)
	if n := countVersions(t, s, ws, "agent_1"); n != 4 {
		t.Errorf("CountVersions = %d, want 4", n)
	}
	mustUpdate(t, s, func(tx agentry.Tx) error { return tx.DeleteVersion(ws, "agent_1", 1) })
	if n := countVersions(t, s, ws, "agent_1"); n != 3 {
		t.Errorf("CountVersions after a delete = %d, want 3", n)
	}
	if n := countVersions(t, s, ws, "agent_2"); n != 1 {
		t.Errorf("CountVersions of another agent = %d, want 1", n)
	}
}

func testTxListVersions(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	mustInsertAgent(t, s, agentRow(ws, "agent_1", agentry.VoiceAgent, 1), 4, 0, 2, 1, 7)
	mustInsertAgent(t, s, agentRow(ws, "agent_2", agentry.VoiceAgent, 1), 3)
	tests := []struct {
		name string
		q    agentry.VersionQuery
		want []int64
	}{
		{"all ascending", agentry.VersionQuery{}, []int64{0, 1, 2, 4, 7}},
		{"all descending", agentry.VersionQuery{Desc: true}, []int64{7, 4, 2, 1, 0}},
		{"first page", agentry.VersionQuery{Limit: 2}, []int64{0, 1}},
		{"after ascending", agentry.VersionQuery{After: ptr[int64](1), Limit: 2}, []int64{2, 4}},
		{"after a deleted number", agentry.VersionQuery{After: ptr[int64](3), Limit: 10}, []int64{4, 7}},
		{"after descending", agentry.VersionQuery{After: ptr[int64](4), Desc: true, Limit: 2}, []int64{2, 1}},
		{"after the last", agentry.VersionQuery{After: ptr[int64](7), Limit: 2}, []int64{}},
		{"after the first descending", agentry.VersionQuery{After: ptr[int64](0), Desc: true}, []int64{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var vs []agentry.Version
			mustView(t, s, func(tx agentry.Tx) (err error) { vs, err = tx.ListVersions(ws, "agent_1", tc.q); return err })
			if got := numbers(vs); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ListVersions = %v, want %v", got, tc.want)
			}
		})
	}
}

func testTxWorkspaceScoping(t *testing.T, open Opener) {
	s := open(t)
	a := mustWorkspace(t, s, "a")
	b := mustWorkspace(t, s, "b")
	mustInsertAgent(t, s, agentRow(a, "agent_a", agentry.VoiceAgent, 1), 0, 1)
	mustUpdate(t, s, func(tx agentry.Tx) error {
		v, err := tx.GetVersion(a, "agent_a", 1)
		if err != nil {
			return err
		}
		v.Published, v.PublishedAt = true, 5
		return tx.UpdateVersion(v)
	})

	notFound := map[string]func(tx agentry.Tx) error{
		"GetAgent":    func(tx agentry.Tx) error { _, err := tx.GetResource(b, "agent_a"); return err },
		"LockAgent":   func(tx agentry.Tx) error { _, err := tx.LockResource(b, "agent_a"); return err },
		"UpdateAgent": func(tx agentry.Tx) error { return tx.UpdateResource(agentRow(b, "agent_a", agentry.VoiceAgent, 9)) },
		"DeleteAgent": func(tx agentry.Tx) error { return tx.DeleteResource(b, "agent_a") },
		"GetVersion":  func(tx agentry.Tx) error { _, err := tx.GetVersion(b, "agent_a", 0); return err },
		"FindVersion": func(tx agentry.Tx) error {
			_, err := tx.FindVersion(b, "agent_a", agentry.PickLatest)
			return err
		},
		"FindVersionPublished": func(tx agentry.Tx) error {
			_, err := tx.FindVersion(b, "agent_a", agentry.PickLatestPublished)
			return err
		},
		"UpdateVersion": func(tx agentry.Tx) error { return tx.UpdateVersion(versionRow(b, "agent_a", 0)) },
		"DeleteVersion": func(tx agentry.Tx) error { return tx.DeleteVersion(b, "agent_a", 0) },
	}
	for name, op := range notFound {
		t.Run(name, func(t *testing.T) { wantIs(t, s.Update(t.Context(), op), agentry.ErrNotFound) })
	}
	t.Run("Lists", func(t *testing.T) {
		mustView(t, s, func(tx agentry.Tx) error {
			if as, err := tx.ListResources(b, agentry.ResourceQuery{Kinds: agentry.AnyAgent.Names(), Limit: 10}); err != nil || len(as) != 0 {
				t.Errorf("ListAgents(b) = %v, %v; want none", ids(as), err)
			}
			if vs, err := tx.ListVersions(b, "agent_a", agentry.VersionQuery{}); err != nil || len(vs) != 0 {
				t.Errorf("ListVersions(b) = %v, %v; want none", numbers(vs), err)
			}
			if n, err := tx.CountVersions(b, "agent_a"); err != nil || n != 0 {
				t.Errorf("CountVersions(b) = %d, %v; want 0", n, err)
			}
			return nil
		})
	})
	// Nothing done through b touched a's rows.
	if got := mustAgentRow(t, s, a, "agent_a"); got.CreatedAt != 1 || got.NextVersion != 1 {
		t.Errorf("agent of a changed: %+v", got)
	}
	if n := countVersions(t, s, a, "agent_a"); n != 2 {
		t.Errorf("versions of a = %d, want 2", n)
	}
	if v := mustVersionRow(t, s, a, "agent_a", 1); !v.Published {
		t.Errorf("version 1 of a lost its published flag")
	}
}

func testTxDeleteAgentRemovesVersions(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	mustInsertAgent(t, s, agentRow(ws, "agent_1", agentry.VoiceAgent, 1), 0, 1, 2)
	mustInsertAgent(t, s, agentRow(ws, "agent_2", agentry.VoiceAgent, 2), 0, 1)
	mustUpdate(t, s, func(tx agentry.Tx) error { return tx.DeleteResource(ws, "agent_1") })
	mustView(t, s, func(tx agentry.Tx) error {
		if _, err := tx.GetResource(ws, "agent_1"); !errors.Is(err, agentry.ErrNotFound) {
			t.Errorf("GetAgent after delete: %v, want ErrNotFound", err)
		}
		for n := range int64(3) {
			if _, err := tx.GetVersion(ws, "agent_1", n); !errors.Is(err, agentry.ErrNotFound) {
				t.Errorf("GetVersion %d after delete: %v, want ErrNotFound", n, err)
			}
		}
		if n, err := tx.CountVersions(ws, "agent_1"); err != nil || n != 0 {
			t.Errorf("CountVersions after delete = %d, %v", n, err)
		}
		if vs, err := tx.ListVersions(ws, "agent_1", agentry.VersionQuery{}); err != nil || len(vs) != 0 {
			t.Errorf("ListVersions after delete = %v, %v", numbers(vs), err)
		}
		if n, err := tx.CountVersions(ws, "agent_2"); err != nil || n != 2 {
			t.Errorf("other agent's versions = %d, %v; want 2", n, err)
		}
		return nil
	})
	// The same ID can be used again: nothing of the old agent lingers.
	mustInsertAgent(t, s, agentRow(ws, "agent_1", agentry.ChatAgent, 3), 0)
	if n := countVersions(t, s, ws, "agent_1"); n != 1 {
		t.Errorf("versions of the re-created agent = %d, want 1", n)
	}
}

func testTxRollback(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	mustInsertAgent(t, s, agentRow(ws, "agent_1", agentry.VoiceAgent, 1), 0)
	sentinel := errors.New("stop here")
	domain := agentry.Errorf(agentry.EINVALID, "a rule broke")
	for _, want := range []error{sentinel, domain, agentry.ErrNotFound} {
		t.Run(want.Error(), func(t *testing.T) {
			err := s.Update(t.Context(), func(tx agentry.Tx) error {
				if err := tx.InsertWorkspace(&agentry.Workspace{ID: "ws_rolled", Name: "rolled"}); err != nil {
					return err
				}
				if err := tx.InsertKey(&agentry.APIKey{ID: "apikey_r", WorkspaceID: "ws_rolled", Hash: agentry.HashKey("r"), Prefix: "key_r"}); err != nil {
					return err
				}
				if err := tx.InsertResource(agentRow(ws, "agent_2", agentry.VoiceAgent, 2)); err != nil {
					return err
				}
				if err := tx.InsertVersion(versionRow(ws, "agent_2", 0)); err != nil {
					return err
				}
				if err := tx.InsertVersion(versionRow(ws, "agent_1", 1)); err != nil {
					return err
				}
				a, err := tx.LockResource(ws, "agent_1")
				if err != nil {
					return err
				}
				a.Name, a.NextVersion = "changed", 2
				if err := tx.UpdateResource(a); err != nil {
					return err
				}
				if err := tx.DeleteVersion(ws, "agent_1", 0); err != nil {
					return err
				}
				return want
			})
			if !errors.Is(err, want) {
				t.Fatalf("Update = %v, want %v", err, want)
			}
			var e *agentry.Error
			if errors.As(want, &e) && (agentry.ErrorCode(err) != e.Code || agentry.ErrorMessage(err) != e.Message) {
				t.Errorf("Update changed the *agentry.Error: %v", err)
			}
			mustView(t, s, func(tx agentry.Tx) error {
				if _, err := tx.WorkspaceByName("rolled"); !errors.Is(err, agentry.ErrNotFound) {
					t.Errorf("workspace written: %v", err)
				}
				if _, err := tx.KeyByHash(agentry.HashKey("r")); !errors.Is(err, agentry.ErrNotFound) {
					t.Errorf("key written: %v", err)
				}
				if _, err := tx.GetResource(ws, "agent_2"); !errors.Is(err, agentry.ErrNotFound) {
					t.Errorf("agent written: %v", err)
				}
				if vs, _ := tx.ListVersions(ws, "agent_1", agentry.VersionQuery{}); !reflect.DeepEqual(numbers(vs), []int64{0}) {
					t.Errorf("versions of agent_1 = %v, want [0]", numbers(vs))
				}
				if a, _ := tx.GetResource(ws, "agent_1"); a == nil || a.Name != "" || a.NextVersion != 1 {
					t.Errorf("agent_1 = %+v, want it unchanged", a)
				}
				return nil
			})
		})
	}
}

func testTxViewIsReadOnly(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	err := s.View(t.Context(), func(tx agentry.Tx) error {
		return tx.InsertResource(agentRow(ws, "agent_1", agentry.VoiceAgent, 1))
	})
	if err == nil {
		t.Errorf("a write inside View succeeded")
	}
	mustView(t, s, func(tx agentry.Tx) error {
		if _, err := tx.GetResource(ws, "agent_1"); !errors.Is(err, agentry.ErrNotFound) {
			t.Errorf("agent written through View: %v", err)
		}
		return nil
	})
}

func testTxKeyRows(t *testing.T, open Opener) {
	s := open(t)
	a := mustWorkspace(t, s, "a")
	b := mustWorkspace(t, s, "b")
	k1 := agentry.APIKey{ID: "apikey_1", WorkspaceID: a, Hash: agentry.HashKey("one"), Prefix: "key_00000001", Label: "ci", CreatedAt: 10}
	k2 := agentry.APIKey{ID: "apikey_2", WorkspaceID: a, Hash: agentry.HashKey("two"), Prefix: "key_00000002", CreatedAt: 20}
	k3 := agentry.APIKey{ID: "apikey_3", WorkspaceID: b, Hash: agentry.HashKey("three"), Prefix: "key_00000003", CreatedAt: 15}
	mustUpdate(t, s, func(tx agentry.Tx) error {
		for _, k := range []agentry.APIKey{k1, k2, k3} {
			if err := tx.InsertKey(&k); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, s, func(tx agentry.Tx) error {
		w, err := tx.WorkspaceByName("b")
		if err != nil || w.ID != b || w.Name != "b" || w.CreatedAt != start.UnixMilli() {
			t.Errorf("WorkspaceByName(b) = %+v, %v", w, err)
		}
		if _, err := tx.WorkspaceByName("nope"); !errors.Is(err, agentry.ErrNotFound) {
			t.Errorf("WorkspaceByName(nope): %v, want ErrNotFound", err)
		}
		if got, err := tx.KeyByHash(k1.Hash); err != nil || !reflect.DeepEqual(*got, k1) {
			t.Errorf("KeyByHash = %+v, %v; want %+v", got, err, k1)
		}
		if _, err := tx.KeyByHash(agentry.HashKey("nope")); !errors.Is(err, agentry.ErrNotFound) {
			t.Errorf("KeyByHash(unknown): %v, want ErrNotFound", err)
		}
		if ks, err := tx.ListKeys(a); err != nil || !reflect.DeepEqual(ks, []agentry.APIKey{k1, k2}) {
			t.Errorf("ListKeys(a) = %+v, %v", ks, err)
		}
		if ks, err := tx.ListKeys(""); err != nil || len(ks) != 3 {
			t.Errorf("ListKeys(all) = %+v, %v; want 3 keys", ks, err)
		}
		return nil
	})
	// Revoke by ID and by prefix; a revoked or unknown key cannot be revoked.
	mustUpdate(t, s, func(tx agentry.Tx) error { return tx.RevokeKey("apikey_1", 100) })
	mustUpdate(t, s, func(tx agentry.Tx) error { return tx.RevokeKey("key_00000003", 200) })
	for _, idOrPrefix := range []string{"apikey_1", "key_00000003", "apikey_nope", "key_0000000"} {
		err := s.Update(t.Context(), func(tx agentry.Tx) error { return tx.RevokeKey(idOrPrefix, 300) })
		if !errors.Is(err, agentry.ErrNotFound) {
			t.Errorf("RevokeKey(%s) = %v, want ErrNotFound", idOrPrefix, err)
		}
	}
	mustView(t, s, func(tx agentry.Tx) error {
		for hash, want := range map[string]int64{k1.Hash: 100, k2.Hash: 0, k3.Hash: 200} {
			k, err := tx.KeyByHash(hash)
			if err != nil {
				t.Errorf("KeyByHash(%s): %v", hash, err)
			} else if k.RevokedAt != want {
				t.Errorf("key %s revoked at %d, want %d", k.ID, k.RevokedAt, want)
			}
		}
		return nil
	})
}
