package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

var componentTests = []suiteTest{
	{"ComponentCreateGetUpdate", testComponentCreateGetUpdate},
	{"ComponentList", testComponentList},
	{"ComponentWorkspaces", testComponentWorkspaces},
	{"ComponentLinkedFlows", testComponentLinkedFlows},
	{"PublishedFlowKeepsItsComponents", testPublishedFlowKeepsComponents},
	{"BranchAfterComponentDeleted", testBranchAfterComponentDeleted},
	{"NestedComponents", testNestedComponents},
	{"ConcurrentComponentLinkAndDelete", testConcurrentComponentLinkAndDelete},
}

func (e *env) mustCreateComponent(tb testing.TB, doc string) *agentry.Component {
	tb.Helper()
	c, err := e.svc.CreateComponent(e.ctx, e.caller(), fields(tb, doc))
	if err != nil {
		tb.Fatalf("CreateComponent: %v", err)
	}
	return c
}

func (e *env) mustGetComponent(tb testing.TB, id string) *agentry.Component {
	tb.Helper()
	c, err := e.svc.GetComponent(e.ctx, e.caller(), id)
	if err != nil {
		tb.Fatalf("GetComponent(%s): %v", id, err)
	}
	return c
}

// component is a component whose one node says text.
func component(name, text string) string {
	return fmt.Sprintf(`{"name":%q,"start_node_id":"ask","nodes":[{"id":"ask","type":"conversation","instruction":{"type":"prompt","text":%q}}]}`, name, text)
}

// sharedFlow is a flow whose start node uses shared component id.
func sharedFlow(id string) string {
	return fmt.Sprintf(`{"start_node_id":"c","nodes":[{"id":"c","type":"component","component_type":"shared","component_id":%q,`+
		`"else_edge":{"id":"e","destination_node_id":"end"}},{"id":"end","type":"end"}]}`, id)
}

// componentText is the instruction text of a component's first node.
func componentText(tb testing.TB, config json.RawMessage) string {
	tb.Helper()
	var c struct {
		Nodes []struct {
			Instruction struct{ Text string } `json:"instruction"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal(config, &c); err != nil || len(c.Nodes) == 0 {
		tb.Fatalf("component config %s: %v", config, err)
	}
	return c.Nodes[0].Instruction.Text
}

func testComponentCreateGetUpdate(t *testing.T, open Opener) {
	e := newEnv(t, open)
	c := e.mustCreateComponent(t, `{"name":"Collect","flex_mode":true,"nodes":[{"id":"a","type":"end"}]}`)
	if !strings.HasPrefix(c.ID, agentry.ComponentIDPrefix) || c.CreatedAt != e.clock.Millis() || len(c.LinkedFlowIDs) != 0 || c.LinkedFlowIDs == nil {
		t.Fatalf("created %+v", c)
	}
	got := e.mustGetComponent(t, c.ID)
	wantConfig(t, got.Config, `{"name":"Collect","flex_mode":true,"nodes":[{"id":"a","type":"end"}]}`)
	etag := agentry.ComponentETag(got)
	at := e.clock.Advance(time.Second)
	up, err := e.svc.UpdateComponent(e.ctx, e.caller(), agentry.UpdateComponentRequest{ID: c.ID,
		Patch: fields(t, `{"flex_mode":null,"name":"Collect details"}`), IfMatch: etag})
	if err != nil {
		t.Fatal(err)
	}
	wantConfig(t, up.Config, `{"name":"Collect details","nodes":[{"id":"a","type":"end"}]}`)
	if up.ModifiedAt != at || up.Revision != got.Revision+1 || agentry.ComponentETag(up) == etag {
		t.Errorf("after update: modified %d revision %d etag %s", up.ModifiedAt, up.Revision, agentry.ComponentETag(up))
	}
	// The old ETag no longer matches: 412, and nothing changes.
	_, err = e.svc.UpdateComponent(e.ctx, e.caller(), agentry.UpdateComponentRequest{ID: c.ID, Patch: fields(t, `{"name":"lost"}`), IfMatch: etag})
	wantCode(t, err, agentry.EPRECONDITION, etag)
	wantConfig(t, e.mustGetComponent(t, c.ID).Config, `{"name":"Collect details","nodes":[{"id":"a","type":"end"}]}`)
	_, err = e.svc.UpdateComponent(e.ctx, e.caller(), agentry.UpdateComponentRequest{ID: "component_missing", Patch: fields(t, `{}`)})
	wantCode(t, err, agentry.ENOTFOUND, "component_missing")
	// A component cannot name one that does not exist (404 on this endpoint).
	_, err = e.svc.CreateComponent(e.ctx, e.caller(), fields(t, sharedFlow("component_gone")))
	wantCode(t, err, agentry.ENOTFOUND, "nodes[0].component_id", "component_gone")
}

func testComponentList(t *testing.T, open Opener) {
	e := newEnv(t, open)
	var ids []string
	for i := range 7 {
		ids = append(ids, e.mustCreateComponent(t, component(fmt.Sprint("c", i), "x")).ID)
		e.clock.Advance(time.Millisecond)
	}
	for _, desc := range []bool{false, true} {
		var seen []string
		key := ""
		for pages := 0; ; pages++ {
			page, err := e.svc.ListComponents(e.ctx, e.caller(), agentry.PageRequest{Limit: 3, Desc: desc, Key: key})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page.Items {
				seen = append(seen, c.ID)
				if c.LinkedFlowIDs == nil {
					t.Errorf("listed component %s has no linked flows list", c.ID)
				}
			}
			if pages == 0 && !desc {
				// Added while paging: appears at the end, shifts nothing.
				ids = append(ids, e.mustCreateComponent(t, component("late", "x")).ID)
			}
			if !page.HasMore {
				break
			}
			key = page.NextKey
		}
		want := slices.Clone(ids)
		if desc {
			slices.Reverse(want)
		}
		if !equalStrings(seen, want) {
			t.Errorf("desc=%v: paged %v, want %v", desc, seen, want)
		}
	}
	_, err := e.svc.ListComponents(e.ctx, e.caller(), agentry.PageRequest{Limit: 3, Key: "bm90IGEga2V5"})
	wantCode(t, err, agentry.EINVALID, "pagination_key")
}

func testComponentWorkspaces(t *testing.T, open Opener) {
	e := newEnv(t, open)
	other := e.as(mustWorkspace(t, e.store, "ws-b"))
	c := e.mustCreateComponent(t, component("mine", "x"))
	_, err := e.svc.GetComponent(e.ctx, other, c.ID)
	wantCode(t, err, agentry.ENOTFOUND, c.ID)
	_, err = e.svc.UpdateComponent(e.ctx, other, agentry.UpdateComponentRequest{ID: c.ID, Patch: fields(t, `{"name":"theirs"}`)})
	wantCode(t, err, agentry.ENOTFOUND, c.ID)
	wantCode(t, e.svc.DeleteComponent(e.ctx, other, c.ID), agentry.ENOTFOUND, c.ID)
	page, err := e.svc.ListComponents(e.ctx, other, agentry.PageRequest{})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("workspace B lists %v, %v", page, err)
	}
	_, err = e.create(other.Workspace, agentry.ConversationFlow, fields(t, sharedFlow(c.ID)))
	wantCode(t, err, agentry.EUNPROCESSABLE, "nodes[0].component_id", c.ID)
	if got := e.mustGetComponent(t, c.ID); componentText(t, got.Config) != "x" {
		t.Errorf("A's component changed: %s", got.Config)
	}
}

// testComponentLinkedFlows: linked_conversation_flow_ids lists the flows
// with a draft version that uses the component, and follows every write.
func testComponentLinkedFlows(t *testing.T, open Opener) {
	e := newEnv(t, open)
	c := e.mustCreateComponent(t, component("c", "x")).ID
	k := engineKinds[1]
	_, err := e.create(e.ws, agentry.ConversationFlow, fields(t, sharedFlow("component_nope")))
	wantCode(t, err, agentry.EUNPROCESSABLE, "nodes[0].component_id")
	f1 := e.mustCreateEngine(t, agentry.ConversationFlow, sharedFlow(c)).ResourceID
	f2 := e.mustCreateEngine(t, agentry.ConversationFlow, k.config).ResourceID
	linked := func() []string { return e.mustGetComponent(t, c).LinkedFlowIDs }
	if got := linked(); !equalStrings(got, []string{f1}) {
		t.Fatalf("linked = %v, want [%s]", got, f1)
	}
	e.mustUpdateEngine(t, agentry.ConversationFlow, f2, refNone, `{"nodes":`+nodesOf(sharedFlow(c))+`}`)
	want := []string{f1, f2}
	slices.Sort(want)
	if got := linked(); !equalStrings(got, want) {
		t.Fatalf("after f2 uses it: linked = %v, want %v", got, want)
	}
	e.mustUpdateEngine(t, agentry.ConversationFlow, f1, refNone, `{"nodes":[{"id":"end","type":"end"}],"start_node_id":null}`)
	if got := linked(); !equalStrings(got, []string{f2}) {
		t.Fatalf("after f1 stops using it: linked = %v, want [%s]", got, f2)
	}
	// A flow whose only version is published is not linked: edits no longer
	// reach it. A new draft of it is.
	agent := e.mustAgentOn(t, agentry.VoiceAgent, k.ref(f2)).ResourceID
	e.mustPublish(t, agent, 0)
	if got := linked(); len(got) != 0 {
		t.Fatalf("with f2 published: linked = %v, want none", got)
	}
	e.mustCreateVersion(t, agent, 0)
	if got := linked(); !equalStrings(got, []string{f2}) {
		t.Fatalf("with a new draft of f2: linked = %v, want [%s]", got, f2)
	}
}

// nodesOf is the nodes array of a flow document.
func nodesOf(doc string) string {
	var f struct{ Nodes json.RawMessage }
	_ = json.Unmarshal([]byte(doc), &f)
	return string(f.Nodes)
}

// testPublishedFlowKeepsComponents: editing or deleting a shared component
// never changes what a published flow version serves; deleting it copies it
// into the drafts that use it, and only into them.
func testPublishedFlowKeepsComponents(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[1]
	c := e.mustCreateComponent(t, component("greet", "version one")).ID
	flow := e.mustCreateEngine(t, agentry.ConversationFlow, sharedFlow(c)).ResourceID
	agent := e.mustAgentOn(t, agentry.VoiceAgent, k.ref(flow)).ResourceID
	e.mustPublish(t, agent, 0)
	e.mustCreateVersion(t, agent, 0) // flow draft 1
	published := mustVersionRow(t, e.store, e.ws, flow, 0)
	serves := func(n int64) string {
		fc, err := e.svc.FlowComponents(e.ctx, e.caller(), agentry.Address{Kind: agentry.ConversationFlow, ID: flow, Version: num(n)})
		if err != nil {
			t.Fatal(err)
		}
		if len(fc.Components) != 1 || fc.Components[0].ID != c {
			t.Fatalf("flow version %d serves %+v", n, fc.Components)
		}
		return componentText(t, fc.Components[0].Config)
	}
	if serves(0) != "version one" || serves(1) != "version one" {
		t.Fatal("before any edit both versions serve the component as created")
	}
	e.clock.Advance(time.Second)
	if _, err := e.svc.UpdateComponent(e.ctx, e.caller(), agentry.UpdateComponentRequest{ID: c,
		Patch: fields(t, `{"nodes":[{"id":"ask","type":"conversation","instruction":{"type":"prompt","text":"version two"}}]}`)}); err != nil {
		t.Fatal(err)
	}
	if got := serves(0); got != "version one" {
		t.Errorf("published version serves %q after the edit, want the component as published", got)
	}
	if got := serves(1); got != "version two" {
		t.Errorf("draft serves %q after the edit, want the edit", got)
	}
	e.clock.Advance(time.Second)
	if err := e.svc.DeleteComponent(e.ctx, e.caller(), c); err != nil {
		t.Fatal(err)
	}
	after := mustVersionRow(t, e.store, e.ws, flow, 0)
	if string(after.Config) != string(published.Config) || after.Revision != published.Revision || after.ModifiedAt != published.ModifiedAt {
		t.Errorf("deleting the component changed the published version:\n%s\n%s", published.Config, after.Config)
	}
	if got := serves(0); got != "version one" {
		t.Errorf("published version serves %q after the deletion", got)
	}
	draft := mustVersionRow(t, e.store, e.ws, flow, 1)
	var cfg struct {
		Nodes      []map[string]any `json:"nodes"`
		Components []map[string]any `json:"components"`
	}
	if err := json.Unmarshal(draft.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Nodes[0]["component_type"] != "local" || cfg.Nodes[0]["component_id"] != c || len(cfg.Components) != 1 ||
		cfg.Components[0]["component_id"] != c || cfg.Components[0]["name"] != "greet" {
		t.Fatalf("draft after deletion: %s, want the node on a local copy of the component", draft.Config)
	}
	if draft.ModifiedAt != e.clock.Millis() {
		t.Errorf("draft modified at %d, want the deletion's time", draft.ModifiedAt)
	}
	b, _ := json.Marshal(cfg.Components[0]["nodes"])
	if !strings.Contains(string(b), "version two") {
		t.Errorf("the local copy is not the component as deleted: %s", b)
	}
	_, err := e.svc.GetComponent(e.ctx, e.caller(), c)
	wantCode(t, err, agentry.ENOTFOUND, c)
	// The draft no longer links the deleted component.
	var links []agentry.Link
	mustView(t, e.store, func(tx agentry.Tx) (err error) { links, err = tx.VersionLinks(e.ws, flow, 1); return err })
	for _, l := range links {
		if l.Kind == agentry.LinkComponent {
			t.Errorf("draft still links %+v", l)
		}
	}
}

// testBranchAfterComponentDeleted: a draft branched from a published flow
// version whose component was deleted since gets the component as the
// version kept it, as a local component.
func testBranchAfterComponentDeleted(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[1]
	c := e.mustCreateComponent(t, component("greet", "kept")).ID
	flow := e.mustCreateEngine(t, agentry.ConversationFlow, sharedFlow(c)).ResourceID
	agent := e.mustAgentOn(t, agentry.VoiceAgent, k.ref(flow)).ResourceID
	e.mustPublish(t, agent, 0)
	if err := e.svc.DeleteComponent(e.ctx, e.caller(), c); err != nil {
		t.Fatal(err)
	}
	v := e.mustCreateVersion(t, agent, 0)
	draft := mustVersionRow(t, e.store, e.ws, flow, *v.EngineVersion)
	if !strings.Contains(string(draft.Config), `"component_type":"local"`) || !strings.Contains(string(draft.Config), `"kept"`) {
		t.Fatalf("branched draft %s, want the deleted component as a local copy", draft.Config)
	}
	var links []agentry.Link
	mustView(t, e.store, func(tx agentry.Tx) (err error) { links, err = tx.VersionLinks(e.ws, flow, draft.Number); return err })
	if slices.ContainsFunc(links, func(l agentry.Link) bool { return l.Kind == agentry.LinkComponent }) {
		t.Errorf("branched draft links %v", links)
	}
}

// testNestedComponents: components can use components; one in use by
// another cannot be deleted, none may contain itself, and a published flow
// keeps the whole tree.
func testNestedComponents(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[1]
	inner := e.mustCreateComponent(t, component("inner", "inner one")).ID
	outer := e.mustCreateComponent(t, sharedFlow(inner)[:len(sharedFlow(inner))-1]+`,"name":"outer"}`).ID
	err := e.svc.DeleteComponent(e.ctx, e.caller(), inner)
	wantCode(t, err, agentry.EINVALID, "shared component "+outer)
	_, err = e.svc.UpdateComponent(e.ctx, e.caller(), agentry.UpdateComponentRequest{ID: inner, Patch: fields(t, `{"nodes":`+nodesOf(sharedFlow(outer))+`}`)})
	wantCode(t, err, agentry.EINVALID, "contain itself")
	flow := e.mustCreateEngine(t, agentry.ConversationFlow, sharedFlow(outer)).ResourceID
	agent := e.mustAgentOn(t, agentry.VoiceAgent, k.ref(flow)).ResourceID
	e.mustPublish(t, agent, 0)
	if _, err := e.svc.UpdateComponent(e.ctx, e.caller(), agentry.UpdateComponentRequest{ID: inner,
		Patch: fields(t, `{"nodes":[{"id":"ask","type":"conversation","instruction":{"type":"prompt","text":"inner two"}}]}`)}); err != nil {
		t.Fatal(err)
	}
	fc, err := e.svc.FlowComponents(e.ctx, e.caller(), agentry.Address{Kind: agentry.ConversationFlow, ID: flow, Version: num(0)})
	if err != nil || len(fc.Components) != 2 || fc.Components[1].ID != inner || componentText(t, fc.Components[1].Config) != "inner one" {
		t.Fatalf("published flow serves %+v, %v; want outer then inner as published", fc, err)
	}
}

// testConcurrentComponentLinkAndDelete races flow updates that link a
// component against its deletion: a draft that won the race gets a local
// copy, one that lost is refused. No draft may be left linking a shared
// component that is gone.
func testConcurrentComponentLinkAndDelete(t *testing.T, open Opener) {
	const rounds, writers = 6, 5
	e := newEnv(t, open)
	flows := make([]string, writers)
	for i := range flows {
		flows[i] = e.mustCreateEngine(t, agentry.ConversationFlow, engineKinds[1].config).ResourceID
	}
	for round := range rounds {
		c := e.mustCreateComponent(t, component("c", "x")).ID
		errs := make([]error, writers)
		var delErr error
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				_, errs[i] = e.update(e.ws, agentry.ConversationFlow, flows[i], refNone, fields(t, `{"nodes":`+nodesOf(sharedFlow(c))+`}`), "")
			})
			if i == writers/2 {
				wg.Go(func() { delErr = e.svc.DeleteComponent(e.ctx, e.caller(), c) })
			}
		}
		wg.Wait()
		if delErr != nil {
			t.Fatalf("round %d: DeleteComponent: %v", round, delErr)
		}
		for i, err := range errs {
			if err != nil && agentry.ErrorCode(err) != agentry.EUNPROCESSABLE {
				t.Fatalf("round %d: update #%d: %v", round, i, err)
			}
			v := e.mustGetEngine(t, agentry.ConversationFlow, flows[i], refNone)
			if strings.Contains(string(v.Config), `"component_type":"shared"`) && strings.Contains(string(v.Config), c) {
				t.Errorf("round %d: flow %s links deleted component %s: %s", round, flows[i], c, v.Config)
			}
			if err == nil && !strings.Contains(string(v.Config), `"component_type":"local"`) {
				t.Errorf("round %d: flow %s linked %s before it went, yet has no local copy: %s", round, flows[i], c, v.Config)
			}
		}
		for _, f := range flows {
			e.mustUpdateEngine(t, agentry.ConversationFlow, f, refNone, `{"nodes":[{"id":"start","type":"conversation"}],"components":null}`)
		}
	}
}
