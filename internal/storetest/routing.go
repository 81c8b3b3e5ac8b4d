package storetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// routingTests cover resolution (DESIGN §5, §6): what serves a call for a
// phone number or an agent, the random and sticky splits over 100,000
// resolves, and the route change log that keeps every replica's cached
// snapshots right.
var routingTests = []suiteTest{
	{"ResolveAgent", testResolveAgent},
	{"RandomSplit", testRandomSplit},
	{"StickySplit", testStickySplit},
	{"ResolveRefused", testResolveRefused},
	{"CachedSnapshotsFollowChanges", testCachedSnapshotsFollowChanges},
	{"RouteChangeLog", testRouteChangeLog},
}

func (e *env) mustResolve(tb testing.TB, svc *agentry.Service, req agentry.ResolveRequest) *agentry.Resolution {
	tb.Helper()
	res, err := svc.Resolve(e.ctx, e.caller(), req)
	if err != nil {
		tb.Fatalf("Resolve(%+v): %v", req, err)
	}
	return res
}

func testResolveAgent(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.ChatAgent, 3, 2)
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(1), Variables: map[string]string{"greeting": "hi"}})
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "next", Variables: map[string]string{"greeting": "hey"}})
	for _, c := range []struct {
		ref       agentry.VersionRef
		version   int64
		tag       string
		greeting  string
		published bool
	}{
		{refNone, 2, "", "", false},
		{refLatPub, 1, "prod", "hi", true},
		{num(0), 0, "", "", true},
		{agentry.VersionRef{Form: agentry.RefTag, Tag: "prod"}, 1, "prod", "hi", true},
		{agentry.VersionRef{Form: agentry.RefTag, Tag: "next"}, 2, "next", "hey", false},
	} {
		res := e.mustResolve(t, e.svc, agentry.ResolveRequest{AgentID: id, Version: c.ref})
		if res.AgentID != id || res.Kind != agentry.ChatAgent || res.Version != c.version || res.Tag != c.tag ||
			res.Variables["greeting"] != c.greeting || res.Published != c.published || res.Entry != -1 {
			t.Errorf("%s resolved to %+v, want version %d tag %q greeting %q published %v", c.ref, res, c.version, c.tag, c.greeting, c.published)
		}
	}
}

// phoneWith imports a number whose inbound list is the given entries.
func (e *env) phoneWith(tb testing.TB, number string, entries ...string) *agentry.Phone {
	tb.Helper()
	return e.mustImport(tb, number, `,"inbound_agents":[`+joinEntries(entries)+`]`)
}

func joinEntries(entries []string) string {
	out := ""
	for i, s := range entries {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

func testRandomSplit(t *testing.T, open Opener) {
	const n = 100_000
	e := newEnv(t, open)
	a := e.agentWithVersions(t, agentry.VoiceAgent, 2, 1)
	b := e.agentWithVersions(t, agentry.VoiceAgent, 1, 0)
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: a, Name: "prod", Version: n64(0), Variables: map[string]string{"env": "prod"}})
	p := e.phoneWith(t, "+14155550100",
		fmt.Sprintf(`{"agent_id":%q,"agent_version":"prod","weight":0.6}`, a),
		fmt.Sprintf(`{"agent_id":%q,"agent_version":1,"weight":0.3}`, a),
		fmt.Sprintf(`{"agent_id":%q,"weight":0.1}`, b))
	// A seeded source makes the 100,000 picks the same on every run.
	r := rand.New(rand.NewPCG(7, 11))
	svc := &agentry.Service{Store: e.store, Rules: anyConfig{}, Routes: agentry.NewRouteCache(1000), Random: r.Float64}
	got := make([]int, 3)
	for range n {
		res := e.mustResolve(t, svc, agentry.ResolveRequest{PhoneNumber: p.Number, Direction: agentry.Inbound})
		got[res.Entry]++
		switch res.Entry {
		case 0:
			if res.AgentID != a || res.Version != 0 || res.Tag != "prod" || res.Variables["env"] != "prod" || !res.Published {
				t.Fatalf("entry 0 resolved to %+v", res)
			}
		case 1:
			if res.AgentID != a || res.Version != 1 || res.Tag != "" || res.Published {
				t.Fatalf("entry 1 resolved to %+v", res)
			}
		case 2:
			if res.AgentID != b || res.Version != 0 {
				t.Fatalf("entry 2 resolved to %+v", res)
			}
		}
	}
	for i, w := range []float64{0.6, 0.3, 0.1} {
		if share := float64(got[i]) / n; math.Abs(share-w) > 0.01 {
			t.Errorf("entry %d served %.4f of %d resolves, weight %v", i, share, n, w)
		}
	}
	t.Logf("shares over %d resolves: %.4f %.4f %.4f (weights 0.6 0.3 0.1)", n, float64(got[0])/n, float64(got[1])/n, float64(got[2])/n)
}

func testStickySplit(t *testing.T, open Opener) {
	const n = 100_000
	e := newEnv(t, open)
	ids := []string{e.agentWithVersions(t, agentry.VoiceAgent, 1, 0), e.agentWithVersions(t, agentry.VoiceAgent, 1, 0), e.agentWithVersions(t, agentry.VoiceAgent, 1, 0)}
	entries := func(ws ...float64) string {
		var out []string
		for i, w := range ws {
			out = append(out, fmt.Sprintf(`{"agent_id":%q,"weight":%v}`, ids[i], w))
		}
		return `{"inbound_agents":[` + joinEntries(out) + `]}`
	}
	// One service with a cache makes the changes and resolves, as one
	// replica does.
	svc := &agentry.Service{Store: e.store, Rules: anyConfig{}, Routes: agentry.NewRouteCache(1000)}
	update := func(doc string) {
		if _, err := svc.UpdatePhone(e.ctx, e.caller(), "+14155550100", fields(t, doc)); err != nil {
			t.Fatal(err)
		}
	}
	p := e.mustImport(t, "+14155550100", "")
	update(entries(0.5, 0.3, 0.2))
	if _, err := svc.SetRoutingMode(e.ctx, e.caller(), p.Number, agentry.ModeSticky); err != nil {
		t.Fatal(err)
	}
	caller := func(i int) string { return fmt.Sprintf("+1646%07d", i) }
	resolveAll := func() ([]string, []int) {
		out := make([]string, n)
		shares := make([]int, len(ids))
		for i := range n {
			res := e.mustResolve(t, svc, agentry.ResolveRequest{PhoneNumber: p.Number, Direction: agentry.Inbound, From: caller(i), To: p.Number})
			out[i] = res.AgentID
			shares[res.Entry]++
		}
		return out, shares
	}
	first, shares := resolveAll()
	for i, w := range []float64{0.5, 0.3, 0.2} {
		if share := float64(shares[i]) / n; math.Abs(share-w) > 0.01 {
			t.Errorf("entry %d served %.4f of %d callers, weight %v", i, share, n, w)
		}
	}
	// Unchanged weights: nobody moves, even when the list is written again.
	update(entries(0.5, 0.3, 0.2))
	again, _ := resolveAll()
	if !slices.Equal(first, again) {
		t.Fatal("sticky answers changed with the weights unchanged")
	}
	// 0.5/0.3/0.2 → 0.4/0.3/0.3: a tenth of the callers must move, from
	// the first agent to the third, and no one else.
	update(entries(0.4, 0.3, 0.3))
	after, shares := resolveAll()
	moved := 0
	for i := range n {
		if after[i] != first[i] {
			moved++
			if first[i] != ids[0] || after[i] != ids[2] {
				t.Fatalf("caller %d moved from %s to %s; only the first agent shrank and only the third grew", i, first[i], after[i])
			}
		}
	}
	if share := float64(moved) / n; math.Abs(share-0.1) > 0.01 {
		t.Errorf("%.4f of callers moved; the change of weights requires 0.1", share)
	}
	for i, w := range []float64{0.4, 0.3, 0.3} {
		if share := float64(shares[i]) / n; math.Abs(share-w) > 0.01 {
			t.Errorf("after the change, entry %d served %.4f, weight %v", i, share, w)
		}
	}
	t.Logf("sticky: %.4f of %d callers moved for a 0.1 change of shares", float64(moved)/n, n)
	// Back to random: the tables go; sticky again builds them afresh.
	if q, err := svc.SetRoutingMode(e.ctx, e.caller(), p.Number, agentry.ModeRandom); err != nil || q.Buckets != nil {
		t.Errorf("random mode kept tables: %v %v", q.Buckets != nil, err)
	}
}

func testResolveRefused(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.VoiceAgent, 1, 0)
	p := e.phoneWith(t, "+14155550100", fmt.Sprintf(`{"agent_id":%q,"weight":1}`, id))
	cases := []struct {
		name string
		req  agentry.ResolveRequest
		code string
		word string
	}{
		{"missing number", agentry.ResolveRequest{PhoneNumber: "+19995550100", Direction: agentry.Inbound}, agentry.ENOTFOUND, "+19995550100"},
		{"empty list", agentry.ResolveRequest{PhoneNumber: p.Number, Direction: agentry.Outbound}, agentry.EINVALID, "outbound_agents"},
		{"this side differs", agentry.ResolveRequest{PhoneNumber: p.Number, Direction: agentry.Inbound, To: "+15550000000"}, agentry.EINVALID, "to_number"},
		{"missing agent", agentry.ResolveRequest{AgentID: "agent_nope"}, agentry.ENOTFOUND, "agent_nope"},
		{"missing tag", agentry.ResolveRequest{AgentID: id, Version: agentry.VersionRef{Form: agentry.RefTag, Tag: "prod"}}, agentry.ENOTFOUND, "prod"},
		{"nothing published", agentry.ResolveRequest{AgentID: id, Version: refLatPub}, agentry.ENOTFOUND, "no published version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.Resolve(e.ctx, e.caller(), c.req)
			wantCode(t, err, c.code, c.word)
		})
	}
	other := mustWorkspace(t, e.store, "ws-b")
	if _, err := e.svc.Resolve(e.ctx, e.as(other), agentry.ResolveRequest{PhoneNumber: p.Number, Direction: agentry.Inbound}); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("another workspace resolved the number: %v", err)
	}
	if _, err := e.svc.Resolve(e.ctx, e.as(other), agentry.ResolveRequest{AgentID: id}); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("another workspace resolved the agent: %v", err)
	}
	if _, err := e.svc.SetRoutingMode(e.ctx, e.caller(), p.Number, agentry.ModeSticky); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Resolve(e.ctx, e.caller(), agentry.ResolveRequest{PhoneNumber: p.Number, Direction: agentry.Inbound})
	wantCode(t, err, agentry.EINVALID, "from_number")
}

// Two services on one store, each with its own cache, stand for two
// replicas. A write through one is seen by the other once it has read the
// route change log (what WatchDeletions does every 250 ms), and by itself at
// once.
func testCachedSnapshotsFollowChanges(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.VoiceAgent, 2, 0)
	// Room for many snapshots per shard: with 100 entries in all (one per
	// shard), the agent's and the number's snapshots shared a shard in one
	// run in 64, and the second one stored emptied it, so that B read the
	// agent afresh and this test failed for no fault of the code.
	a := &agentry.Service{Store: e.store, Rules: anyConfig{}, Now: e.clock.Now, Routes: agentry.NewRouteCache(10000)}
	b := &agentry.Service{Store: e.store, Rules: anyConfig{}, Now: e.clock.Now, Routes: agentry.NewRouteCache(10000)}
	if _, _, err := a.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(0)}); err != nil {
		t.Fatal(err)
	}
	p := e.phoneWith(t, "+14155550100", fmt.Sprintf(`{"agent_id":%q,"agent_version":"prod","weight":1}`, id))
	resolve := func(svc *agentry.Service) int64 {
		return e.mustResolve(t, svc, agentry.ResolveRequest{PhoneNumber: p.Number, Direction: agentry.Inbound}).Version
	}
	tags := func(svc *agentry.Service, n int64) []string {
		got, err := svc.AssignedTags(e.ctx, e.caller(), id, n)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if resolve(a) != 0 || resolve(b) != 0 || len(tags(b, 0)) != 1 {
		t.Fatal("first resolves")
	}
	since := e.clock.Millis()
	e.clock.Advance(time.Millisecond)
	if _, _, err := a.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(1)}); err != nil {
		t.Fatal(err)
	}
	if got := resolve(a); got != 1 {
		t.Errorf("the replica that moved the tag resolves version %d, want 1 at once", got)
	}
	if got := resolve(b); got != 0 {
		t.Errorf("the other replica resolved %d before reading the log; this test needs it cached", got)
	}
	forgetLogged(t, e, b, since)
	if got := resolve(b); got != 1 || !slices.Equal(tags(b, 1), []string{"prod"}) || len(tags(b, 0)) != 0 {
		t.Errorf("after reading the log the other replica resolves %d with tags %v on 1", got, tags(b, 1))
	}
	// A binding at latest: create-agent-version through A moves it, on B
	// once B has read the log.
	if _, err := a.UpdatePhone(e.ctx, e.caller(), p.Number, fields(t, fmt.Sprintf(`{"inbound_agents":[{"agent_id":%q,"weight":1}]}`, id))); err != nil {
		t.Fatal(err)
	}
	forgetLogged(t, e, b, since)
	if resolve(b) != 1 {
		t.Fatal("binding at latest")
	}
	since = e.clock.Millis()
	if _, err := a.Branch(e.ctx, e.caller(), agentry.BranchRequest{AgentID: id, Base: 0}); err != nil {
		t.Fatal(err)
	}
	if got := resolve(a); got != 2 {
		t.Errorf("after create-agent-version, A resolves %d, want 2", got)
	}
	forgetLogged(t, e, b, since)
	if got := resolve(b); got != 2 {
		t.Errorf("after create-agent-version and the log, B resolves %d, want 2", got)
	}
}

// forgetLogged does what a replica's log reader does: forget what every
// route change and deletion since `since` names.
func forgetLogged(t *testing.T, e *env, svc *agentry.Service, since int64) {
	t.Helper()
	chs, err := svc.RouteChangesSince(e.ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chs {
		svc.Routes.Forget(ch.WorkspaceID, ch.Subject)
	}
}

func testRouteChangeLog(t *testing.T, open Opener) {
	e := newEnv(t, open)
	plain := e.agentWithVersions(t, agentry.VoiceAgent, 1, 0)
	routed := e.agentWithVersions(t, agentry.VoiceAgent, 1, 0)
	logged := func(since int64) []string {
		chs, err := e.svc.RouteChangesSince(e.ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ch := range chs {
			if ch.WorkspaceID != e.ws || ch.ID == "" {
				t.Errorf("entry %+v", ch)
			}
			out = append(out, ch.Subject)
		}
		return out
	}
	start := e.clock.Millis()
	// An agent nothing routes to: its versions change without a log entry.
	e.mustCreateVersion(t, plain, 0)
	e.mustPublish(t, plain, 1)
	if got := logged(start); len(got) != 0 {
		t.Errorf("versions of an unrouted agent were logged: %v", got)
	}
	// (The clock moves between writes, so that the log's order is theirs.)
	e.clock.Advance(time.Millisecond)
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: routed, Name: "prod"})
	e.clock.Advance(time.Millisecond)
	p := e.phoneWith(t, "+14155550100", fmt.Sprintf(`{"agent_id":%q,"weight":1}`, plain))
	e.clock.Advance(time.Millisecond)
	e.mustCreateVersion(t, routed, 0)
	e.clock.Advance(time.Millisecond)
	e.mustPublish(t, plain, 0)
	want := []string{routed, p.Number, plain, routed, plain}
	if got := logged(start); !slices.Equal(got, want) && !slices.Equal(got, []string{routed, plain, p.Number, routed, plain}) {
		t.Errorf("logged %v, want %v (tag, number and its agent, create-agent-version, publish)", got, want)
	}
	e.clock.Advance(agentry.RouteLogRetention + time.Minute)
	e.mustUpdatePhone(t, p.Number, `{"nickname":"x"}`)
	if got := logged(0); !slices.Equal(got, []string{p.Number}) {
		t.Errorf("after an hour the log holds %v, want only the latest entry", got)
	}
}
