package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// engineTests cover the lockstep rules of response engines (Retell LLMs and
// conversation flows) as agentry.Service applies them over the store:
// agents pin engine versions, publishing an agent publishes the engine
// version it pins, and create-agent-version branches the engine too.
var engineTests = []suiteTest{
	{"CreateEngineMakesDraftZero", testCreateEngineMakesDraftZero},
	{"ListEnginesByKind", testListEnginesByKind},
	{"AgentPinsLatestEngineVersion", testAgentPinsLatestEngineVersion},
	{"UnknownEngineUnprocessable", testUnknownEngineUnprocessable},
	{"UpdateRepins", testUpdateRepins},
	{"PublishPublishesPinnedEngine", testPublishPublishesPinnedEngine},
	{"PublishWithoutEngineIsAtomic", testPublishWithoutEngineIsAtomic},
	{"CreateVersionBranchesEngine", testCreateVersionBranchesEngine},
	{"EngineNumbersNeverReused", testEngineNumbersNeverReused},
	{"UpdateEngineRefused", testUpdateEngineRefused},
	{"DeleteEngineInUse", testDeleteEngineInUse},
	{"ConcurrentCreateVersionBranches", testConcurrentCreateVersionBranches},
	{"ConcurrentSharedEngine", testConcurrentSharedEngine},
	{"ConcurrentPinAndDelete", testConcurrentPinAndDelete},
}

// engineKind describes one kind of response engine as the rules see it.
type engineKind struct {
	kind    *agentry.Kind // agentry.RetellLLM or agentry.ConversationFlow
	prefix  string        // the prefix of its IDs
	idField string        // the field of response_engine that names it
	config  string        // a configuration to create it with (Check is nil: any object)
}

var engineKinds = []engineKind{
	{agentry.RetellLLM, "llm_", "llm_id", `{"general_prompt":"You are Ada.","start_speaker":"agent"}`},
	{agentry.ConversationFlow, "conversation_flow_", "conversation_flow_id", `{"start_speaker":"user","nodes":[{"id":"start","type":"conversation"}],"start_node_id":"start"}`},
}

var agentChannels = []*agentry.Kind{agentry.VoiceAgent, agentry.ChatAgent}

// ref is a response_engine value naming engine id without a version.
func (k engineKind) ref(id string) string {
	return fmt.Sprintf(`{"type":%q,%q:%q}`, k.kind, k.idField, id)
}

// refAt is a response_engine value naming version n of engine id.
func (k engineKind) refAt(id string, n int64) string {
	return fmt.Sprintf(`{"type":%q,%q:%q,"version":%d}`, k.kind, k.idField, id, n)
}

func (e *env) mustCreateEngine(tb testing.TB, kind *agentry.Kind, doc string) *agentry.Version {
	tb.Helper()
	v, err := e.create(e.ws, kind, fields(tb, doc))
	if err != nil {
		tb.Fatalf("CreateEngine(%s): %v", kind, err)
	}
	return v
}

func (e *env) mustGetEngine(tb testing.TB, kind *agentry.Kind, id string, ref agentry.VersionRef) *agentry.Version {
	tb.Helper()
	v, err := e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: kind, ID: id, Version: ref})
	if err != nil {
		tb.Fatalf("GetVersion(%s %s, %+v): %v", kind, id, ref, err)
	}
	return v
}

func (e *env) mustUpdateEngine(tb testing.TB, kind *agentry.Kind, id string, ref agentry.VersionRef, doc string) *agentry.Version {
	tb.Helper()
	v, err := e.update(e.ws, kind, id, ref, fields(tb, doc), "")
	if err != nil {
		tb.Fatalf("UpdateVersion(%s %s, %+v, %s): %v", kind, id, ref, doc, err)
	}
	return v
}

// mustAgentOn creates an agent of channel whose response_engine is ref.
func (e *env) mustAgentOn(tb testing.TB, channel *agentry.Kind, ref string) *agentry.Version {
	tb.Helper()
	return e.mustCreateAgent(tb, channel, `{"agent_name":"pinned","response_engine":`+ref+`}`)
}

// agentIDs lists every agent of the workspace (both channels), in order.
func (e *env) agentIDs(tb testing.TB) []string {
	tb.Helper()
	page, err := e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{}, agentry.PageRequest{Limit: agentry.MaxPageLimit})
	if err != nil {
		tb.Fatalf("ListAgents: %v", err)
	}
	return ids(page.Items)
}

// wantPin checks that version v pins version n of engine id, in its columns
// and in its stored response_engine.
func wantPin(tb testing.TB, what string, v *agentry.Version, k engineKind, id string, n int64) {
	tb.Helper()
	if v.EngineID != id || v.EngineVersion == nil || *v.EngineVersion != n {
		tb.Errorf("%s pins %q version %v, want %s version %d", what, v.EngineID, show(v.EngineVersion), id, n)
	}
	re, _ := config(tb, v.Config)["response_engine"].(map[string]any)
	if re["type"] != k.kind.Name || re[k.idField] != id || re["version"] != float64(n) {
		tb.Errorf("%s response_engine = %v, want type %s, %s %s, version %d", what, re, k.kind, k.idField, id, n)
	}
}

// wantNoPin checks that version v pins no engine.
func wantNoPin(tb testing.TB, what string, v *agentry.Version) {
	tb.Helper()
	if v.EngineID != "" || v.EngineVersion != nil {
		tb.Errorf("%s pins %q version %v, want no engine", what, v.EngineID, show(v.EngineVersion))
	}
}

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func testCreateEngineMakesDraftZero(t *testing.T, open Opener) {
	for _, k := range engineKinds {
		t.Run(k.kind.Name, func(t *testing.T) {
			e := newEnv(t, open)
			v := e.mustCreateEngine(t, k.kind, k.config[:len(k.config)-1]+`,"version_title":"first"}`)
			now := e.clock.Millis()
			if len(v.ResourceID) <= len(k.prefix) || v.ResourceID[:len(k.prefix)] != k.prefix || !hex32.MatchString(v.ResourceID[len(k.prefix):]) {
				t.Errorf("engine ID = %q, want %s and 32 hex", v.ResourceID, k.prefix)
			}
			want := &agentry.Version{WorkspaceID: e.ws, ResourceID: v.ResourceID, Kind: k.kind, Number: 0,
				Title: ptr("first"), Config: []byte(k.config), ModifiedAt: now}
			wantVersion(t, v, want)
			wantVersion(t, mustVersionRow(t, e.store, e.ws, v.ResourceID, 0), want)
			wantVersion(t, e.mustGetEngine(t, k.kind, v.ResourceID, refNone), want)
			wantNoPin(t, "engine version 0", v)
			a := mustAgentRow(t, e.store, e.ws, v.ResourceID)
			if a.Kind != k.kind || a.NextVersion != 1 || a.CreatedAt != now || a.ModifiedAt != now {
				t.Errorf("engine row = %+v, want channel %s, NextVersion 1, created and modified at %d", a, k.kind, now)
			}
			// An engine is found only under its own kind.
			for _, channel := range []*agentry.Kind{agentry.AnyAgent, agentry.VoiceAgent, agentry.ChatAgent, otherKind(k).kind} {
				_, err := e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: channel, ID: v.ResourceID, Version: refNone})
				wantCode(t, err, agentry.ENOTFOUND)
			}
			_, err := e.svc.Branch(e.ctx, e.caller(), agentry.BranchRequest{AgentID: v.ResourceID, Base: 0})
			wantCode(t, err, agentry.ENOTFOUND)
			wantCode(t, e.svc.Publish(e.ctx, e.caller(), agentry.PublishRequest{AgentID: v.ResourceID, Version: 0}), agentry.ENOTFOUND)
			// Two engines never share an ID.
			if w := e.mustCreateEngine(t, k.kind, `{}`); w.ResourceID == v.ResourceID {
				t.Errorf("two engines got ID %s", v.ResourceID)
			}
		})
	}
}

func otherKind(k engineKind) engineKind {
	if k.kind == engineKinds[0].kind {
		return engineKinds[1]
	}
	return engineKinds[0]
}

func testListEnginesByKind(t *testing.T, open Opener) {
	e := newEnv(t, open)
	byKind := map[*agentry.Kind][]string{}
	for i := range 3 {
		for _, k := range engineKinds {
			e.clock.Advance(time.Millisecond)
			byKind[k.kind] = append(byKind[k.kind], e.mustCreateEngine(t, k.kind, fmt.Sprintf(`{"n":%d}`, i)).ResourceID)
		}
	}
	// Agents: one of each channel, the voice one branching the second LLM so
	// that its latest version is 1.
	llm := engineKinds[0]
	voice := e.mustAgentOn(t, agentry.VoiceAgent, llm.ref(byKind[llm.kind][1])).ResourceID
	e.clock.Advance(time.Millisecond)
	chat := e.mustCreateAgent(t, agentry.ChatAgent, `{}`).ResourceID
	e.mustCreateVersion(t, voice, 0)
	// Another workspace's engine.
	other := mustWorkspace(t, e.store, "other")
	if _, err := e.create(other, llm.kind, fields(t, `{}`)); err != nil {
		t.Fatal(err)
	}

	// Engines never show among agents.
	if got := e.agentIDs(t); !reflect.DeepEqual(got, []string{voice, chat}) {
		t.Errorf("ListAgents = %v, want only the agents %v", got, []string{voice, chat})
	}
	for _, channel := range agentChannels {
		page, err := e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{Kind: channel}, agentry.PageRequest{})
		if err != nil || len(page.Items) != 1 {
			t.Errorf("ListAgents(%s) = %+v, %v; want one agent", channel, page, err)
		}
	}

	for _, k := range engineKinds {
		for _, desc := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/desc=%v", k.kind, desc), func(t *testing.T) {
				var got []string
				p := agentry.PageRequest{Limit: 2, Desc: desc}
				for pages := 0; ; pages++ {
					if pages > 3 {
						t.Fatal("paging does not end")
					}
					page, err := e.svc.ListEngines(e.ctx, e.caller(), k.kind, p)
					if err != nil {
						t.Fatal(err)
					}
					for _, v := range page.Items {
						wantN := int64(0)
						if v.ResourceID == byKind[llm.kind][1] {
							wantN = 1
						}
						if v.Kind != k.kind || v.WorkspaceID != e.ws || v.Number != wantN {
							t.Errorf("item %s: channel %s, number %d; want %s, latest version %d", v.ResourceID, v.Kind, v.Number, k.kind, wantN)
						}
						got = append(got, v.ResourceID)
					}
					if (page.NextKey != "") != page.HasMore {
						t.Errorf("HasMore %v with NextKey %q", page.HasMore, page.NextKey)
					}
					if !page.HasMore {
						break
					}
					p.Key = page.NextKey
				}
				want := slices.Clone(byKind[k.kind])
				if desc {
					slices.Reverse(want)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("listed %v, want %v", got, want)
				}
			})
		}
	}
	for _, kind := range []*agentry.Kind{agentry.AnyAgent, agentry.VoiceAgent, agentry.ChatAgent} {
		if _, err := e.svc.ListEngines(e.ctx, e.caller(), kind, agentry.PageRequest{}); err == nil {
			t.Errorf("ListEngines accepted kind %q", kind.Noun)
		}
	}
}

func testAgentPinsLatestEngineVersion(t *testing.T, open Opener) {
	for _, k := range engineKinds {
		for _, channel := range agentChannels {
			t.Run(k.kind.Name+"/"+channel.Name, func(t *testing.T) {
				e := newEnv(t, open)
				id := e.mustCreateEngine(t, k.kind, k.config).ResourceID
				a := e.mustAgentOn(t, channel, k.ref(id))
				wantPin(t, "new agent", a, k, id, 0)
				wantPin(t, "stored agent version", mustVersionRow(t, e.store, e.ws, a.ResourceID, 0), k, id, 0)
				wantPin(t, "read agent version", e.mustGet(t, a.ResourceID, refNone), k, id, 0)
				wantConfig(t, a.Config, `{"agent_name":"pinned","response_engine":`+k.refAt(id, 0)+`}`)

				// A second engine version, made by branching the agent: a new
				// agent without a version pins it, the latest.
				e.mustCreateVersion(t, a.ResourceID, 0)
				if v := e.mustGetEngine(t, k.kind, id, refLatest); v.Number != 1 {
					t.Fatalf("latest engine version = %d, want 1", v.Number)
				}
				b := e.mustAgentOn(t, channel, k.ref(id))
				wantPin(t, "agent created on two versions", b, k, id, 1)
				wantPin(t, "its stored version", mustVersionRow(t, e.store, e.ws, b.ResourceID, 0), k, id, 1)

				// An explicit version that exists is kept.
				for _, n := range []int64{0, 1} {
					c := e.mustAgentOn(t, channel, k.refAt(id, n))
					wantPin(t, fmt.Sprintf("agent asking for version %d", n), c, k, id, n)
					wantPin(t, "its stored version", mustVersionRow(t, e.store, e.ws, c.ResourceID, 0), k, id, n)
				}
				// Pinning writes nothing to the engine.
				if n := countVersions(t, e.store, e.ws, id); n != 2 {
					t.Errorf("engine has %d versions, want 2", n)
				}
			})
		}
	}
}

func testUnknownEngineUnprocessable(t *testing.T, open Opener) {
	e := newEnv(t, open)
	llm, flow := engineKinds[0], engineKinds[1]
	llmID := e.mustCreateEngine(t, llm.kind, llm.config).ResourceID
	flowID := e.mustCreateEngine(t, flow.kind, flow.config).ResourceID
	voice := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
	other := mustWorkspace(t, e.store, "other")
	otherLLM, err := e.create(other, llm.kind, fields(t, `{}`))
	if err != nil {
		t.Fatal(err)
	}
	otherFlow, err := e.create(other, flow.kind, fields(t, `{}`))
	if err != nil {
		t.Fatal(err)
	}
	// A user whose pin must survive every refused update.
	user := e.mustAgentOn(t, agentry.ChatAgent, llm.ref(llmID)).ResourceID
	before := e.mustGet(t, user, num(0))
	engineRows := map[string]*agentry.Resource{
		llmID:  mustAgentRow(t, e.store, e.ws, llmID),
		flowID: mustAgentRow(t, e.store, e.ws, flowID),
	}
	agents := e.agentIDs(t)

	refs := map[string]string{
		"missing llm":                 llm.ref("llm_00000000000000000000000000000000"),
		"missing flow":                flow.ref("conversation_flow_00000000000000000000000000000000"),
		"flow id as llm":              llm.ref(flowID),
		"llm id as flow":              flow.ref(llmID),
		"agent id as llm":             llm.ref(voice),
		"llm named by the flow field": fmt.Sprintf(`{"type":%q,"conversation_flow_id":%q}`, llm.kind, llmID),
		"another workspace's llm":     llm.ref(otherLLM.ResourceID),
		"another workspace's flow":    flow.ref(otherFlow.ResourceID),
		"missing llm version":         llm.refAt(llmID, 1),
		"missing flow version":        flow.refAt(flowID, 7),
		"negative version":            llm.refAt(llmID, -1),
	}
	for name, ref := range refs {
		t.Run(name, func(t *testing.T) {
			for _, channel := range agentChannels {
				_, err := e.create(e.ws, channel, fields(t, `{"agent_name":"doomed","response_engine":`+ref+`}`))
				wantCode(t, err, agentry.EUNPROCESSABLE)
			}
			_, err := e.update(e.ws, agentry.ChatAgent, user, refNone, fields(t, `{"agent_name":"doomed","response_engine":`+ref+`}`), "")
			wantCode(t, err, agentry.EUNPROCESSABLE)
		})
	}
	// Nothing was written: no agent was created, the user is unchanged and
	// still pins its engine, the engines are untouched.
	if got := e.agentIDs(t); !reflect.DeepEqual(got, agents) {
		t.Errorf("agents after refused creates = %v, want %v", got, agents)
	}
	after := e.mustGet(t, user, num(0))
	wantVersion(t, after, before)
	wantPin(t, "user after refused updates", after, llm, llmID, 0)
	for id, row := range engineRows {
		if got := mustAgentRow(t, e.store, e.ws, id); !reflect.DeepEqual(got, row) {
			t.Errorf("engine row %s = %+v, want %+v", id, got, row)
		}
		if n := countVersions(t, e.store, e.ws, id); n != 1 {
			t.Errorf("engine %s has %d versions, want 1", id, n)
		}
	}
}

func testUpdateRepins(t *testing.T, open Opener) {
	for _, channel := range agentChannels {
		t.Run(channel.Name, func(t *testing.T) {
			e := newEnv(t, open)
			llm, flow := engineKinds[0], engineKinds[1]
			first := e.mustCreateEngine(t, llm.kind, llm.config).ResourceID
			second := e.mustCreateEngine(t, llm.kind, llm.config).ResourceID
			flowID := e.mustCreateEngine(t, flow.kind, flow.config).ResourceID
			a := e.mustAgentOn(t, channel, llm.ref(first)).ResourceID
			// A second version of the second LLM, by way of a helper agent.
			helper := e.mustAgentOn(t, agentry.VoiceAgent, llm.ref(second)).ResourceID
			e.mustCreateVersion(t, helper, 0)

			// An edit that leaves response_engine alone keeps the pin.
			v := e.mustUpdateVersion(t, a, refNone, `{"agent_name":"renamed"}`)
			wantPin(t, "after an unrelated edit", v, llm, first, 0)

			steps := []struct {
				name  string
				ref   string
				check func(t *testing.T, v *agentry.Version)
			}{
				{"another llm, latest", llm.ref(second), func(t *testing.T, v *agentry.Version) { wantPin(t, "agent", v, llm, second, 1) }},
				{"another llm, explicit", llm.refAt(second, 0), func(t *testing.T, v *agentry.Version) { wantPin(t, "agent", v, llm, second, 0) }},
				{"a flow", flow.ref(flowID), func(t *testing.T, v *agentry.Version) { wantPin(t, "agent", v, flow, flowID, 0) }},
				{"custom-llm", `{"type":"custom-llm","llm_websocket_url":"wss://example.com/llm"}`, func(t *testing.T, v *agentry.Version) {
					wantNoPin(t, "agent on custom-llm", v)
					wantConfig(t, v.Config, `{"agent_name":"renamed","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://example.com/llm"}}`)
				}},
				{"back to the first llm", llm.ref(first), func(t *testing.T, v *agentry.Version) { wantPin(t, "agent", v, llm, first, 0) }},
				{"null", `null`, func(t *testing.T, v *agentry.Version) {
					wantNoPin(t, "agent without response_engine", v)
					wantConfig(t, v.Config, `{"agent_name":"renamed"}`)
				}},
			}
			for _, s := range steps {
				v := e.mustUpdateVersion(t, a, refNone, `{"response_engine":`+s.ref+`}`)
				t.Run(s.name, func(t *testing.T) {
					s.check(t, v)
					s.check(t, mustVersionRow(t, e.store, e.ws, a, 0))
				})
			}
			// Unpinned, no engine has the agent as a user any more.
			for _, id := range []string{first, flowID} {
				kind := llm.kind
				if id == flowID {
					kind = flow.kind
				}
				if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: kind, ID: id}); err != nil {
					t.Errorf("DeleteEngine(%s) after the agent moved away: %v", id, err)
				}
			}
		})
	}
}

func testPublishPublishesPinnedEngine(t *testing.T, open Opener) {
	for _, k := range engineKinds {
		t.Run(k.kind.Name, func(t *testing.T) {
			e := newEnv(t, open)
			id := e.mustCreateEngine(t, k.kind, k.config).ResourceID
			a := e.mustAgentOn(t, agentry.VoiceAgent, k.ref(id)).ResourceID
			b := e.mustAgentOn(t, agentry.ChatAgent, k.ref(id)).ResourceID
			before := e.mustGetEngine(t, k.kind, id, num(0))

			published := e.clock.Advance(time.Second)
			e.mustPublish(t, a, 0)
			want := *before
			want.Published, want.PublishedAt, want.ModifiedAt, want.Revision = true, published, published, before.Revision+1
			wantVersion(t, e.mustGetEngine(t, k.kind, id, num(0)), &want)
			wantVersion(t, mustVersionRow(t, e.store, e.ws, id, 0), &want)
			if row := mustAgentRow(t, e.store, e.ws, id); row.ModifiedAt != published {
				t.Errorf("engine ModifiedAt = %d, want %d", row.ModifiedAt, published)
			}
			if v := e.mustGet(t, a, num(0)); !v.Published || v.PublishedAt != published {
				t.Errorf("agent version 0 = %+v, want published at %d", v, published)
			}

			// Another agent pinning the same, now published, engine version
			// publishes too; the engine version is left as it was.
			later := e.clock.Advance(time.Second)
			e.mustPublish(t, b, 0)
			wantVersion(t, e.mustGetEngine(t, k.kind, id, num(0)), &want)
			if v := e.mustGet(t, b, num(0)); !v.Published || v.PublishedAt != later {
				t.Errorf("agent %s version 0 = %+v, want published at %d", b, v, later)
			}

			// Only the pinned engine version is published.
			d1 := e.mustCreateVersion(t, a, 0)
			d2 := e.mustCreateVersion(t, a, 0)
			at := e.clock.Advance(time.Second)
			e.mustPublish(t, a, d1.Number)
			if v := e.mustGetEngine(t, k.kind, id, num(*d1.EngineVersion)); !v.Published || v.PublishedAt != at {
				t.Errorf("engine version %d after publishing agent version %d: %+v", *d1.EngineVersion, d1.Number, v)
			}
			if v := e.mustGetEngine(t, k.kind, id, num(*d2.EngineVersion)); v.Published {
				t.Errorf("engine version %d was published with agent version %d", *d2.EngineVersion, d1.Number)
			}
		})
	}
}

func testPublishWithoutEngineIsAtomic(t *testing.T, open Opener) {
	for _, k := range engineKinds {
		t.Run(k.kind.Name, func(t *testing.T) {
			e := newEnv(t, open)
			id := e.mustCreateEngine(t, k.kind, k.config).ResourceID
			a := e.mustAgentOn(t, agentry.VoiceAgent, k.ref(id)).ResourceID
			if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: k.kind, ID: id, Force: true}); err != nil {
				t.Fatalf("force DeleteEngine: %v", err)
			}
			before := e.mustGet(t, a, num(0))
			row := mustAgentRow(t, e.store, e.ws, a)
			e.clock.Advance(time.Second)
			err := e.svc.Publish(e.ctx, e.caller(), agentry.PublishRequest{AgentID: a, Version: 0, Title: ptr("title")})
			wantCode(t, err, agentry.EUNPROCESSABLE, id)
			after := e.mustGet(t, a, num(0))
			wantVersion(t, after, before)
			if after.Published {
				t.Error("the agent version was published without its engine")
			}
			if got := mustAgentRow(t, e.store, e.ws, a); !reflect.DeepEqual(got, row) {
				t.Errorf("agent row = %+v, want %+v", got, row)
			}
		})
	}
}

func testCreateVersionBranchesEngine(t *testing.T, open Opener) {
	for _, k := range engineKinds {
		for _, channel := range agentChannels {
			t.Run(k.kind.Name+"/"+channel.Name, func(t *testing.T) {
				e := newEnv(t, open)
				id := e.mustCreateEngine(t, k.kind, k.config).ResourceID
				a := e.mustAgentOn(t, channel, k.ref(id)).ResourceID
				edited := e.mustUpdateEngine(t, k.kind, id, refNone, `{"general_prompt":"edited","version_title":"engine v0"}`)
				e.mustPublish(t, a, 0)
				agentV0 := e.mustGet(t, a, num(0))

				for n := int64(1); n <= 2; n++ {
					now := e.clock.Advance(time.Second)
					v := e.mustCreateVersion(t, a, 0)
					// One agent uses the engine: the numbers follow the agent's.
					if v.Number != n {
						t.Fatalf("agent draft %d, want %d", v.Number, n)
					}
					wantPin(t, "new agent draft", v, k, id, n)
					wantPin(t, "its stored row", mustVersionRow(t, e.store, e.ws, a, n), k, id, n)
					want := &agentry.Version{WorkspaceID: e.ws, ResourceID: id, Kind: k.kind, Number: n,
						BaseVersion: ptr(int64(0)), Config: edited.Config, ModifiedAt: now}
					wantVersion(t, e.mustGetEngine(t, k.kind, id, num(n)), want)
					// The agent draft is the base's configuration, re-pinned.
					var c map[string]json.RawMessage
					if err := json.Unmarshal(agentV0.Config, &c); err != nil {
						t.Fatal(err)
					}
					c["response_engine"] = json.RawMessage(k.refAt(id, n))
					raw, _ := json.Marshal(c)
					wantConfig(t, v.Config, string(raw))
					if row := mustAgentRow(t, e.store, e.ws, id); row.NextVersion != n+1 || row.ModifiedAt != now {
						t.Errorf("engine row = %+v, want NextVersion %d, ModifiedAt %d", row, n+1, now)
					}
				}
				// The base and the engine version it pins are unchanged.
				wantVersion(t, e.mustGet(t, a, num(0)), agentV0)
				wantPin(t, "agent version 0", e.mustGet(t, a, num(0)), k, id, 0)
				if v := e.mustGetEngine(t, k.kind, id, num(0)); !v.Published || v.Revision != edited.Revision+1 {
					t.Errorf("engine version 0 = %+v, want published, otherwise unchanged", v)
				}

				// Branching from a draft copies the engine version that draft pins.
				e.mustUpdateEngine(t, k.kind, id, num(1), `{"general_prompt":"one"}`)
				one := e.mustGetEngine(t, k.kind, id, num(1))
				v := e.mustCreateVersion(t, a, 1)
				wantPin(t, "draft branched from 1", v, k, id, 3)
				got := e.mustGetEngine(t, k.kind, id, num(3))
				wantInt(t, "engine version 3 BaseVersion", got.BaseVersion, ptr(int64(1)))
				wantConfig(t, got.Config, string(one.Config))
				if got.Published {
					t.Error("engine version 3 is published")
				}
				// The new engine drafts are editable; each agent draft's publish
				// publishes its own.
				e.mustUpdateEngine(t, k.kind, id, num(2), `{"general_prompt":"two"}`)
				e.mustPublish(t, a, 2)
				for n, published := range map[int64]bool{0: true, 1: false, 2: true, 3: false} {
					if v := e.mustGetEngine(t, k.kind, id, num(n)); v.Published != published {
						t.Errorf("engine version %d published = %v, want %v", n, v.Published, published)
					}
				}
			})
		}
	}
}

// testEngineNumbersNeverReused: the engine's new number is the agent's new
// number when that is free, and the engine's next otherwise.
func testEngineNumbersNeverReused(t *testing.T, open Opener) {
	for _, k := range engineKinds {
		t.Run(k.kind.Name, func(t *testing.T) {
			e := newEnv(t, open)
			id := e.mustCreateEngine(t, k.kind, k.config).ResourceID
			a := e.mustAgentOn(t, agentry.VoiceAgent, k.ref(id)).ResourceID
			b := e.mustAgentOn(t, agentry.ChatAgent, k.ref(id)).ResourceID
			steps := []struct {
				agent      string
				base       int64
				wantAgent  int64
				wantEngine int64
			}{
				{a, 0, 1, 1},
				{b, 0, 1, 2}, // engine 1 is taken: the engine's next
				{a, 0, 2, 3}, // the engine's counter is ahead
				{a, 2, 3, 4},
				{b, 1, 2, 5},
			}
			for i, s := range steps {
				v := e.mustCreateVersion(t, s.agent, s.base)
				if v.Number != s.wantAgent {
					t.Fatalf("step %d: agent draft %d, want %d", i, v.Number, s.wantAgent)
				}
				wantPin(t, fmt.Sprintf("step %d", i), v, k, id, s.wantEngine)
			}
			vs, err := e.svc.Versions(e.ctx, e.caller(), k.kind, id)
			if err != nil || !reflect.DeepEqual(numbers(vs), []int64{0, 1, 2, 3, 4, 5}) {
				t.Errorf("engine versions = %v, %v; want 0..5 each once", numbers(vs), err)
			}

			// An agent ahead of a fresh engine: the engine takes the agent's
			// number, leaving a gap, and goes on from there.
			c := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
			for range 3 {
				e.mustCreateVersion(t, c, 0)
			}
			fresh := e.mustCreateEngine(t, k.kind, k.config).ResourceID
			e.mustUpdateVersion(t, c, num(3), `{"response_engine":`+k.ref(fresh)+`}`)
			v := e.mustCreateVersion(t, c, 3)
			wantPin(t, "agent 4 on a fresh engine", v, k, fresh, 4)
			if row := mustAgentRow(t, e.store, e.ws, fresh); row.NextVersion != 5 {
				t.Errorf("fresh engine NextVersion = %d, want 5", row.NextVersion)
			}
			// Numbers go on from the engine's counter after an agent draft is deleted.
			e.mustDeleteVersion(t, c, 4)
			if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: k.kind, ID: fresh}); err == nil {
				t.Fatal("DeleteEngine of an engine agent version 3 pins succeeded")
			}
			v = e.mustCreateVersion(t, c, 3)
			wantPin(t, "agent 5", v, k, fresh, 5)
		})
	}
}

func testUpdateEngineRefused(t *testing.T, open Opener) {
	for _, k := range engineKinds {
		t.Run(k.kind.Name, func(t *testing.T) {
			e := newEnv(t, open)
			id := e.mustCreateEngine(t, k.kind, k.config).ResourceID
			// A draft engine version is editable.
			e.mustUpdateEngine(t, k.kind, id, refNone, `{"general_prompt":"draft edit"}`)
			e.mustUpdateEngine(t, k.kind, id, num(0), `{"general_prompt":"draft edit 2"}`)
			a := e.mustAgentOn(t, agentry.VoiceAgent, k.ref(id)).ResourceID
			e.mustPublish(t, a, 0)
			before := e.mustGetEngine(t, k.kind, id, num(0))
			row := mustAgentRow(t, e.store, e.ws, id)
			e.clock.Advance(time.Second)

			patch := fields(t, `{"general_prompt":"changed"}`)
			_, err := e.update(e.ws, k.kind, id, num(0), patch, "")
			wantCode(t, err, agentry.EINVALID, "published", "create-agent-version")
			_, err = e.update(e.ws, k.kind, id, refNone, patch, "")
			wantCode(t, err, agentry.EINVALID, "no draft")
			// Not through the agent endpoints either, nor as the other kind.
			for _, channel := range []*agentry.Kind{agentry.AnyAgent, otherKind(k).kind} {
				_, err = e.update(e.ws, channel, id, num(0), patch, "")
				wantCode(t, err, agentry.ENOTFOUND)
			}
			wantVersion(t, e.mustGetEngine(t, k.kind, id, num(0)), before)
			if got := mustAgentRow(t, e.store, e.ws, id); !reflect.DeepEqual(got, row) {
				t.Errorf("engine row = %+v, want %+v", got, row)
			}
		})
	}
}

func testDeleteEngineInUse(t *testing.T, open Opener) {
	for _, k := range engineKinds {
		for _, channel := range agentChannels {
			t.Run(k.kind.Name+"/"+channel.Name, func(t *testing.T) {
				e := newEnv(t, open)
				id := e.mustCreateEngine(t, k.kind, k.config).ResourceID
				a := e.mustAgentOn(t, channel, k.ref(id)).ResourceID
				err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: k.kind, ID: id})
				wantCode(t, err, agentry.EINVALID, a, "force")
				// Only under its own kind.
				wantCode(t, e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: otherKind(k).kind, ID: id, Force: true}), agentry.ENOTFOUND)
				// An older version pinning it is a use too.
				e.mustCreateVersion(t, a, 0)
				e.mustUpdateVersion(t, a, num(1), `{"response_engine":{"type":"custom-llm","llm_websocket_url":"wss://example.com"}}`)
				wantCode(t, e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: k.kind, ID: id}), agentry.EINVALID, a)
				e.mustGetEngine(t, k.kind, id, refNone) // still there

				if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: k.kind, ID: id, Force: true}); err != nil {
					t.Fatalf("force DeleteEngine: %v", err)
				}
				_, err = e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: k.kind, ID: id, Version: refNone})
				wantCode(t, err, agentry.ENOTFOUND)
				if n := countVersions(t, e.store, e.ws, id); n != 0 {
					t.Errorf("%d versions left of a deleted engine", n)
				}
				wantCode(t, e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: k.kind, ID: id, Force: true}), agentry.ENOTFOUND)
				// The agent is left pointing at an engine that no longer exists.
				wantPin(t, "agent version 0 after the forced delete", e.mustGet(t, a, num(0)), k, id, 0)
				_, err = e.svc.Branch(e.ctx, e.caller(), agentry.BranchRequest{AgentID: a, Base: 0})
				wantCode(t, err, agentry.EUNPROCESSABLE, "no longer exists")
				if n := countVersions(t, e.store, e.ws, a); n != 2 {
					t.Errorf("agent has %d versions after a refused create-agent-version, want 2", n)
				}

				// Once its only user is deleted, an engine is deleted without force.
				id2 := e.mustCreateEngine(t, k.kind, k.config).ResourceID
				user := e.mustAgentOn(t, channel, k.ref(id2)).ResourceID
				e.mustCreateVersion(t, user, 0)
				wantCode(t, e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: k.kind, ID: id2}), agentry.EINVALID, user)
				if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.AnyAgent, ID: user}); err != nil {
					t.Fatal(err)
				}
				if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: k.kind, ID: id2}); err != nil {
					t.Errorf("DeleteEngine of an unused engine: %v", err)
				}
				// Likewise once the only version pinning it is deleted.
				id3 := e.mustCreateEngine(t, k.kind, k.config).ResourceID
				c := e.mustCreateAgent(t, channel, `{}`).ResourceID
				e.mustCreateVersion(t, c, 0)
				e.mustUpdateVersion(t, c, num(1), `{"response_engine":`+k.ref(id3)+`}`)
				wantCode(t, e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: k.kind, ID: id3}), agentry.EINVALID, c)
				e.mustDeleteVersion(t, c, 1)
				if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: k.kind, ID: id3}); err != nil {
					t.Errorf("DeleteEngine after its only pinning version was deleted: %v", err)
				}
				// Another workspace cannot delete it.
				other := mustWorkspace(t, e.store, "other")
				id4 := e.mustCreateEngine(t, k.kind, k.config).ResourceID
				e.mustAgentOn(t, channel, k.ref(id4))
				wantCode(t, e.svc.Delete(e.ctx, e.as(other), agentry.DeleteRequest{Kind: k.kind, ID: id4, Force: true}), agentry.ENOTFOUND)
				e.mustGetEngine(t, k.kind, id4, refNone)
			})
		}
	}
}

// testConcurrentCreateVersionBranches: create-agent-version from many
// goroutines on one agent pinning an engine gives every agent draft its own
// engine draft.
func testConcurrentCreateVersionBranches(t *testing.T, open Opener) {
	const n = 20
	e := newEnv(t, open)
	k := engineKinds[0]
	id := e.mustCreateEngine(t, k.kind, k.config).ResourceID
	a := e.mustAgentOn(t, agentry.VoiceAgent, k.ref(id)).ResourceID
	got := make([]*agentry.Version, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = e.svc.Branch(e.ctx, e.caller(), agentry.BranchRequest{AgentID: a, Base: 0}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("CreateVersion #%d: %v", i, err)
		}
	}
	var agentNums, engineNums []int64
	for _, v := range got {
		agentNums = append(agentNums, v.Number)
		if v.EngineID != id || v.EngineVersion == nil {
			t.Fatalf("agent draft %d pins %q %v", v.Number, v.EngineID, show(v.EngineVersion))
		}
		engineNums = append(engineNums, *v.EngineVersion)
		// One agent uses the engine: the numbers are the agent's.
		wantPin(t, fmt.Sprintf("agent draft %d", v.Number), mustVersionRow(t, e.store, e.ws, a, v.Number), k, id, v.Number)
		ev := mustVersionRow(t, e.store, e.ws, id, *v.EngineVersion)
		if ev.Published || ev.BaseVersion == nil || *ev.BaseVersion != 0 {
			t.Errorf("engine version %d = %+v, want a draft copied from 0", ev.Number, ev)
		}
	}
	want := make([]int64, n)
	for i := range want {
		want[i] = int64(i + 1)
	}
	slices.Sort(agentNums)
	slices.Sort(engineNums)
	if !slices.Equal(agentNums, want) || !slices.Equal(engineNums, want) {
		t.Errorf("agent numbers %v, engine numbers %v; want 1..%d each once", agentNums, engineNums, n)
	}
	if row := mustAgentRow(t, e.store, e.ws, id); row.NextVersion != n+1 {
		t.Errorf("engine NextVersion = %d, want %d", row.NextVersion, n+1)
	}
	if c := countVersions(t, e.store, e.ws, id); c != n+1 {
		t.Errorf("engine has %d versions, want %d", c, n+1)
	}
}

// testConcurrentSharedEngine: two agents sharing an engine branch it at the
// same time; the engine's lock keeps its numbers unique.
func testConcurrentSharedEngine(t *testing.T, open Opener) {
	const perAgent = 10
	e := newEnv(t, open)
	k := engineKinds[1]
	id := e.mustCreateEngine(t, k.kind, k.config).ResourceID
	agents := []string{
		e.mustAgentOn(t, agentry.VoiceAgent, k.ref(id)).ResourceID,
		e.mustAgentOn(t, agentry.ChatAgent, k.ref(id)).ResourceID,
	}
	type result struct {
		v   *agentry.Version
		err error
	}
	results := make([][]result, len(agents))
	var wg sync.WaitGroup
	for ai, a := range agents {
		results[ai] = make([]result, perAgent)
		for i := range perAgent {
			wg.Go(func() {
				v, err := e.svc.Branch(e.ctx, e.caller(), agentry.BranchRequest{AgentID: a, Base: 0})
				results[ai][i] = result{v, err}
			})
		}
	}
	wg.Wait()
	var engineNums []int64
	for ai, rs := range results {
		var agentNums []int64
		for _, r := range rs {
			if r.err != nil {
				t.Fatalf("CreateVersion(%s): %v", agents[ai], r.err)
			}
			agentNums = append(agentNums, r.v.Number)
			engineNums = append(engineNums, *r.v.EngineVersion)
			stored := mustVersionRow(t, e.store, e.ws, agents[ai], r.v.Number)
			wantPin(t, "stored agent draft", stored, k, id, *r.v.EngineVersion)
		}
		slices.Sort(agentNums)
		if len(slices.Compact(agentNums)) != perAgent || agentNums[perAgent-1] != perAgent {
			t.Errorf("agent %s numbers %v, want 1..%d", agents[ai], agentNums, perAgent)
		}
	}
	slices.Sort(engineNums)
	if len(slices.Compact(slices.Clone(engineNums))) != len(engineNums) {
		t.Errorf("engine numbers %v are not unique", engineNums)
	}
	row := mustAgentRow(t, e.store, e.ws, id)
	if c := countVersions(t, e.store, e.ws, id); c != 2*perAgent+1 || row.NextVersion <= engineNums[len(engineNums)-1] {
		t.Errorf("engine has %d versions and NextVersion %d; want %d versions, counter past %d", c, row.NextVersion, 2*perAgent+1, engineNums[len(engineNums)-1])
	}
}

// testConcurrentPinAndDelete races agents being created on an engine against
// a deletion of it without force: either the deletion sees a user and is
// refused, or it goes first and the creations find no engine. An agent that
// pins a deleted engine must never be left behind.
func testConcurrentPinAndDelete(t *testing.T, open Opener) {
	const rounds, creators = 10, 6
	e := newEnv(t, open)
	k := engineKinds[0]
	for round := range rounds {
		id := e.mustCreateEngine(t, k.kind, k.config).ResourceID
		created := make([]*agentry.Version, creators)
		errs := make([]error, creators)
		var delErr error
		var wg sync.WaitGroup
		for i := range creators {
			wg.Go(func() {
				created[i], errs[i] = e.create(e.ws, agentry.VoiceAgent, fields(t, `{"response_engine":`+k.ref(id)+`}`))
			})
			if i == creators/2 {
				wg.Go(func() { delErr = e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: k.kind, ID: id}) })
			}
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil && agentry.ErrorCode(err) != agentry.EUNPROCESSABLE {
				t.Fatalf("round %d: CreateAgent #%d: %v, want success or EUNPROCESSABLE", round, i, err)
			}
		}
		switch {
		case delErr == nil:
			for i, v := range created {
				if errs[i] == nil {
					t.Errorf("round %d: agent %s pins engine %s, deleted without force", round, v.ResourceID, id)
				}
			}
		case agentry.ErrorCode(delErr) != agentry.EINVALID:
			t.Fatalf("round %d: DeleteEngine: %v, want success or EINVALID", round, delErr)
		}
	}
}
