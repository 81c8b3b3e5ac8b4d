package storetest

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/agentry/agentry"
)

// textTests cover text that a backend might treat its own way: the NUL
// character, which PostgreSQL's text cannot hold and SQLite cuts C strings
// at, and searches longer than SQLite's LIKE pattern limit. Every backend
// must give the same answer: a write of NUL is refused with EINVALID, a read
// with NUL finds nothing, and a search of any length is a substring search.
var textTests = []suiteTest{
	{"NULIsNeverStored", testNULIsNeverStored},
	{"NULFindsNothing", testNULFindsNothing},
	{"NULInPageKeys", testNULInPageKeys},
	{"LongSearch", testLongSearch},
}

// nul is text with U+0000 in it.
const nul = "agent_\x00x"

func wantInvalid(t *testing.T, what string, err error) {
	t.Helper()
	if agentry.ErrorCode(err) != agentry.EINVALID {
		t.Errorf("%s: %v (%s), want EINVALID", what, err, agentry.ErrorCode(err))
	}
}

func testNULIsNeverStored(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	a := agentRow(ws, "agent_1", agentry.VoiceAgent, 1)
	mustInsertAgent(t, s, a, 0)
	named := agentRow(ws, "agent_2", agentry.VoiceAgent, 2)
	named.Name = "front\x00desk"
	for what, fn := range map[string]func(tx agentry.Tx) error{
		"InsertResource with a NUL name": func(tx agentry.Tx) error { return tx.InsertResource(named) },
		"InsertResource with a NUL id":   func(tx agentry.Tx) error { return tx.InsertResource(agentRow(ws, nul, agentry.VoiceAgent, 3)) },
		"UpdateResource with a NUL name": func(tx agentry.Tx) error {
			r := *a
			r.Name = "x\x00"
			return tx.UpdateResource(&r)
		},
		"UpdateVersion with a NUL title": func(tx agentry.Tx) error {
			v := versionRow(ws, a.ID, 0)
			title := "t\x00"
			v.Title = &title
			return tx.UpdateVersion(v)
		},
		"InsertWorkspace with a NUL name": func(tx agentry.Tx) error {
			return tx.InsertWorkspace(&agentry.Workspace{ID: "ws_nul", Name: "b\x00", CreatedAt: 1})
		},
	} {
		wantInvalid(t, what, s.Update(t.Context(), fn))
	}
	// Nothing changed.
	if r := mustAgentRow(t, s, ws, a.ID); r.Name != "" {
		t.Errorf("name %q after refused writes", r.Name)
	}
	if v := mustVersionRow(t, s, ws, a.ID, 0); v.Title != nil {
		t.Errorf("title %q after a refused write", *v.Title)
	}
	mustView(t, s, func(tx agentry.Tx) error {
		rs, err := tx.ListResources(ws, agentry.ResourceQuery{Kinds: agentry.AnyAgent.Names(), Limit: 10})
		if err != nil || len(rs) != 1 {
			t.Errorf("ListResources after refused inserts: %d rows, %v", len(rs), err)
		}
		return nil
	})
}

func testNULFindsNothing(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	mustInsertAgent(t, s, agentRow(ws, "agent_x", agentry.VoiceAgent, 1), 0)
	notFound := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, agentry.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", what, err)
		}
	}
	mustView(t, s, func(tx agentry.Tx) error {
		_, err := tx.GetResource(ws, nul)
		notFound("GetResource", err)
		_, err = tx.GetResource("ws\x00", "agent_x")
		notFound("GetResource in a NUL workspace", err)
		_, err = tx.GetVersion(ws, nul, 0)
		notFound("GetVersion", err)
		_, err = tx.FindVersion(ws, nul, agentry.PickLatest)
		notFound("FindVersion", err)
		if n, err := tx.CountVersions(ws, nul); err != nil || n != 0 {
			t.Errorf("CountVersions: %d, %v", n, err)
		}
		if vs, err := tx.ListVersions(ws, nul, agentry.VersionQuery{}); err != nil || len(vs) != 0 {
			t.Errorf("ListVersions: %d, %v", len(vs), err)
		}
		if vs, err := tx.EngineUsers(ws, nul, 10); err != nil || len(vs) != 0 {
			t.Errorf("EngineUsers: %d, %v", len(vs), err)
		}
		_, err = tx.KeyByHash("h\x00")
		notFound("KeyByHash", err)
		_, err = tx.WorkspaceByName("a\x00")
		notFound("WorkspaceByName", err)
		// The search that SQLite once cut at the NUL and so matched all.
		rs, err := tx.ListResources(ws, agentry.ResourceQuery{Kinds: agentry.AnyAgent.Names(), Search: "\x00", Limit: 10})
		if err != nil || len(rs) != 0 {
			t.Errorf("search for NUL: %d rows, %v; want none", len(rs), err)
		}
		rs, err = tx.ListResources(ws, agentry.ResourceQuery{Kinds: agentry.AnyAgent.Names(), Limit: 10,
			After: &agentry.ResourceCursor{CreatedAt: 0, ID: nul}})
		if err != nil || len(rs) != 0 {
			t.Errorf("cursor with NUL: %d rows, %v; want none", len(rs), err)
		}
		return nil
	})
	mustUpdate(t, s, func(tx agentry.Tx) error {
		_, err := tx.LockResource(ws, nul)
		notFound("LockResource", err)
		return nil
	})
	// Through the service, as httpapi asks: the not-found answer.
	e := &env{ctx: t.Context(), store: s, svc: &agentry.Service{Store: s, Rules: anyConfig{}}, ws: ws}
	_, err := e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: agentry.VoiceAgent, ID: nul})
	if agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("Service.Get of a NUL id: %v, want ENOTFOUND", err)
	}
	page, err := e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{Search: "x\x00"}, agentry.PageRequest{})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("Service.ListAgents searching NUL: %+v, %v", page, err)
	}
}

// A page key is opaque, but a forged one must not reach the database with
// text it cannot hold: it is a bad key, whatever it decodes to.
func testNULInPageKeys(t *testing.T, open Opener) {
	e := newEnv(t, open)
	e.createAgents(t, 2, "a")
	b64 := base64.RawURLEncoding.EncodeToString
	for _, key := range []string{b64([]byte("a|d|100|agent_\x00")), b64([]byte("a|d|1\x00|agent_1")), b64([]byte("v|d|\x00"))} {
		_, err := e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{}, agentry.PageRequest{Limit: 1, Desc: true, Key: key})
		wantInvalid(t, "ListAgents with a forged key", err)
	}
}

// A search longer than any name is a search that finds nothing, on every
// backend (SQLite's LIKE refused patterns over 50,000 bytes: a 500).
func testLongSearch(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	long := strings.Repeat("a", 60_000)
	named := agentRow(ws, "agent_long", agentry.VoiceAgent, 1)
	named.Name = long
	mustInsertAgent(t, s, named, 0)
	mustInsertAgent(t, s, agentRow(ws, "agent_short", agentry.VoiceAgent, 2), 0)
	mustView(t, s, func(tx agentry.Tx) error {
		for search, want := range map[string]int{
			strings.Repeat("a", 49_999): 1,
			long:                        1,
			long + "a":                  0,
			strings.Repeat("%", 60_000): 0,
		} {
			rs, err := tx.ListResources(ws, agentry.ResourceQuery{Kinds: agentry.AnyAgent.Names(), Search: search, Limit: 10})
			if err != nil || len(rs) != want {
				t.Errorf("search of %d characters: %d rows, %v; want %d", len(search), len(rs), err, want)
			}
		}
		return nil
	})
}
