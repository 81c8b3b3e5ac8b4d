package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// appLinkTests cover what apps owe the configurations that name them: an app
// tool must name an app of the workspace with its provider when it is saved,
// a deletion races those saves safely, shared components are uses too, and
// repair-agent removes the app tools of apps deleted with force_delete.
var appLinkTests = []suiteTest{
	{"AppToolsMustNameApps", testAppToolsMustNameApps},
	{"ConcurrentAppToolAndDelete", testConcurrentAppToolAndDelete},
	{"AppUsesThroughSharedComponents", testAppUsesThroughSharedComponents},
	{"RepairRemovesToolsOfDeletedApps", testRepairRemovesToolsOfDeletedApps},
	{"RepairFlowToolsOfDeletedApps", testRepairFlowToolsOfDeletedApps},
}

// appToolNamed is an app tool called name of app id with the given provider.
func appToolNamed(id, provider, name string) string {
	return fmt.Sprintf(`{"type":"integration_app","name":%q,"app_id":%q,"provider":%q,"app_tool_template_name":"find_contact"}`, name, id, provider)
}

// flowAppTool is a tool of a flow (or a component) with a tool_id.
func flowAppTool(toolID, appID string) string {
	return fmt.Sprintf(`{"tool_id":%q,"type":"integration_app","name":"n_%s","app_id":%q,"provider":"hubspot","app_tool_template_name":"find_contact"}`, toolID, toolID, appID)
}

func testAppToolsMustNameApps(t *testing.T, open Opener) {
	e := newEnv(t, open)
	app := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot"}`)
	otherWS := mustWorkspace(t, e.store, "ws-b")
	theirs := e.mustCreateApp(t, otherWS, `{"type":"crm","provider":"hubspot"}`)
	const missing = "app_0123456789abcdef0123456789abcdef"

	agent := func(tool string) string { return `{"pre_session_tools":[` + tool + `]}` }
	for _, tc := range []struct {
		name string
		kind *agentry.Kind
		doc  string
		path string
	}{
		{"agent pre-session tool", agentry.VoiceAgent, agent(appToolNamed(missing, "hubspot", "a")), "pre_session_tools[0].app_id"},
		{"chat agent post-session tool", agentry.ChatAgent, `{"post_session_tools":[` + appToolNamed(missing, "hubspot", "a") + `]}`, "post_session_tools[0].app_id"},
		{"LLM general tool", agentry.RetellLLM, `{"general_tools":[` + appToolNamed(missing, "hubspot", "a") + `]}`, "general_tools[0].app_id"},
		{"LLM state tool", agentry.RetellLLM, `{"states":[{"name":"s","tools":[{"type":"end_call","name":"e"},` + appToolNamed(missing, "hubspot", "a") + `]}]}`, "states[0].tools[1].app_id"},
		{"flow tool", agentry.ConversationFlow, `{"tools":[` + flowAppTool("t", missing) + `]}`, "tools[0].app_id"},
		{"subagent node tool", agentry.ConversationFlow, `{"nodes":[{"id":"s","type":"subagent","tools":[` + appToolNamed(missing, "hubspot", "a") + `]}]}`, "nodes[0].tools[0].app_id"},
		{"local component tool", agentry.ConversationFlow, `{"components":[{"name":"c","nodes":[],"tools":[` + flowAppTool("t", missing) + `]}]}`, "components[0].tools[0].app_id"},
		{"another workspace's app", agentry.VoiceAgent, agent(appToolNamed(theirs.ID, "hubspot", "a")), "pre_session_tools[0].app_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.create(e.ws, tc.kind, fields(t, tc.doc))
			wantCode(t, err, agentry.EUNPROCESSABLE, tc.path+": no app ")
		})
	}
	// A shared component answers 404 for what it names, as the reference
	// documents its endpoints.
	_, err := e.svc.CreateComponent(e.ctx, e.caller(), fields(t, `{"name":"c","nodes":[],"tools":[`+flowAppTool("t", missing)+`]}`))
	wantCode(t, err, agentry.ENOTFOUND, "tools[0].app_id: no app "+missing)
	// The provider must be the app's (the reference's prose): a 400 naming it.
	_, err = e.create(e.ws, agentry.VoiceAgent, fields(t, agent(appToolNamed(app.ID, "salesforce", "a"))))
	wantCode(t, err, agentry.EINVALID, "pre_session_tools[0].provider", `"salesforce"`, `"hubspot"`)
	if ids := e.agentIDs(t); len(ids) != 0 {
		t.Fatalf("refused creates left agents %v", ids)
	}

	// Naming an app of the workspace with its provider works everywhere.
	a := e.mustCreateAgent(t, agentry.VoiceAgent, agent(appToolNamed(app.ID, "hubspot", "a")))
	e.mustCreateEngine(t, agentry.ConversationFlow, `{"tools":[`+flowAppTool("t", app.ID)+`],"components":[{"name":"c","nodes":[],"tools":[`+flowAppTool("u", app.ID)+`]}]}`)
	comp := e.mustCreateComponent(t, `{"name":"c","nodes":[],"tools":[`+flowAppTool("t", app.ID)+`]}`)

	// Updates check what they send, and a refused one changes nothing.
	before := mustVersionRow(t, e.store, e.ws, a.ResourceID, 0)
	_, err = e.update(e.ws, agentry.VoiceAgent, a.ResourceID, refNone, fields(t, `{"post_session_tools":[`+appToolNamed(missing, "hubspot", "b")+`]}`), "")
	wantCode(t, err, agentry.EUNPROCESSABLE, "post_session_tools[0].app_id: no app "+missing)
	_, err = e.svc.UpdateComponent(e.ctx, e.caller(), agentry.UpdateComponentRequest{ID: comp.ID,
		Patch: fields(t, `{"tools":[`+flowAppTool("t", missing)+`]}`)})
	wantCode(t, err, agentry.ENOTFOUND, "tools[0].app_id")
	if after := mustVersionRow(t, e.store, e.ws, a.ResourceID, 0); after.Revision != before.Revision || string(after.Config) != string(before.Config) {
		t.Errorf("a refused update changed the agent: %s", after.Config)
	}

	// After a forced delete the tool names an app that is gone: updates of
	// other fields still work, resending the tool does not.
	if err := e.svc.DeleteApp(e.ctx, e.caller(), app.ID, true); err != nil {
		t.Fatal(err)
	}
	e.mustUpdateVersion(t, a.ResourceID, refNone, `{"agent_name":"renamed"}`)
	_, err = e.update(e.ws, agentry.VoiceAgent, a.ResourceID, refNone, fields(t, agent(appToolNamed(app.ID, "hubspot", "a"))), "")
	wantCode(t, err, agentry.EUNPROCESSABLE, "pre_session_tools[0].app_id: no app "+app.ID)
}

// testConcurrentAppToolAndDelete races saves that add an app tool against
// the app's deletion without force: either the deletion is refused, or no
// save that names the app succeeded. No version may be left naming an app
// that a plain delete-app removed.
func testConcurrentAppToolAndDelete(t *testing.T, open Opener) {
	const rounds, writers = 8, 5
	e := newEnv(t, open)
	llms := make([]string, writers)
	for i := range llms {
		llms[i] = e.mustCreateEngine(t, agentry.RetellLLM, `{"general_prompt":"p"}`).ResourceID
	}
	for round := range rounds {
		app := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot"}`).ID
		errs := make([]error, writers)
		var delErr error
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				_, errs[i] = e.update(e.ws, agentry.RetellLLM, llms[i], refNone, fields(t, `{"general_tools":[`+appToolNamed(app, "hubspot", "a")+`]}`), "")
			})
			if i == writers/2 {
				wg.Go(func() { delErr = e.svc.DeleteApp(e.ctx, e.caller(), app, false) })
			}
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil && agentry.ErrorCode(err) != agentry.EUNPROCESSABLE {
				t.Fatalf("round %d: update #%d: %v, want success or EUNPROCESSABLE", round, i, err)
			}
		}
		switch {
		case delErr == nil:
			for i := range llms {
				if v := e.mustGetEngine(t, agentry.RetellLLM, llms[i], refNone); strings.Contains(string(v.Config), app) {
					t.Errorf("round %d: LLM %s names app %s, which delete-app removed without force", round, llms[i], app)
				}
			}
		case agentry.ErrorCode(delErr) != agentry.EINVALID:
			t.Fatalf("round %d: DeleteApp: %v", round, delErr)
		default:
			if !slices.Contains(errs, nil) {
				t.Fatalf("round %d: delete-app refused (%v) though no save used the app", round, delErr)
			}
		}
		for _, l := range llms {
			e.mustUpdateEngine(t, agentry.RetellLLM, l, refNone, `{"general_tools":null}`)
		}
	}
}

// testAppUsesThroughSharedComponents: an app tool of a shared component is a
// use of the app by the component, and by every agent whose flow version
// serves it: drafts the component as it is, published versions what they
// kept.
func testAppUsesThroughSharedComponents(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[1]
	app := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot"}`).ID
	withTool := `{"name":"crm","nodes":[],"tools":[` + flowAppTool("t", app) + `]}`
	comp := e.mustCreateComponent(t, withTool).ID

	// A component that no flow uses still holds the tool.
	wantCode(t, e.svc.DeleteApp(e.ctx, e.caller(), app, false), agentry.EINVALID, "shared conversation flow component "+comp, "force_delete")
	usages := func() []agentry.AppUsage {
		t.Helper()
		page, err := e.svc.ListAppUsages(e.ctx, e.caller(), app, agentry.PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return page.Items
	}
	if u := usages(); len(u) != 0 {
		t.Errorf("usages of a component no flow uses: %+v", u)
	}

	// An agent whose flow uses the component, through another shared
	// component, uses the app.
	outer := e.mustCreateComponent(t, fmt.Sprintf(`{"name":"outer","start_node_id":"c","nodes":[{"id":"c","type":"component","component_type":"shared","component_id":%q}]}`, comp)).ID
	flow := e.mustCreateEngine(t, k.kind, sharedFlow(outer)).ResourceID
	agent := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"Via component","response_engine":`+k.ref(flow)+`}`).ResourceID
	if u := usages(); len(u) != 1 || u[0].AgentID != agent || u[0].AgentName != "Via component" || !slices.Equal(u[0].Versions, []int64{0}) {
		t.Fatalf("usages %+v, want agent %s version 0", u, agent)
	}
	wantCode(t, e.svc.DeleteApp(e.ctx, e.caller(), app, false), agentry.EINVALID, agent)

	// Published, the version keeps the component as it was: dropping the
	// tool from the component reaches the new draft only.
	e.mustPublish(t, agent, 0)
	e.mustCreateVersion(t, agent, 0)
	if _, err := e.svc.UpdateComponent(e.ctx, e.caller(), agentry.UpdateComponentRequest{ID: comp, Patch: fields(t, `{"tools":[]}`)}); err != nil {
		t.Fatal(err)
	}
	if u := usages(); len(u) != 1 || !slices.Equal(u[0].Versions, []int64{0}) {
		t.Fatalf("usages after the component dropped the tool: %+v, want version 0 (published) only", u)
	}
	wantCode(t, e.svc.DeleteApp(e.ctx, e.caller(), app, false), agentry.EINVALID, agent, "versions 0")

	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: agent}); err != nil {
		t.Fatal(err)
	}
	if u := usages(); len(u) != 0 {
		t.Errorf("usages after the agent went: %+v", u)
	}
	// The flow's published version still holds the kept component.
	wantCode(t, e.svc.DeleteApp(e.ctx, e.caller(), app, false), agentry.EINVALID, flow, "version 0")
	if err := e.svc.DeleteApp(e.ctx, e.caller(), app, true); err != nil {
		t.Fatal(err)
	}
}

func testRepairRemovesToolsOfDeletedApps(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[0]
	dead := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot"}`).ID
	live := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot"}`).ID
	llm := e.mustCreateEngine(t, agentry.RetellLLM, `{"general_tools":[`+appToolNamed(dead, "hubspot", "g")+`,{"type":"end_call","name":"end"}],
		"states":[{"name":"s","tools":[`+appToolNamed(dead, "hubspot", "st")+`,`+appToolNamed(live, "hubspot", "st2")+`]}],"starting_state":"s"}`).ResourceID
	agent := e.mustCreateAgent(t, agentry.VoiceAgent, `{"voice_id":"retell-Cimo","response_engine":`+k.ref(llm)+`,
		"pre_session_tools":[`+appToolNamed(dead, "hubspot", "lookup")+`,{"type":"custom","name":"greet","url":"https://x.example","depends_on":["lookup","keep"]},
			`+appToolNamed(live, "hubspot", "keep")+`],
		"post_session_tools":[`+appToolNamed(dead, "hubspot", "log_call")+`,{"type":"custom","name":"notify","url":"https://x.example","depends_on":["log_call"]}]}`).ResourceID
	// A published agent with the same tools, and a draft branched from it.
	pub := e.mustCreateAgent(t, agentry.ChatAgent, `{"pre_session_tools":[`+appToolNamed(dead, "hubspot", "x")+`],"response_engine":`+
		k.ref(e.mustCreateEngine(t, agentry.RetellLLM, `{"general_tools":[`+appToolNamed(dead, "hubspot", "g")+`]}`).ResourceID)+`}`)
	e.mustPublish(t, pub.ResourceID, 0)
	branch := e.mustCreateVersion(t, pub.ResourceID, 0)

	if err := e.svc.DeleteApp(e.ctx, e.caller(), dead, true); err != nil {
		t.Fatal(err)
	}
	llmBefore := mustVersionRow(t, e.store, e.ws, llm, 0)
	at := e.clock.Advance(time.Second)
	v, err := e.repair(agent, refNone)
	if err != nil {
		t.Fatal(err)
	}
	wantConfig(t, v.Config, fmt.Sprintf(`{"voice_id":"retell-Cimo","response_engine":%s,
		"pre_session_tools":[{"type":"custom","name":"greet","url":"https://x.example","depends_on":["keep"]},%s],
		"post_session_tools":[{"type":"custom","name":"notify","url":"https://x.example","depends_on":[]}]}`,
		k.refAt(llm, 0), appToolNamed(live, "hubspot", "keep")))
	if got := e.mustGet(t, agent, refNone); string(got.Config) != string(v.Config) || got.ModifiedAt != at {
		t.Errorf("stored agent %s (modified %d), answered %s", got.Config, got.ModifiedAt, v.Config)
	}
	lv := mustVersionRow(t, e.store, e.ws, llm, 0)
	wantConfig(t, lv.Config, `{"general_tools":[{"type":"end_call","name":"end"}],
		"states":[{"name":"s","tools":[`+appToolNamed(live, "hubspot", "st2")+`]}],"starting_state":"s"}`)
	if lv.Revision != llmBefore.Revision+1 || lv.ModifiedAt != at {
		t.Errorf("repaired LLM: revision %d (was %d), modified %d", lv.Revision, llmBefore.Revision, lv.ModifiedAt)
	}

	// Each repaired draft is recorded as an edit of it, with the fields the
	// repair changed.
	log := e.auditLog(t, e.ws, agentry.AuditFilter{Since: at})
	if got := actions(log); !slices.Equal(got, []string{"agent.updated", "retell_llm.updated"}) {
		t.Fatalf("repair recorded %v", got)
	}
	if got := log[0]; got.ObjectID != agent || *got.Version != 0 || !slices.Equal(got.Paths, []string{"/post_session_tools", "/pre_session_tools"}) ||
		details(t, got)["by"] != "repair-agent" {
		t.Errorf("agent entry %+v %s", got, got.Details)
	}
	if got := log[1]; got.ObjectID != llm || *got.Version != 0 || !slices.Equal(got.Paths, []string{"/general_tools", "/states"}) {
		t.Errorf("LLM entry %+v", got)
	}
	// A second repair finds nothing to fix: nothing is written or recorded.
	e.clock.Advance(time.Second)
	again, err := e.repair(agent, refNone)
	if err != nil || again.Revision != v.Revision {
		t.Fatalf("second repair: revision %d → %d, %v", v.Revision, again.Revision, err)
	}
	if n := len(e.auditLog(t, e.ws, agentry.AuditFilter{Since: at})); n != 2 {
		t.Errorf("a repair with nothing to fix recorded entries: %d", n)
	}

	// The published version is a 409; the draft branched from it is
	// repaired, the published engine version it was copied from is not.
	_, err = e.repair(pub.ResourceID, num(0))
	wantCode(t, err, agentry.ECONFLICT, "published")
	fixed, err := e.repair(pub.ResourceID, num(branch.Number))
	if err != nil {
		t.Fatal(err)
	}
	if tools := config(t, fixed.Config)["pre_session_tools"]; len(tools.([]any)) != 0 {
		t.Errorf("branched draft keeps %v", tools)
	}
	if p := e.mustGet(t, pub.ResourceID, num(0)); !strings.Contains(string(p.Config), dead) {
		t.Errorf("the published version changed: %s", p.Config)
	}
	pubLLM := e.mustGetEngine(t, agentry.RetellLLM, pub.EngineID, num(0))
	if !strings.Contains(string(pubLLM.Config), dead) {
		t.Errorf("the published LLM version changed: %s", pubLLM.Config)
	}
	if draftLLM := e.mustGetEngine(t, agentry.RetellLLM, pub.EngineID, num(*fixed.EngineVersion)); strings.Contains(string(draftLLM.Config), dead) {
		t.Errorf("the draft LLM version keeps the tool: %s", draftLLM.Config)
	}
}

func testRepairFlowToolsOfDeletedApps(t *testing.T, open Opener) {
	e := newEnv(t, open)
	k := engineKinds[1]
	dead := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot"}`).ID
	live := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot"}`).ID
	flow := e.mustCreateEngine(t, agentry.ConversationFlow, `{"start_node_id":"fn",
		"tools":[`+flowAppTool("t_dead", dead)+`,`+flowAppTool("t_live", live)+`],
		"nodes":[
			{"id":"fn","type":"function","tool_id":"t_dead","tool_type":"local","edges":[{"id":"e0","destination_node_id":"talk"}]},
			{"id":"talk","type":"conversation","edges":[{"id":"e1","destination_node_id":"fn"},{"id":"e2","destination_node_id":"live"}],
			 "else_edge":{"id":"e3","destination_node_id":"fn"}},
			{"id":"live","type":"function","tool_id":"t_live","tool_type":"local"},
			{"id":"shared","type":"function","tool_id":"t_dead","tool_type":"shared"},
			{"id":"sub","type":"subagent","tools":[`+appToolNamed(dead, "hubspot", "s1")+`,{"type":"end_call","name":"bye"}]}],
		"components":[{"name":"local","start_node_id":"cfn",
			"tools":[`+flowAppTool("c_dead", dead)+`,`+flowAppTool("t_live", live)+`],
			"nodes":[{"id":"cfn","type":"function","tool_id":"c_dead","tool_type":"local"},
				{"id":"outer","type":"function","tool_id":"t_dead","tool_type":"local"},
				{"id":"own","type":"function","tool_id":"t_live","tool_type":"local"},
				{"id":"cend","type":"end","edges":[{"id":"ce","destination_node_id":"cfn"}]}]}]}`).ResourceID
	agent := e.mustCreateAgent(t, agentry.ChatAgent, `{"response_engine":`+k.ref(flow)+`}`).ResourceID
	if err := e.svc.DeleteApp(e.ctx, e.caller(), dead, true); err != nil {
		t.Fatal(err)
	}
	at := e.clock.Advance(time.Second)
	if _, err := e.repair(agent, refNone); err != nil {
		t.Fatal(err)
	}
	fv := mustVersionRow(t, e.store, e.ws, flow, 0)
	wantConfig(t, fv.Config, `{
		"tools":[`+flowAppTool("t_live", live)+`],
		"nodes":[
			{"id":"talk","type":"conversation","edges":[{"id":"e2","destination_node_id":"live"}]},
			{"id":"live","type":"function","tool_id":"t_live","tool_type":"local"},
			{"id":"shared","type":"function","tool_id":"t_dead","tool_type":"shared"},
			{"id":"sub","type":"subagent","tools":[{"type":"end_call","name":"bye"}]}],
		"components":[{"name":"local",
			"tools":[`+flowAppTool("t_live", live)+`],
			"nodes":[{"id":"own","type":"function","tool_id":"t_live","tool_type":"local"},
				{"id":"cend","type":"end","edges":[]}]}]}`)
	log := e.auditLog(t, e.ws, agentry.AuditFilter{Since: at})
	if len(log) != 1 || log[0].Action != "conversation_flow.updated" ||
		!slices.Equal(log[0].Paths, []string{"/components", "/nodes", "/start_node_id", "/tools"}) {
		t.Errorf("repair recorded %+v", log)
	}
}
