package storetest

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// listTests cover list-agents and list-agent-versions: the store's keyset
// queries and filters, and the service's page keys over them.
var listTests = []suiteTest{
	{"TxListAgents", testTxListAgents},
	{"TxListAgentsKeysetWalk", testTxListAgentsKeysetWalk},
	{"TxListAgentsUnicodeName", testTxListAgentsUnicodeName},
	{"ListAgentsPaging", testListAgentsPaging},
	{"ListAgentsFilter", testListAgentsFilter},
	{"EnginesAreNotAgents", testEnginesAreNotAgents},
	{"ListVersionsPaging", testListVersionsPaging},
	{"BadPageKeys", testBadPageKeys},
}

// listFixture inserts agents whose creation times tie in places, so that
// ordering must break ties by ID, and whose names exercise the search.
func listFixture(t *testing.T, open Opener) (agentry.Store, string) {
	s := open(t)
	a := mustWorkspace(t, s, "a")
	b := mustWorkspace(t, s, "b")
	rows := []struct {
		id      string
		channel *agentry.Kind
		name    string
		created int64
	}{
		{"agent_01", agentry.VoiceAgent, "Support Bot", 100},
		{"agent_02", agentry.ChatAgent, "support desk", 200},
		{"agent_03", agentry.VoiceAgent, "100% sure", 200},
		{"agent_04", agentry.VoiceAgent, "100 sure", 300},
		{"agent_05", agentry.ChatAgent, "a_b", 400},
		{"agent_06", agentry.VoiceAgent, "axb", 500},
		{"agent_07", agentry.VoiceAgent, `back\slash`, 600},
		{"agent_08", agentry.VoiceAgent, "", 600},
	}
	mustUpdate(t, s, func(tx agentry.Tx) error {
		for _, r := range rows {
			ag := agentRow(a, r.id, r.channel, r.created)
			ag.Name = r.name
			if err := tx.InsertResource(ag); err != nil {
				return err
			}
		}
		other := agentRow(b, "agent_b1", agentry.VoiceAgent, 150)
		other.Name = "Support elsewhere"
		return tx.InsertResource(other)
	})
	return s, a
}

func testTxListAgents(t *testing.T, open Opener) {
	s, ws := listFixture(t, open)
	all := []string{"agent_01", "agent_02", "agent_03", "agent_04", "agent_05", "agent_06", "agent_07", "agent_08"}
	after := func(created int64, id string) *agentry.ResourceCursor {
		return &agentry.ResourceCursor{CreatedAt: created, ID: id}
	}
	tests := []struct {
		name string
		q    agentry.ResourceQuery
		want []string
	}{
		{"all ascending", agentry.ResourceQuery{}, all},
		{"all descending", agentry.ResourceQuery{Desc: true}, reversed(all)},
		{"limit", agentry.ResourceQuery{Limit: 3}, all[:3]},
		{"voice", agentry.ResourceQuery{Kinds: []string{"voice"}}, []string{"agent_01", "agent_03", "agent_04", "agent_06", "agent_07", "agent_08"}},
		{"chat", agentry.ResourceQuery{Kinds: []string{"chat"}}, []string{"agent_02", "agent_05"}},
		{"name, any case", agentry.ResourceQuery{Search: "SUPPORT"}, []string{"agent_01", "agent_02"}},
		{"name, mixed case", agentry.ResourceQuery{Search: "sUpPoRt B"}, []string{"agent_01"}},
		{"name and channel", agentry.ResourceQuery{Search: "support", Kinds: []string{"chat"}}, []string{"agent_02"}},
		{"percent is literal", agentry.ResourceQuery{Search: "100%"}, []string{"agent_03"}},
		{"lone percent", agentry.ResourceQuery{Search: "%"}, []string{"agent_03"}},
		{"underscore is literal", agentry.ResourceQuery{Search: "a_b"}, []string{"agent_05"}},
		{"backslash is literal", agentry.ResourceQuery{Search: `k\s`}, []string{"agent_07"}},
		{"substring of the ID", agentry.ResourceQuery{Search: "nt_04"}, []string{"agent_04"}},
		{"substring of several names", agentry.ResourceQuery{Search: "sure"}, []string{"agent_03", "agent_04"}},
		{"no match", agentry.ResourceQuery{Search: "zzz"}, []string{}},
		{"after a tie, ascending", agentry.ResourceQuery{After: after(200, "agent_02"), Limit: 2}, []string{"agent_03", "agent_04"}},
		{"after a tie, descending", agentry.ResourceQuery{After: after(200, "agent_03"), Desc: true}, []string{"agent_02", "agent_01"}},
		{"after the last tie", agentry.ResourceQuery{After: after(600, "agent_07")}, []string{"agent_08"}},
		{"after the end", agentry.ResourceQuery{After: after(600, "agent_08")}, []string{}},
		{"after, filtered", agentry.ResourceQuery{Kinds: []string{"voice"}, After: after(100, "agent_01"), Limit: 2}, []string{"agent_03", "agent_04"}},
		{"after, searched, descending", agentry.ResourceQuery{Search: "sure", After: after(300, "agent_04"), Desc: true}, []string{"agent_03"}},
		// A cursor need not name an existing row: it is a position.
		{"after a position", agentry.ResourceQuery{After: after(250, ""), Limit: 1}, []string{"agent_04"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.q.Limit == 0 {
				tc.q.Limit = 100
			}
			if tc.q.Kinds == nil {
				tc.q.Kinds = agentry.AnyAgent.Names()
			}
			var as []agentry.Resource
			mustView(t, s, func(tx agentry.Tx) (err error) { as, err = tx.ListResources(ws, tc.q); return err })
			if got := ids(as); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ListAgents(%+v) = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
	t.Run("row fields", func(t *testing.T) {
		var as []agentry.Resource
		mustView(t, s, func(tx agentry.Tx) (err error) {
			as, err = tx.ListResources(ws, agentry.ResourceQuery{Kinds: agentry.AnyAgent.Names(), Search: "desk", Limit: 10})
			return err
		})
		want := agentry.Resource{WorkspaceID: ws, ID: "agent_02", Kind: agentry.ChatAgent, Name: "support desk",
			NextVersion: 1, CreatedAt: 200, ModifiedAt: 200}
		if len(as) != 1 || !reflect.DeepEqual(as[0], want) {
			t.Errorf("ListAgents = %+v, want [%+v]", as, want)
		}
	})
}

// testTxListAgentsUnicodeName: the name search is case-insensitive for every
// letter, not only ASCII ones, and a name is found by its own exact text.
func testTxListAgentsUnicodeName(t *testing.T, open Opener) {
	s := open(t)
	ws := mustWorkspace(t, s, "a")
	mustUpdate(t, s, func(tx agentry.Tx) error {
		for i, name := range []string{"École Ünïcode", "ÅSA Øresund", "plain"} {
			a := agentRow(ws, fmt.Sprintf("agent_%02d", i+1), agentry.VoiceAgent, int64(i))
			a.Name = name
			if err := tx.InsertResource(a); err != nil {
				return err
			}
		}
		return nil
	})
	for q, want := range map[string][]string{
		"École":   {"agent_01"},
		"école":   {"agent_01"},
		"ÉCOLE":   {"agent_01"},
		"ünïcode": {"agent_01"},
		"Åsa øre": {"agent_02"},
		"ÅSA":     {"agent_02"},
		"øresund": {"agent_02"},
		"PLAIN":   {"agent_03"},
	} {
		var as []agentry.Resource
		mustView(t, s, func(tx agentry.Tx) (err error) {
			as, err = tx.ListResources(ws, agentry.ResourceQuery{Kinds: agentry.AnyAgent.Names(), Search: q, Limit: 10})
			return err
		})
		if got := ids(as); !reflect.DeepEqual(got, want) {
			t.Errorf("ListAgents(search %q) = %v, want %v", q, got, want)
		}
	}
}

// testTxListAgentsKeysetWalk pages through every agent with every small page
// size, both ways, and must see each exactly once in order.
func testTxListAgentsKeysetWalk(t *testing.T, open Opener) {
	s, ws := listFixture(t, open)
	var all []agentry.Resource
	mustView(t, s, func(tx agentry.Tx) (err error) {
		all, err = tx.ListResources(ws, agentry.ResourceQuery{Kinds: agentry.AnyAgent.Names(), Limit: 100})
		return err
	})
	for _, desc := range []bool{false, true} {
		want := ids(all)
		if desc {
			want = reversed(want)
		}
		for limit := 1; limit <= 3; limit++ {
			var got []string
			q := agentry.ResourceQuery{Kinds: agentry.AnyAgent.Names(), Desc: desc, Limit: limit}
			for range 20 {
				var page []agentry.Resource
				mustView(t, s, func(tx agentry.Tx) (err error) { page, err = tx.ListResources(ws, q); return err })
				if len(page) == 0 {
					break
				}
				got = append(got, ids(page)...)
				last := page[len(page)-1]
				q.After = &agentry.ResourceCursor{CreatedAt: last.CreatedAt, ID: last.ID}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("desc=%v limit=%d: walked %v, want %v", desc, limit, got, want)
			}
		}
	}
}

func reversed[T any](s []T) []T {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// createAgents creates n voice agents a millisecond apart, named a0, a1, …
func (e *env) createAgents(t *testing.T, n int, prefix string) []string {
	var out []string
	for i := range n {
		e.clock.Advance(time.Millisecond)
		v := e.mustCreateAgent(t, agentry.VoiceAgent, fmt.Sprintf(`{"agent_name":"%s%d"}`, prefix, i))
		out = append(out, v.ResourceID)
	}
	return out
}

// walkAgents pages through list-agents; between pages it calls between.
func (e *env) walkAgents(t *testing.T, f agentry.AgentFilter, p agentry.PageRequest, between func()) []string {
	t.Helper()
	var got []string
	for range 50 {
		page, err := e.svc.ListAgents(e.ctx, e.caller(), f, p)
		if err != nil {
			t.Fatalf("ListAgents(%+v): %v", p, err)
		}
		if len(page.Items) > p.Limit {
			t.Fatalf("page of %d items, limit %d", len(page.Items), p.Limit)
		}
		got = append(got, ids(page.Items)...)
		if page.HasMore != (page.NextKey != "") {
			t.Fatalf("HasMore %v with NextKey %q", page.HasMore, page.NextKey)
		}
		if !page.HasMore {
			return got
		}
		p.Key = page.NextKey
		if between != nil {
			between()
		}
	}
	t.Fatalf("list-agents never ended")
	return nil
}

func testListAgentsPaging(t *testing.T, open Opener) {
	for _, desc := range []bool{false, true} {
		for _, limit := range []int{1, 2, 5, 6} {
			t.Run(fmt.Sprintf("desc=%v/limit=%d", desc, limit), func(t *testing.T) {
				e := newEnv(t, open)
				orig := e.createAgents(t, 5, "a")
				want := orig
				if desc {
					want = reversed(orig)
				}
				var added []string
				got := e.walkAgents(t, agentry.AgentFilter{}, agentry.PageRequest{Limit: limit, Desc: desc}, func() {
					// Rows added while paging neither shift nor repeat items.
					if len(added) < 3 {
						added = append(added, e.createAgents(t, 1, "n")...)
					}
				})
				if desc {
					// Newer agents sort before the key: the walk never sees them.
					if !reflect.DeepEqual(got, want) {
						t.Errorf("walked %v, want %v", got, want)
					}
					return
				}
				// Ascending, new agents sort after the key and appear at the end.
				if want := append(slices.Clone(orig), added...); !reflect.DeepEqual(got, want) {
					t.Errorf("walked %v, want %v", got, want)
				}
			})
		}
	}
	t.Run("last page exactly full", func(t *testing.T) {
		e := newEnv(t, open)
		e.createAgents(t, 4, "a")
		page, err := e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{}, agentry.PageRequest{Limit: 2})
		if err != nil || !page.HasMore {
			t.Fatalf("first page: %+v, %v", page, err)
		}
		page, err = e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{}, agentry.PageRequest{Limit: 2, Key: page.NextKey})
		if err != nil || page.HasMore || page.NextKey != "" || len(page.Items) != 2 {
			t.Fatalf("second page = %+v, %v; want 2 items and no more", page, err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		e := newEnv(t, open)
		page, err := e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{}, agentry.PageRequest{Limit: 50, Desc: true})
		if err != nil || len(page.Items) != 0 || page.HasMore || page.NextKey != "" {
			t.Fatalf("ListAgents = %+v, %v; want an empty last page", page, err)
		}
	})
}

func testListAgentsFilter(t *testing.T, open Opener) {
	e := newEnv(t, open)
	voice := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"Front Desk"}`)
	e.clock.Advance(time.Millisecond)
	chat := e.mustCreateAgent(t, agentry.ChatAgent, `{"agent_name":"front desk chat"}`)
	e.clock.Advance(time.Millisecond)
	e.mustCreateAgent(t, agentry.ChatAgent, `{"agent_name":"Billing"}`)
	other := mustWorkspace(t, e.store, "other")
	if _, err := e.create(other, agentry.VoiceAgent, fields(t, `{"agent_name":"Front desk too"}`)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		f    agentry.AgentFilter
		want []string
	}{
		{agentry.AgentFilter{Search: "FRONT DESK"}, []string{voice.ResourceID, chat.ResourceID}},
		{agentry.AgentFilter{Search: "front", Kind: agentry.ChatAgent}, []string{chat.ResourceID}},
		{agentry.AgentFilter{Search: chat.ResourceID[3:12]}, []string{chat.ResourceID}},
		{agentry.AgentFilter{Kind: agentry.VoiceAgent}, []string{voice.ResourceID}},
	}
	for _, tc := range tests {
		got := e.walkAgents(t, tc.f, agentry.PageRequest{Limit: 1}, nil)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ListAgents(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
}

func testListVersionsPaging(t *testing.T, open Opener) {
	walk := func(t *testing.T, e *env, agentID string, p agentry.PageRequest, between func()) []int64 {
		var got []int64
		for range 50 {
			page, err := e.svc.ListVersions(e.ctx, e.caller(), agentID, p)
			if err != nil {
				t.Fatalf("ListVersions(%+v): %v", p, err)
			}
			got = append(got, numbers(page.Items)...)
			if page.HasMore != (page.NextKey != "") {
				t.Fatalf("HasMore %v with NextKey %q", page.HasMore, page.NextKey)
			}
			if !page.HasMore {
				return got
			}
			p.Key = page.NextKey
			if between != nil {
				between()
			}
		}
		t.Fatalf("list-agent-versions never ended")
		return nil
	}
	setup := func(t *testing.T) (*env, string) {
		e := newEnv(t, open)
		id := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
		for range 4 {
			e.mustCreateVersion(t, id, 0)
		}
		return e, id
	}
	t.Run("descending while adding", func(t *testing.T) {
		e, id := setup(t)
		got := walk(t, e, id, agentry.PageRequest{Limit: 2, Desc: true}, func() { e.mustCreateVersion(t, id, 0) })
		if want := []int64{4, 3, 2, 1, 0}; !reflect.DeepEqual(got, want) {
			t.Errorf("walked %v, want %v", got, want)
		}
	})
	t.Run("ascending while adding", func(t *testing.T) {
		e, id := setup(t)
		added := 0
		got := walk(t, e, id, agentry.PageRequest{Limit: 2}, func() {
			if added < 2 {
				added++
				e.mustCreateVersion(t, id, 0)
			}
		})
		if want := []int64{0, 1, 2, 3, 4, 5, 6}; !reflect.DeepEqual(got, want) {
			t.Errorf("walked %v, want %v", got, want)
		}
	})
	t.Run("the key's version deleted", func(t *testing.T) {
		e, id := setup(t)
		got := walk(t, e, id, agentry.PageRequest{Limit: 2, Desc: true}, func() {
			if countVersions(t, e.store, e.ws, id) == 5 {
				e.mustDeleteVersion(t, id, 3)
			}
		})
		if want := []int64{4, 3, 2, 1, 0}; !reflect.DeepEqual(got, want) {
			t.Errorf("walked %v, want %v", got, want)
		}
	})
	t.Run("one page", func(t *testing.T) {
		e, id := setup(t)
		page, err := e.svc.ListVersions(e.ctx, e.caller(), id, agentry.PageRequest{Limit: 5, Desc: true})
		if err != nil || page.HasMore || page.NextKey != "" || !reflect.DeepEqual(numbers(page.Items), []int64{4, 3, 2, 1, 0}) {
			t.Errorf("ListVersions = %+v, %v", page, err)
		}
	})
	t.Run("unknown agent", func(t *testing.T) {
		e, id := setup(t)
		_, err := e.svc.ListVersions(e.ctx, e.caller(), "agent_nope", agentry.PageRequest{Limit: 5})
		wantCode(t, err, agentry.ENOTFOUND)
		other := mustWorkspace(t, e.store, "other")
		_, err = e.svc.ListVersions(e.ctx, e.as(other), id, agentry.PageRequest{Limit: 5})
		wantCode(t, err, agentry.ENOTFOUND)
	})
}

func testBadPageKeys(t *testing.T, open Opener) {
	e := newEnv(t, open)
	e.createAgents(t, 3, "a")
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
	e.mustCreateVersion(t, id, 0)
	e.mustCreateVersion(t, id, 0)

	agentPage := func(desc bool) string {
		p, err := e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{}, agentry.PageRequest{Limit: 1, Desc: desc})
		if err != nil || p.NextKey == "" {
			t.Fatalf("ListAgents: %+v, %v", p, err)
		}
		return p.NextKey
	}
	versionPage := func(desc bool) string {
		p, err := e.svc.ListVersions(e.ctx, e.caller(), id, agentry.PageRequest{Limit: 1, Desc: desc})
		if err != nil || p.NextKey == "" {
			t.Fatalf("ListVersions: %+v, %v", p, err)
		}
		return p.NextKey
	}
	b64 := base64.RawURLEncoding.EncodeToString
	garbage := []string{"!!!", "not a key", b64([]byte("nonsense")), b64([]byte("a|a|x|y")), b64([]byte("v|a|x")),
		b64([]byte("a|a|1")), b64([]byte("a|a|1|x|y")), "%00"}
	type call func(desc bool, key string) error
	lists := map[string]struct {
		call      call
		own, swap func(bool) string
	}{
		"agents": {
			call: func(desc bool, key string) error {
				_, err := e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{}, agentry.PageRequest{Limit: 1, Desc: desc, Key: key})
				return err
			},
			own: agentPage, swap: versionPage,
		},
		"versions": {
			call: func(desc bool, key string) error {
				_, err := e.svc.ListVersions(e.ctx, e.caller(), id, agentry.PageRequest{Limit: 1, Desc: desc, Key: key})
				return err
			},
			own: versionPage, swap: agentPage,
		},
	}
	for name, l := range lists {
		t.Run(name, func(t *testing.T) {
			for _, desc := range []bool{false, true} {
				if err := l.call(desc, l.own(desc)); err != nil {
					t.Errorf("own key, desc=%v: %v", desc, err)
				}
				// A key from the other sort order.
				wantCode(t, l.call(!desc, l.own(desc)), agentry.EINVALID, "sort_order")
				// A key from the other list.
				wantCode(t, l.call(desc, l.swap(desc)), agentry.EINVALID, "pagination_key")
				for _, g := range garbage {
					err := l.call(desc, g)
					if agentry.ErrorCode(err) != agentry.EINVALID {
						t.Errorf("key %q: %v, want EINVALID", g, err)
					}
				}
			}
		})
	}
}

// testEnginesAreNotAgents: Retell LLMs and conversation flows share the
// agents' rows, but the agent endpoints never show or touch them.
func testEnginesAreNotAgents(t *testing.T, open Opener) {
	e := newEnv(t, open)
	agent := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"front desk"}`)
	var engines []string
	for _, kind := range []*agentry.Kind{agentry.RetellLLM, agentry.ConversationFlow} {
		e.clock.Advance(time.Millisecond)
		v, err := e.create(e.ws, kind, fields(t, `{}`))
		if err != nil {
			t.Fatalf("CreateEngine(%s): %v", kind, err)
		}
		engines = append(engines, v.ResourceID)
	}
	for _, f := range []agentry.AgentFilter{{}, {Search: "_"}} {
		got := e.walkAgents(t, f, agentry.PageRequest{Limit: 1, Desc: true}, nil)
		if !reflect.DeepEqual(got, []string{agent.ResourceID}) {
			t.Errorf("ListAgents(%+v) = %v, want only the agent %s", f, got, agent.ResourceID)
		}
	}
	for _, id := range engines {
		_, err := e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: agentry.AnyAgent, ID: id, Version: refNone})
		wantCode(t, err, agentry.ENOTFOUND)
		_, err = e.svc.Versions(e.ctx, e.caller(), agentry.AnyAgent, id)
		wantCode(t, err, agentry.ENOTFOUND)
		_, err = e.svc.ListVersions(e.ctx, e.caller(), id, agentry.PageRequest{Limit: 10})
		wantCode(t, err, agentry.ENOTFOUND)
		_, err = e.svc.Branch(e.ctx, e.caller(), agentry.BranchRequest{AgentID: id, Base: 0})
		wantCode(t, err, agentry.ENOTFOUND)
		wantCode(t, e.svc.Publish(e.ctx, e.caller(), agentry.PublishRequest{AgentID: id, Version: 0}), agentry.ENOTFOUND)
		wantCode(t, e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: id, Version: 0}), agentry.ENOTFOUND)
		wantCode(t, e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.AnyAgent, ID: id}), agentry.ENOTFOUND)
		if n := countVersions(t, e.store, e.ws, id); n != 1 {
			t.Errorf("engine %s has %d versions after agent calls, want 1", id, n)
		}
	}
}
