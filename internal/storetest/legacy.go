package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// legacyTests cover what retell-sdk 4.x asks: lists of every version of a
// kind's resources, paged by the last item, and the publish that leaves a
// new draft.
var legacyTests = []suiteTest{
	{"ListAllVersions", testListAllVersions},
	{"PublishLatest", testPublishLatest},
}

func testListAllVersions(t *testing.T, open Opener) {
	e := newEnv(t, open)
	// Three voice agents with 1, 3 and 2 versions, a chat agent between them
	// and one in another workspace: the list holds the voice agents'
	// versions only, agent by agent in creation order, versions ascending.
	var want []string
	for i, n := range []int{1, 3, 2} {
		id := e.mustCreateAgent(t, agentry.VoiceAgent, fmt.Sprintf(`{"agent_name":"a%d"}`, i)).ResourceID
		want = append(want, id+"/0")
		for v := 1; v < n; v++ {
			e.mustCreateVersion(t, id, 0)
			want = append(want, fmt.Sprintf("%s/%d", id, v))
		}
		e.clock.Advance(time.Millisecond)
		e.mustCreateAgent(t, agentry.ChatAgent, `{}`)
		e.clock.Advance(time.Millisecond)
	}
	other := mustWorkspace(t, e.store, "ws-b")
	if _, err := e.create(other, agentry.VoiceAgent, fields(t, `{}`)); err != nil {
		t.Fatal(err)
	}
	// list returns the page's items as "id/version", and a key after its
	// last item.
	list := func(after *agentry.VersionKey, limit int) ([]string, *agentry.VersionKey) {
		t.Helper()
		vs, err := e.svc.ListAllVersions(e.ctx, e.caller(), agentry.VoiceAgent, after, limit)
		if err != nil {
			t.Fatalf("ListAllVersions(%+v, %d): %v", after, limit, err)
		}
		var out []string
		for _, v := range vs {
			if v.Kind != agentry.VoiceAgent || len(v.Config) == 0 {
				t.Errorf("item %s/%d: kind %s, config %q", v.ResourceID, v.Number, v.Kind, v.Config)
			}
			out = append(out, fmt.Sprintf("%s/%d", v.ResourceID, v.Number))
		}
		if len(vs) == 0 {
			return out, nil
		}
		last := vs[len(vs)-1]
		return out, &agentry.VersionKey{ResourceID: last.ResourceID, Number: &last.Number}
	}
	if got, _ := list(nil, 0); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("one page:\n got %v\nwant %v", got, want)
	}
	// Pages of 2, each after the last item of the one before.
	var paged []string
	var after *agentry.VersionKey
	for range 10 {
		page, next := list(after, 2)
		paged = append(paged, page...)
		if len(page) < 2 {
			break
		}
		after = next
	}
	if fmt.Sprint(paged) != fmt.Sprint(want) {
		t.Errorf("paged:\n got %v\nwant %v", paged, want)
	}
	// A key without a version starts after every version of that agent.
	first := want[0][:len(want[0])-2]
	if got, _ := list(&agentry.VersionKey{ResourceID: first}, 0); fmt.Sprint(got) != fmt.Sprint(want[1:]) {
		t.Errorf("after agent %s: %v", first, got)
	}
	// A key naming no agent of the workspace is a 400.
	for _, id := range []string{"agent_gone", ""} {
		_, err := e.svc.ListAllVersions(e.ctx, e.caller(), agentry.VoiceAgent, &agentry.VersionKey{ResourceID: id}, 0)
		if agentry.ErrorCode(err) != agentry.EINVALID {
			t.Errorf("key %q: %v, want EINVALID", id, err)
		}
	}
}

func testPublishLatest(t *testing.T, open Opener) {
	e := newEnv(t, open)
	llm := e.mustCreateEngine(t, agentry.RetellLLM, `{}`)
	a := e.mustCreateAgent(t, agentry.VoiceAgent, `{"response_engine":{"type":"retell-llm","llm_id":"`+llm.ResourceID+`"}}`)
	draft, err := e.svc.PublishLatest(e.ctx, e.caller(), agentry.VoiceAgent, a.ResourceID)
	if err != nil {
		t.Fatal(err)
	}
	v0 := e.mustGet(t, a.ResourceID, agentry.VersionRef{Form: agentry.RefNumber, Number: 0})
	if !v0.Published || draft.Number != 1 || draft.Published || draft.BaseVersion == nil || *draft.BaseVersion != 0 {
		t.Errorf("after publish: v0 published %v; new draft %d published %v base %v", v0.Published, draft.Number, draft.Published, draft.BaseVersion)
	}
	// The engine version v0 pins is published with it; the new draft pins a
	// new engine draft.
	if e0 := e.mustGetEngine(t, agentry.RetellLLM, llm.ResourceID, agentry.VersionRef{Form: agentry.RefNumber, Number: *v0.EngineVersion}); !e0.Published {
		t.Errorf("engine version %d not published", *v0.EngineVersion)
	}
	if draft.EngineVersion == nil || *draft.EngineVersion == *v0.EngineVersion {
		t.Errorf("the new draft pins engine version %v, want a new draft of its own", draft.EngineVersion)
	}
	// Again: publishes draft 1, leaves draft 2.
	if d, err := e.svc.PublishLatest(e.ctx, e.caller(), agentry.VoiceAgent, a.ResourceID); err != nil || d.Number != 2 {
		t.Fatalf("second publish: %v, %v", d, err)
	}
	// The latest version already published: refused, nothing changes.
	b := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`)
	e.mustPublish(t, b.ResourceID, 0)
	if _, err := e.svc.PublishLatest(e.ctx, e.caller(), agentry.VoiceAgent, b.ResourceID); agentry.ErrorCode(err) != agentry.EINVALID {
		t.Errorf("latest already published: %v, want EINVALID", err)
	}
	if n := countVersions(t, e.store, e.ws, b.ResourceID); n != 1 {
		t.Errorf("a refused publish left %d versions", n)
	}
	// Another kind's agent, or another workspace's, is not found.
	c := e.mustCreateAgent(t, agentry.ChatAgent, `{}`)
	if _, err := e.svc.PublishLatest(e.ctx, e.caller(), agentry.VoiceAgent, c.ResourceID); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("a chat agent through the voice publish: %v, want ENOTFOUND", err)
	}
	if _, err := e.svc.PublishLatest(e.ctx, e.as(mustWorkspace(t, e.store, "ws-b")), agentry.VoiceAgent, a.ResourceID); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("another workspace's agent: %v, want ENOTFOUND", err)
	}
	if _, err := e.svc.PublishLatest(e.ctx, e.caller(), agentry.ChatAgent, c.ResourceID); err != nil {
		t.Errorf("a chat agent: %v", err)
	}
}
