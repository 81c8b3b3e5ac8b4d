package gitops

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// References between objects by file name: shared components that use
// other shared components, and agent-swap tools and nodes, including
// agents that swap to each other.

func TestComponentsThatUseComponents(t *testing.T) {
	a, b := newTestServer(t), newTestServer(t)
	inner := str(a.call(201, "POST", "/create-conversation-flow-component", object{"name": "Inner",
		"nodes": []any{object{"id": "n", "type": "end"}}}), "conversation_flow_component_id")
	// "Aaa outer" sorts before "Inner": apply must still make Inner first.
	a.call(201, "POST", "/create-conversation-flow-component", object{"name": "Aaa outer",
		"nodes": []any{object{"id": "use", "type": "component", "component_type": "shared", "component_id": inner}}})
	dir := t.TempDir()
	pull(t, a, dir)
	want := files(t, dir)
	mustContain(t, "the outer component", want["components/aaa-outer.yaml"], "component_id: inner", "component_type: shared")
	if rep := apply(t, b, dir, Options{}); rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
	if rep := plan(t, b, dir, Options{}); rep.Changes() {
		t.Fatalf("plan:\n%s", reportText(rep))
	}
	dir2 := t.TempDir()
	pull(t, b, dir2)
	for name, text := range files(t, dir2) {
		if want[name] != text {
			t.Errorf("%s:\n%s\nwant\n%s", name, text, want[name])
		}
	}
}

// swapAgent makes a voice agent whose Retell LLM has an agent-swap tool to
// each of targets (ids), and returns its id.
func swapAgent(t *testing.T, s *testServer, name string, targets ...string) string {
	t.Helper()
	var tools []any
	for i, id := range targets {
		tools = append(tools, object{"type": "agent_swap", "name": fmt.Sprintf("swap_%d", i), "agent_id": id,
			"post_call_analysis_setting": "both_agents"})
	}
	llm := object{"general_prompt": name + " helps."}
	if len(tools) > 0 {
		llm["general_tools"] = tools
	}
	id := str(s.call(201, "POST", "/create-retell-llm", llm), "llm_id")
	return str(s.call(201, "POST", "/create-agent", object{"agent_name": name, "voice_id": "retell-Cimo",
		"response_engine": object{"type": "retell-llm", "llm_id": id}}), "agent_id")
}

func TestAgentSwapReferencesAreFileNames(t *testing.T) {
	a, b := newTestServer(t), newTestServer(t)
	// Sales swaps to Billing, Billing back to Sales: a cycle. Sales sorts
	// first, so apply makes it before Billing exists.
	billing := swapAgent(t, a, "Billing")
	sales := swapAgent(t, a, "Sales", billing)
	llm := pinnedEngine(a.call(200, "GET", "/get-agent/"+billing, nil)).id
	a.call(200, "PATCH", "/update-retell-llm/"+llm, object{"general_tools": []any{object{"type": "agent_swap", "name": "back",
		"agent_id": sales, "post_call_analysis_setting": "both_agents"}}})
	dir := t.TempDir()
	pull(t, a, dir)
	want := files(t, dir)
	mustContain(t, "sales.yaml", want["agents/sales.yaml"], "agent_id: agents/billing")
	mustContain(t, "billing.yaml", want["agents/billing.yaml"], "agent_id: agents/sales")

	rep := apply(t, b, dir, Options{Publish: true})
	if rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
	st, _ := LoadState(StatePath(dir, b.URL, b.key, ""), b.URL)
	for file, target := range map[string]string{"agents/sales.yaml": "agents/billing.yaml", "agents/billing.yaml": "agents/sales.yaml"} {
		v := b.call(200, "GET", "/get-agent/"+st.idOf(file), nil)
		ref := pinnedEngine(v)
		engine := b.call(200, "GET", fmt.Sprintf("/get-retell-llm/%s?version=%d", ref.id, *ref.version), nil)
		tool := engine["general_tools"].([]any)[0].(object)
		if tool["agent_id"] != st.idOf(target) || v["is_published"] != true || engine["is_published"] != true {
			t.Errorf("%s on the second server swaps to %v (want %s), published %v", file, tool["agent_id"], st.idOf(target), v["is_published"])
		}
		if strings.Contains(string(encodeJSON(engine)), pendingPrefix) {
			t.Errorf("%s keeps a placeholder: %v", file, engine)
		}
	}
	if rep := plan(t, b, dir, Options{Publish: true}); rep.Changes() {
		t.Fatalf("plan:\n%s", reportText(rep))
	}
	dir2 := t.TempDir()
	pull(t, b, dir2)
	for name, text := range files(t, dir2) {
		if want[name] != text {
			t.Errorf("%s:\n%s\nwant\n%s", name, text, want[name])
		}
	}
}

func TestComponentEditsSendIfMatch(t *testing.T) {
	a := newTestServer(t)
	w := populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	edit(t, dir, "components/collect-info.yaml", "Ask for the name.", "Ask for the full name.")
	a.before = func(r *http.Request) {
		if r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, "/update-conversation-flow-component/") && r.Header.Get("If-Match") != "" {
			// Someone edits the component between apply's read and its write.
			req, _ := http.NewRequest(http.MethodPatch, a.URL+r.URL.Path, strings.NewReader(`{"name":"Collect info by hand"}`))
			req.Header.Set("Authorization", "Bearer "+a.key)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		}
	}
	rep := apply(t, a, dir, Options{})
	a.before = nil
	if o := objectReport(t, rep, "components/collect-info.yaml"); o.Status != StatusConflict || !strings.Contains(o.Error, "412") {
		t.Fatalf("a component edited between apply's read and its write:\n%s", reportText(rep))
	}
	if got := a.call(200, "GET", "/get-conversation-flow-component/"+w.component, nil); got["name"] != "Collect info by hand" ||
		strings.Contains(string(encodeJSON(got)), "full name") {
		t.Fatalf("the edit made by hand was overwritten: %v", got)
	}
}

func TestListsAreReadPageByPage(t *testing.T) {
	a := newTestServer(t)
	populate(t, a)
	for i := range 4 {
		a.call(201, "POST", "/create-conversation-flow-component", object{"name": fmt.Sprintf("Extra %d", i), "nodes": []any{object{"id": "n", "type": "end"}}})
		a.call(201, "POST", "/create-agent", object{"agent_name": fmt.Sprintf("Extra %d", i), "voice_id": "retell-Cimo",
			"response_engine": object{"type": "custom-llm", "llm_websocket_url": "wss://example.com/llm"}})
		a.call(201, "POST", "/create-phone-number", object{"area_code": 415})
	}
	dir := t.TempDir()
	st, _ := LoadState(StatePath(dir, a.URL, a.key, ""), a.URL)
	c := a.client()
	c.pageSize = 2
	if _, err := Pull(ctx, c, dir, st, nil); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for name := range files(t, dir) {
		count[strings.SplitN(name, "/", 2)[0]]++
	}
	if count["components"] != 5 || count["agents"] != 9 || count["phone-numbers"] != 5 {
		t.Fatalf("pulled two at a time: %v", count)
	}
}

func TestAnEngineSharedByAgents(t *testing.T) {
	a, b := newTestServer(t), newTestServer(t)
	llm := str(a.call(201, "POST", "/create-retell-llm", object{"general_prompt": "Shared."}), "llm_id")
	for _, name := range []string{"One", "Two"} {
		a.call(201, "POST", "/create-agent", object{"agent_name": name, "voice_id": "retell-Cimo",
			"response_engine": object{"type": "retell-llm", "llm_id": llm}})
	}
	dir := t.TempDir()
	rep := pull(t, a, dir)
	if w := strings.Join(rep.Warnings, "\n"); !strings.Contains(w, llm+" is the engine of agents/one.yaml and agents/two.yaml: each file holds it") {
		t.Fatalf("pull says which engine agents share: %v", rep.Warnings)
	}
	// Each file holds the engine: another server gets one per agent, each
	// with the same configuration.
	if rep := apply(t, b, dir, Options{}); rep.Failed() {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
	llms := b.call(200, "GET", "/v2/list-retell-llms", nil)["items"].([]any)
	if len(llms) != 2 || llms[0].(object)["general_prompt"] != "Shared." || llms[1].(object)["general_prompt"] != "Shared." {
		t.Fatalf("the second server's LLMs: %v", llms)
	}
}
