package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

var repairTests = []suiteTest{
	{"RepairRemovesDanglingReferences", testRepairRemovesDangling},
	{"RepairNothingToFix", testRepairNothingToFix},
	{"RepairPublishedConflict", testRepairPublished},
	{"RepairWorkspaces", testRepairWorkspaces},
}

// goneVoice is a voice id in the form agentry gives workspace voices that no
// workspace has.
const goneVoice = "custom_voice_0123456789abcdef0123456789abcdef"

// rawConfig overwrites a version's configuration in the store, bypassing
// every check: the data written before agentry checked links.
func (e *env) rawConfig(tb testing.TB, id string, n int64, doc string) {
	tb.Helper()
	mustUpdate(tb, e.store, func(tx agentry.Tx) error {
		v, err := tx.GetVersion(e.ws, id, n)
		if err != nil {
			return err
		}
		v.Config = json.RawMessage(doc)
		return tx.UpdateVersion(v)
	})
}

func (e *env) repair(id string, ref agentry.VersionRef) (*agentry.Version, error) {
	return e.svc.Repair(e.ctx, e.caller(), agentry.RepairRequest{AgentID: id, Version: ref})
}

func testRepairRemovesDangling(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[1]
	kb := e.mustCreateKnowledgeBase(t, "kept", agentry.NewSources{}).ID
	comp := e.mustCreateComponent(t, component("kept", "x")).ID
	flow := e.mustCreateEngine(t, agentry.ConversationFlow, k.config).ResourceID
	agent := e.mustCreateAgent(t, agentry.VoiceAgent, `{"voice_id":"retell-Cimo","response_engine":`+k.ref(flow)+`}`).ResourceID
	e.rawConfig(t, flow, 0, fmt.Sprintf(`{"knowledge_base_ids":[%q,"knowledge_base_gone"],"start_node_id":"gone","nodes":[
		{"id":"gone","type":"component","component_type":"shared","component_id":"component_gone","else_edge":{"id":"e0","destination_node_id":"talk"}},
		{"id":"talk","type":"conversation","knowledge_base_ids":["knowledge_base_gone",%q],
		 "edges":[{"id":"e1","destination_node_id":"gone"},{"id":"e2","destination_node_id":"ok"}],"else_edge":{"id":"e3","destination_node_id":"gone"}},
		{"id":"ok","type":"component","component_type":"shared","component_id":%q}]}`, kb, kb, comp))
	e.rawConfig(t, agent, 0, fmt.Sprintf(`{"voice_id":%q,"fallback_voice_ids":["openai-Alloy",%q,"some-provider-voice"],"response_engine":%s}`,
		goneVoice, goneVoice, k.refAt(flow, 0)))
	before := mustVersionRow(t, e.store, e.ws, flow, 0)
	at := e.clock.Advance(time.Second)
	v, err := e.repair(agent, refNone)
	if err != nil {
		t.Fatal(err)
	}
	got := config(t, v.Config)
	if got["voice_id"] != agentry.DefaultVoiceID() || !reflect.DeepEqual(got["fallback_voice_ids"], []any{"openai-Alloy", "some-provider-voice"}) {
		t.Errorf("agent after repair: %s; want the default voice and the gone fallback dropped, unknown ones kept", v.Config)
	}
	if v.ModifiedAt != at || v.Revision == 0 {
		t.Errorf("repaired agent: modified %d revision %d", v.ModifiedAt, v.Revision)
	}
	fv := mustVersionRow(t, e.store, e.ws, flow, 0)
	wantConfig(t, fv.Config, fmt.Sprintf(`{"knowledge_base_ids":[%q],"nodes":[
		{"id":"talk","type":"conversation","knowledge_base_ids":[%q],"edges":[{"id":"e2","destination_node_id":"ok"}]},
		{"id":"ok","type":"component","component_type":"shared","component_id":%q}]}`, kb, kb, comp))
	if fv.Revision != before.Revision+1 || fv.ModifiedAt != at {
		t.Errorf("repaired flow: revision %d (was %d), modified %d", fv.Revision, before.Revision, fv.ModifiedAt)
	}
	// What the repaired draft links is recorded: the kept objects only.
	var links []agentry.Link
	mustView(t, e.store, func(tx agentry.Tx) (err error) { links, err = tx.VersionLinks(e.ws, flow, 0); return err })
	for _, l := range links {
		if l.ID != kb && l.ID != comp {
			t.Errorf("repaired flow links %+v", l)
		}
	}
	if users := e.mustGetComponent(t, comp).LinkedFlowIDs; len(users) != 1 || users[0] != flow {
		t.Errorf("component linked to %v, want [%s]", users, flow)
	}
}

func testRepairNothingToFix(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[0]
	kb := e.mustCreateKnowledgeBase(t, "kb", agentry.NewSources{}).ID
	llm := e.mustCreateEngine(t, agentry.RetellLLM, fmt.Sprintf(`{"knowledge_base_ids":[%q]}`, kb)).ResourceID
	// A voice agentry does not know is not gone: a real custom voice keeps working.
	agent := e.mustCreateAgent(t, agentry.VoiceAgent, `{"voice_id":"custom_voice_from_retell","response_engine":`+k.ref(llm)+`}`).ResourceID
	a0, l0 := mustVersionRow(t, e.store, e.ws, agent, 0), mustVersionRow(t, e.store, e.ws, llm, 0)
	e.clock.Advance(time.Second)
	v, err := e.repair(agent, num(0))
	if err != nil {
		t.Fatal(err)
	}
	a1, l1 := mustVersionRow(t, e.store, e.ws, agent, 0), mustVersionRow(t, e.store, e.ws, llm, 0)
	if v.Revision != a0.Revision || a1.Revision != a0.Revision || a1.ModifiedAt != a0.ModifiedAt || l1.Revision != l0.Revision ||
		string(a1.Config) != string(a0.Config) {
		t.Errorf("repairing with nothing to fix wrote: agent %+v → %+v, llm revision %d → %d", a0, a1, l0.Revision, l1.Revision)
	}
}

// testRepairPublished: a published version cannot be repaired (409); an
// agent draft whose engine version is published is repaired alone.
func testRepairPublished(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[0]
	llm := e.mustCreateEngine(t, agentry.RetellLLM, `{}`).ResourceID
	agent := e.mustAgentOn(t, agentry.VoiceAgent, k.ref(llm)).ResourceID
	e.mustPublish(t, agent, 0)
	_, err := e.repair(agent, num(0))
	wantCode(t, err, agentry.ECONFLICT, "published", "create-agent-version")
	_, err = e.repair(agent, refNone) // the latest version is the published one
	wantCode(t, err, agentry.ECONFLICT, "version 0")
	_, err = e.repair(agent, num(5))
	wantCode(t, err, agentry.ENOTFOUND, "version 5")

	// A draft that pins the published engine version 0.
	draft := e.mustCreateVersion(t, agent, 0).Number
	e.rawConfig(t, agent, draft, fmt.Sprintf(`{"voice_id":%q,"response_engine":%s}`, goneVoice, k.refAt(llm, 0)))
	mustUpdate(t, e.store, func(tx agentry.Tx) error {
		v, err := tx.GetVersion(e.ws, agent, draft)
		if err != nil {
			return err
		}
		zero := int64(0)
		v.EngineVersion = &zero
		return tx.UpdateVersion(v)
	})
	e.rawConfig(t, llm, 0, `{"knowledge_base_ids":["knowledge_base_gone"]}`)
	published := mustVersionRow(t, e.store, e.ws, llm, 0)
	v, err := e.repair(agent, refNone)
	if err != nil {
		t.Fatal(err)
	}
	if config(t, v.Config)["voice_id"] != agentry.DefaultVoiceID() {
		t.Errorf("agent draft not repaired: %s", v.Config)
	}
	if after := mustVersionRow(t, e.store, e.ws, llm, 0); string(after.Config) != string(published.Config) || after.Revision != published.Revision {
		t.Errorf("the published engine version changed: %s", after.Config)
	}
}

func testRepairWorkspaces(t *testing.T, open Opener) {
	e := newEnv(t, open)
	agent := e.mustCreateAgent(t, agentry.VoiceAgent, `{"voice_id":"`+goneVoice+`"}`).ResourceID
	other := e.as(mustWorkspace(t, e.store, "ws-b"))
	_, err := e.svc.Repair(e.ctx, other, agentry.RepairRequest{AgentID: agent})
	wantCode(t, err, agentry.ENOTFOUND, agent)
	if v := e.mustGet(t, agent, num(0)); config(t, v.Config)["voice_id"] != goneVoice {
		t.Errorf("another workspace's repair changed the agent: %s", v.Config)
	}
}
