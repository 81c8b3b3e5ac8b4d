package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// tagTests cover tags (DESIGN §5, §6): moves and their history, If-Match,
// revert, published-only tags, tags as version references, and the rule
// that a version a tag holds cannot be deleted.
var tagTests = []suiteTest{
	{"Lifecycle", testTagLifecycle},
	{"IfMatch", testTagIfMatch},
	{"Revert", testTagRevert},
	{"PublishedOnly", testTagPublishedOnly},
	{"Refused", testTagRefused},
	{"AsVersionReference", testTagAsVersionReference},
	{"HeldVersionNotDeleted", testTagHeldVersionNotDeleted},
	{"PreferredTag", testPreferredTag},
	{"HistoryPages", testTagHistoryPages},
	{"ConcurrentMovesKeepEveryEntry", testConcurrentTagMoves},
	{"ListFilters", testTagListFilters},
}

func n64(n int64) *int64 { return &n }

func (e *env) mustPutTag(tb testing.TB, req agentry.PutTagRequest) (*agentry.Tag, *agentry.TagEntry) {
	tb.Helper()
	t, entry, err := e.svc.PutTag(e.ctx, e.caller(), req)
	if err != nil {
		tb.Fatalf("PutTag(%+v): %v", req, err)
	}
	return t, entry
}

func (e *env) history(tb testing.TB, agentID, name string) []agentry.TagEntry {
	tb.Helper()
	page, err := e.svc.TagHistory(e.ctx, e.caller(), agentID, name, agentry.PageRequest{Limit: agentry.MaxPageLimit, Desc: true})
	if err != nil {
		tb.Fatalf("TagHistory(%s, %s): %v", agentID, name, err)
	}
	return page.Items
}

// agentWithVersions creates an agent with versions 0…n-1, the first
// `published` of them published.
func (e *env) agentWithVersions(tb testing.TB, kind *agentry.Kind, n, published int) string {
	tb.Helper()
	id := e.mustCreateAgent(tb, kind, `{}`).ResourceID
	for i := 1; i < n; i++ {
		e.mustCreateVersion(tb, id, 0)
	}
	for i := range published {
		e.mustPublish(tb, id, int64(i))
	}
	return id
}

func wantState(tb testing.TB, what string, got agentry.TagState, exists bool, version *int64, vars map[string]string) {
	tb.Helper()
	if got.Exists != exists || !reflect.DeepEqual(got.Version, version) || exists && !reflect.DeepEqual(got.Variables, vars) {
		tb.Errorf("%s = %+v (version %v), want exists %v version %v variables %v", what, got, show(got.Version), exists, show(version), vars)
	}
}

func testTagLifecycle(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.VoiceAgent, 3, 1)
	created := e.clock.Advance(time.Second)
	tag, entry := e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(0),
		Variables: map[string]string{"region": "eu"}, Reason: ptr("first release")})
	want := &agentry.Tag{WorkspaceID: e.ws, AgentID: id, Name: "prod", Version: n64(0), Variables: map[string]string{"region": "eu"},
		Seq: 1, AssignedAt: created, AssignedOrder: 1, CreatedAt: created, ModifiedAt: created}
	if !reflect.DeepEqual(tag, want) {
		t.Errorf("created tag = %+v, want %+v", tag, want)
	}
	if entry.Seq != 1 || entry.Action != agentry.TagCreated || entry.Actor.KeyPrefix != "key_0000test" || entry.Actor.Label != "storetest" ||
		*entry.Reason != "first release" || entry.At != created {
		t.Errorf("first entry = %+v", entry)
	}
	moved := e.clock.Advance(time.Second)
	tag, _ = e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(2)})
	if *tag.Version != 2 || tag.Seq != 2 || tag.AssignedAt != moved || tag.CreatedAt != created || tag.Variables["region"] != "eu" {
		t.Errorf("moved tag = %+v: want version 2, seq 2, assigned now, variables kept", tag)
	}
	// The same state again records nothing.
	if again, entry := e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(2)}); entry != nil || again.Seq != 2 {
		t.Errorf("a PUT that changes nothing recorded %+v (seq %d)", entry, again.Seq)
	}
	e.clock.Advance(time.Second)
	tag, _ = e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: nil, Variables: map[string]string{}})
	if tag.Version != nil || tag.AssignedAt != 0 || len(tag.Variables) != 0 || tag.Seq != 3 {
		t.Errorf("unassigned tag = %+v", tag)
	}
	got, err := e.svc.GetTag(e.ctx, e.caller(), id, "prod")
	if err != nil || !reflect.DeepEqual(got, tag) {
		t.Errorf("GetTag = %+v, %v; want %+v", got, err, tag)
	}
	if _, err := e.svc.DeleteTag(e.ctx, e.caller(), agentry.DeleteTagRequest{AgentID: id, Name: "prod", Reason: ptr("retired")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetTag(e.ctx, e.caller(), id, "prod"); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("GetTag after delete: %v", err)
	}
	h := e.history(t, id, "prod")
	if len(h) != 4 {
		t.Fatalf("history has %d entries, want 4: %+v", len(h), h)
	}
	for i, want := range []struct {
		action        string
		before, after *int64
	}{
		{agentry.TagDeleted, nil, nil}, {agentry.TagMoved, n64(2), nil}, {agentry.TagMoved, n64(0), n64(2)}, {agentry.TagCreated, nil, n64(0)},
	} {
		if h[i].Seq != int64(4-i) || h[i].Action != want.action || !reflect.DeepEqual(h[i].Before.Version, want.before) || !reflect.DeepEqual(h[i].After.Version, want.after) {
			t.Errorf("entry %d = %+v, want %s from %v to %v", h[i].Seq, h[i], want.action, show(want.before), show(want.after))
		}
	}
	wantState(t, "delete entry's after", h[0].After, false, nil, nil)
	wantState(t, "create entry's before", h[3].Before, false, nil, nil)
	wantState(t, "create entry's after", h[3].After, true, n64(0), map[string]string{"region": "eu"})
	// A tag created again goes on with the same history.
	tag, _ = e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(1)})
	if tag.Seq != 5 {
		t.Errorf("re-created tag has seq %d, want 5", tag.Seq)
	}
	tags, err := e.svc.Tags(e.ctx, e.caller(), id)
	if err != nil || len(tags) != 1 || tags[0].Name != "prod" {
		t.Errorf("Tags = %+v, %v", tags, err)
	}
	// Chat agents have tags too.
	chat := e.agentWithVersions(t, agentry.ChatAgent, 2, 0)
	if ct, _ := e.mustPutTag(t, agentry.PutTagRequest{AgentID: chat, Name: "staging", Version: n64(1)}); *ct.Version != 1 {
		t.Errorf("chat agent tag = %+v", ct)
	}
}

func testTagIfMatch(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.VoiceAgent, 3, 0)
	_, _, err := e.svc.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(0), IfMatch: "*"})
	wantCode(t, err, agentry.EPRECONDITION, "does not exist")
	tag, _ := e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(0)})
	old := agentry.TagETag(tag)
	moved, _, err := e.svc.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(1), IfMatch: old})
	if err != nil {
		t.Fatalf("move with the current ETag: %v", err)
	}
	_, _, err = e.svc.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(2), IfMatch: old})
	wantCode(t, err, agentry.EPRECONDITION, "has changed", agentry.TagETag(moved))
	_, err = e.svc.DeleteTag(e.ctx, e.caller(), agentry.DeleteTagRequest{AgentID: id, Name: "prod", IfMatch: old})
	wantCode(t, err, agentry.EPRECONDITION)
	_, _, err = e.svc.RevertTag(e.ctx, e.caller(), agentry.RevertTagRequest{AgentID: id, Name: "prod", Seq: 2, IfMatch: old})
	wantCode(t, err, agentry.EPRECONDITION)
	if got, _ := e.svc.GetTag(e.ctx, e.caller(), id, "prod"); *got.Version != 1 || got.Seq != 2 || len(e.history(t, id, "prod")) != 2 {
		t.Errorf("refused requests changed the tag: %+v", got)
	}
	if _, _, err := e.svc.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(2), IfMatch: "W/" + agentry.TagETag(moved)}); err != nil {
		t.Errorf("weak form of the current ETag: %v", err)
	}
}

func testTagRevert(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.VoiceAgent, 4, 0)
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(0), Variables: map[string]string{"v": "a"}})
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(1), Variables: map[string]string{"v": "b"}})
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(2)})
	before := e.history(t, id, "prod")
	tag, entry, err := e.svc.RevertTag(e.ctx, e.caller(), agentry.RevertTagRequest{AgentID: id, Name: "prod", Seq: 2, Reason: ptr("bad deploy")})
	if err != nil {
		t.Fatal(err)
	}
	if *tag.Version != 0 || tag.Variables["v"] != "a" || tag.Seq != 4 {
		t.Errorf("reverted tag = %+v, want the state before entry 2: version 0, v=a, seq 4", tag)
	}
	if entry.Action != agentry.TagReverted || *entry.RevertOf != 2 || *entry.Reason != "bad deploy" {
		t.Errorf("revert entry = %+v", entry)
	}
	wantState(t, "revert entry's before", entry.Before, true, n64(2), map[string]string{"v": "b"})
	after := e.history(t, id, "prod")
	if len(after) != 4 || !reflect.DeepEqual(after[1:], before) {
		t.Errorf("revert rewrote history:\nbefore %+v\nafter  %+v", before, after[1:])
	}
	_, _, err = e.svc.RevertTag(e.ctx, e.caller(), agentry.RevertTagRequest{AgentID: id, Name: "prod", Seq: 1})
	wantCode(t, err, agentry.EINVALID, "created")
	_, _, err = e.svc.RevertTag(e.ctx, e.caller(), agentry.RevertTagRequest{AgentID: id, Name: "prod", Seq: 9})
	wantCode(t, err, agentry.ENOTFOUND, "no history entry 9")
	// The state to return to names a version deleted since: 422.
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(3)})
	e.mustDeleteVersion(t, id, 1)
	_, _, err = e.svc.RevertTag(e.ctx, e.caller(), agentry.RevertTagRequest{AgentID: id, Name: "prod", Seq: 3})
	wantCode(t, err, agentry.EUNPROCESSABLE, "no version 1")
	// Reverting a delete brings the tag back.
	if _, err := e.svc.DeleteTag(e.ctx, e.caller(), agentry.DeleteTagRequest{AgentID: id, Name: "prod"}); err != nil {
		t.Fatal(err)
	}
	tag, _, err = e.svc.RevertTag(e.ctx, e.caller(), agentry.RevertTagRequest{AgentID: id, Name: "prod", Seq: 6})
	if err != nil || *tag.Version != 3 {
		t.Errorf("revert of the delete: %+v, %v; want the tag back on version 3", tag, err)
	}
}

func testTagPublishedOnly(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.VoiceAgent, 2, 1) // 0 published, 1 draft
	yes, no := true, false
	_, _, err := e.svc.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(1), PublishedOnly: &yes})
	wantCode(t, err, agentry.EINVALID, "published_only", "draft")
	tag, _ := e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(0), PublishedOnly: &yes})
	if !tag.PublishedOnly {
		t.Fatal("flag not set")
	}
	// The flag stays when a move does not mention it.
	_, _, err = e.svc.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(1)})
	wantCode(t, err, agentry.EINVALID, "published_only")
	e.mustPublish(t, id, 1)
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(1)})
	// Setting the flag on a tag that holds a draft is refused too.
	e.mustCreateVersion(t, id, 0)
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "dev", Version: n64(2)})
	_, _, err = e.svc.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: id, Name: "dev", Version: n64(2), PublishedOnly: &yes})
	wantCode(t, err, agentry.EINVALID, "draft")
	if tag, _ := e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(1), PublishedOnly: &no}); tag.PublishedOnly {
		t.Error("flag not cleared")
	}
}

func testTagRefused(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.VoiceAgent, 1, 0)
	other := mustWorkspace(t, e.store, "ws-b")
	cases := []struct {
		name string
		c    agentry.Caller
		req  agentry.PutTagRequest
		code string
		word string
	}{
		{"missing version", e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(5)}, agentry.EUNPROCESSABLE, "no version 5"},
		{"reserved name", e.caller(), agentry.PutTagRequest{AgentID: id, Name: "latest", Version: n64(0)}, agentry.EINVALID, "not a tag name"},
		{"v-number name", e.caller(), agentry.PutTagRequest{AgentID: id, Name: "v2", Version: n64(0)}, agentry.EINVALID, "not a tag name"},
		{"upper case", e.caller(), agentry.PutTagRequest{AgentID: id, Name: "Prod", Version: n64(0)}, agentry.EINVALID, "not a tag name"},
		{"too long", e.caller(), agentry.PutTagRequest{AgentID: id, Name: "a23456789012345678901", Version: n64(0)}, agentry.EINVALID, "not a tag name"},
		{"empty variable name", e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod", Variables: map[string]string{"": "x"}}, agentry.EINVALID, "dynamic_variables"},
		{"missing agent", e.caller(), agentry.PutTagRequest{AgentID: "agent_nope", Name: "prod"}, agentry.ENOTFOUND, "agent_nope"},
		{"other workspace", e.as(other), agentry.PutTagRequest{AgentID: id, Name: "prod"}, agentry.ENOTFOUND, id},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := e.svc.PutTag(e.ctx, c.c, c.req)
			wantCode(t, err, c.code, c.word)
		})
	}
	if tags, _ := e.svc.Tags(e.ctx, e.caller(), id); len(tags) != 0 {
		t.Errorf("refused requests left tags: %+v", tags)
	}
	engine, err := e.create(e.ws, agentry.RetellLLM, agentry.Fields{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = e.svc.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: engine.ResourceID, Name: "prod", Version: n64(0)})
	wantCode(t, err, agentry.ENOTFOUND)
	if _, err := e.svc.TagHistory(e.ctx, e.caller(), id, "never", agentry.PageRequest{}); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("history of a tag that never existed: %v", err)
	}
	if _, err := e.svc.DeleteTag(e.ctx, e.caller(), agentry.DeleteTagRequest{AgentID: id, Name: "never"}); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("delete of a tag that never existed: %v", err)
	}
}

func testTagAsVersionReference(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.VoiceAgent, 3, 0)
	tag := agentry.VersionRef{Form: agentry.RefTag, Tag: "prod"}
	if _, err := e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: agentry.AnyAgent, ID: id, Version: tag}); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("get by a tag that does not exist: %v, want ENOTFOUND", err)
	}
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod"})
	if v := e.mustGet(t, id, tag); v.Number != 2 {
		t.Errorf("an unassigned tag named version %d, want the latest, 2", v.Number)
	}
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(1)})
	if v := e.mustGet(t, id, tag); v.Number != 1 {
		t.Errorf("tag prod named version %d, want 1", v.Number)
	}
	v := e.mustUpdateVersion(t, id, tag, `{"agent_name":"through the tag"}`)
	if v.Number != 1 || config(t, e.mustGet(t, id, num(1)).Config)["agent_name"] != "through the tag" {
		t.Errorf("update through tag prod changed version %d", v.Number)
	}
	e.mustPublish(t, id, 1)
	_, err := e.update(e.ws, agentry.AnyAgent, id, tag, fields(t, `{"agent_name":"x"}`), "")
	wantCode(t, err, agentry.EINVALID, "published")
}

func testTagHeldVersionNotDeleted(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.VoiceAgent, 3, 0)
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(1)})
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "canary", Version: n64(1)})
	err := e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: id, Version: 1})
	wantCode(t, err, agentry.EINVALID, `tag "prod"`, `tag "canary"`)
	if countVersions(t, e.store, e.ws, id) != 3 {
		t.Fatal("the refused delete deleted")
	}
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(2)})
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "canary"})
	e.mustDeleteVersion(t, id, 1)
	// Deleting the agent takes its tags, and their history, with it.
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: id}); err != nil {
		t.Fatal(err)
	}
	mustView(t, e.store, func(tx agentry.Tx) error {
		tags, err := tx.ListTags(e.ws, id)
		seq, err2 := tx.LastTagSeq(e.ws, id, "prod")
		if err != nil || err2 != nil || len(tags) != 0 || seq != 0 {
			t.Errorf("after delete-agent: tags %+v, history up to %d (%v, %v)", tags, seq, err, err2)
		}
		return nil
	})
}

func testPreferredTag(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.VoiceAgent, 2, 0)
	// Three assignments in the same millisecond still have an order.
	for _, name := range []string{"a", "b", "c"} {
		e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: name, Version: n64(1)})
	}
	tags, err := e.svc.AssignedTags(e.ctx, e.caller(), id, 1)
	if err != nil || !slices.Equal(tags, []string{"c", "b", "a"}) {
		t.Errorf("assigned tags = %v, %v; want [c b a], most recently assigned first", tags, err)
	}
	// Changing only variables is not an assignment; moving away and back is.
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "a", Version: n64(1), Variables: map[string]string{"x": "y"}})
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "b", Version: n64(0)})
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "b", Version: n64(1)})
	if tags, _ := e.svc.AssignedTags(e.ctx, e.caller(), id, 1); !slices.Equal(tags, []string{"b", "c", "a"}) {
		t.Errorf("assigned tags = %v, want [b c a]", tags)
	}
	if tags, _ := e.svc.AssignedTags(e.ctx, e.caller(), id, 0); len(tags) != 0 {
		t.Errorf("version 0 shows tags %v", tags)
	}
	res, err := e.svc.Resolve(e.ctx, e.caller(), agentry.ResolveRequest{AgentID: id, Version: num(1)})
	if err != nil || res.Tag != "b" || res.Version != 1 {
		t.Errorf("resolve of version 1: %+v, %v; want tag b", res, err)
	}
}

func testTagHistoryPages(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.VoiceAgent, 1, 0)
	for i := range 5 {
		e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Variables: map[string]string{"i": fmt.Sprint(i)}})
	}
	for _, desc := range []bool{true, false} {
		var seqs []int64
		p := agentry.PageRequest{Limit: 2, Desc: desc}
		for {
			page, err := e.svc.TagHistory(e.ctx, e.caller(), id, "prod", p)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				seqs = append(seqs, it.Seq)
			}
			if !page.HasMore {
				break
			}
			p.Key = page.NextKey
		}
		want := []int64{1, 2, 3, 4, 5}
		if desc {
			want = reversed(want)
		}
		if !slices.Equal(seqs, want) {
			t.Errorf("desc %v: pages gave %v, want %v", desc, seqs, want)
		}
	}
	page, _ := e.svc.TagHistory(e.ctx, e.caller(), id, "prod", agentry.PageRequest{Limit: 2, Desc: true})
	if _, err := e.svc.TagHistory(e.ctx, e.caller(), id, "prod", agentry.PageRequest{Limit: 2, Key: page.NextKey}); agentry.ErrorCode(err) != agentry.EINVALID {
		t.Errorf("a descending key used ascending: %v", err)
	}
}

// Concurrent moves of one tag all land, each as its own entry, and the
// entries chain: each one's before is the previous one's after.
func testConcurrentTagMoves(t *testing.T, open Opener) {
	const n = 30
	e := newEnv(t, open)
	id := e.agentWithVersions(t, agentry.VoiceAgent, 3, 0)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, _, errs[i] = e.svc.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod",
				Version: n64(int64(i % 3)), Variables: map[string]string{"mover": fmt.Sprint(i)}})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("move %d: %v", i, err)
		}
	}
	h := reversed(e.history(t, id, "prod"))
	if len(h) != n {
		t.Fatalf("%d history entries for %d moves", len(h), n)
	}
	movers := map[string]bool{}
	for i, entry := range h {
		if entry.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, entry.Seq)
		}
		if i > 0 && !reflect.DeepEqual(entry.Before, h[i-1].After) {
			t.Fatalf("entry %d's before %+v is not entry %d's after %+v", entry.Seq, entry.Before, h[i-1].Seq, h[i-1].After)
		}
		movers[entry.After.Variables["mover"]] = true
	}
	if len(movers) != n {
		t.Errorf("%d distinct movers in the history, want %d", len(movers), n)
	}
	tag, _ := e.svc.GetTag(e.ctx, e.caller(), id, "prod")
	if last := h[n-1].After; tag.Seq != n || !reflect.DeepEqual(tag.Version, last.Version) || tag.Variables["mover"] != last.Variables["mover"] {
		t.Errorf("the tag %+v is not the last entry's after %+v", tag, last)
	}
}

func testTagListFilters(t *testing.T, open Opener) {
	e := newEnv(t, open)
	plain := e.agentWithVersions(t, agentry.VoiceAgent, 2, 0)
	published := e.agentWithVersions(t, agentry.VoiceAgent, 3, 2)
	tagged := e.agentWithVersions(t, agentry.ChatAgent, 2, 1)
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: tagged, Name: "prod", Version: n64(1)})
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: published, Name: "prod"}) // unassigned: not "holding" prod
	list := func(f agentry.AgentFilter) []string {
		page, err := e.svc.ListAgents(e.ctx, e.caller(), f, agentry.PageRequest{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		got := ids(page.Items)
		slices.Sort(got) // created in the same millisecond: listed by id
		return got
	}
	want := []string{published, tagged}
	slices.Sort(want)
	if got := list(agentry.AgentFilter{PublishedOnly: true}); !slices.Equal(got, want) {
		t.Errorf("published only: %v, want [%s %s]", got, published, tagged)
	}
	if got := list(agentry.AgentFilter{Tag: "prod"}); !slices.Equal(got, []string{tagged}) {
		t.Errorf("tag prod: %v, want [%s]", got, tagged)
	}
	if got := list(agentry.AgentFilter{Tag: "prod", PublishedOnly: true, Kind: agentry.VoiceAgent}); len(got) != 0 {
		t.Errorf("both filters and voice: %v, want none", got)
	}
	_ = plain
	versions := func(id string, f agentry.VersionFilter) []int64 {
		page, err := e.svc.ListVersionsWhere(e.ctx, e.caller(), id, f, agentry.PageRequest{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return numbers(page.Items)
	}
	if got := versions(published, agentry.VersionFilter{PublishedOnly: true}); !slices.Equal(got, []int64{0, 1}) {
		t.Errorf("published versions: %v, want [0 1]", got)
	}
	if got := versions(tagged, agentry.VersionFilter{Tag: "prod"}); !slices.Equal(got, []int64{1}) {
		t.Errorf("versions holding prod: %v, want [1]", got)
	}
	if got := versions(published, agentry.VersionFilter{Tag: "prod"}); len(got) != 0 {
		t.Errorf("versions holding an unassigned tag: %v", got)
	}
	if got := versions(tagged, agentry.VersionFilter{Tag: "prod", PublishedOnly: true}); len(got) != 0 {
		t.Errorf("published versions holding prod (a draft): %v", got)
	}
}
