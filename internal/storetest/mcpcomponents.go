package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/mcptest"
	"github.com/agentry/agentry/outbound"
)

// mcpComponentTests cover get-mcp-tools with a component_id that names a
// shared component: the server is looked up in what the flow version
// serves, and asked for its tools (a real MCP server, internal/mcptest).
var mcpComponentTests = []suiteTest{
	{"MCPToolsOfSharedComponents", testMCPToolsOfSharedComponents},
}

// mcpServer starts an MCP server that lists one tool called name.
func mcpServer(t *testing.T, name string) *mcptest.Server {
	return mcptest.Start(t, &mcptest.Server{Tools: []mcptest.Tool{{Name: name, Description: name, InputSchema: map[string]any{"type": "object"}}}})
}

// mcpComponent is a shared component whose MCP server "crm" is at url.
func mcpComponent(name, url string) string {
	return fmt.Sprintf(`{"name":%q,"start_node_id":"ask","nodes":[{"id":"ask","type":"conversation"}],"mcps":[{"name":"crm","url":%q}]}`, name, url)
}

func testMCPToolsOfSharedComponents(t *testing.T, open Opener) {
	e := newEnv(t, open)
	e.svc.MCP = &outbound.MCPClient{}
	k := engineKinds[1]
	before, after, nested := mcpServer(t, "before_edit"), mcpServer(t, "after_edit"), mcpServer(t, "nested")
	comp := e.mustCreateComponent(t, mcpComponent("CRM", before.URL)).ID
	inner := e.mustCreateComponent(t, mcpComponent("Inner", nested.URL)).ID
	// The flow uses comp from a node, and inner through a local component.
	flow := e.mustCreateEngine(t, k.kind, fmt.Sprintf(`{"start_node_id":"c","nodes":[
		{"id":"c","type":"component","component_type":"shared","component_id":%q}],
		"components":[{"name":"local","nodes":[{"id":"i","type":"component","component_type":"shared","component_id":%q}],
			"mcps":[{"name":"crm","url":%q}]}]}`, comp, inner, after.URL)).ResourceID
	agent := e.mustCreateAgent(t, agentry.VoiceAgent, `{"response_engine":`+k.ref(flow)+`}`).ResourceID
	tools := func(ref agentry.VersionRef, componentID string) ([]string, error) {
		t.Helper()
		got, err := e.svc.MCPTools(e.ctx, e.caller(), agentry.MCPToolsRequest{AgentID: agent, Version: ref, MCPID: "crm", ComponentID: componentID})
		var names []string
		for _, tool := range got {
			names = append(names, tool.Name)
		}
		return names, err
	}
	want := func(ref agentry.VersionRef, componentID string, names ...string) {
		t.Helper()
		got, err := tools(ref, componentID)
		if err != nil || !slices.Equal(got, names) {
			t.Errorf("tools of %q at %+v: %v, %v; want %v", componentID, ref, got, err, names)
		}
	}
	want(refNone, comp, "before_edit")
	want(refNone, "CRM", "before_edit") // by name
	want(refNone, inner, "nested")      // used through a local component
	want(refNone, "local", "after_edit")
	if methods := before.Methods(); len(methods) == 0 || methods[0] != "initialize" {
		t.Errorf("the component's server saw %v", methods)
	}

	// A published version serves the component as it was published; the
	// draft after it, the component as it is now.
	e.mustPublish(t, agent, 0)
	draft := e.mustCreateVersion(t, agent, 0).Number
	e.clock.Advance(time.Second)
	if _, err := e.svc.UpdateComponent(e.ctx, e.caller(), agentry.UpdateComponentRequest{ID: comp,
		Patch: fields(t, fmt.Sprintf(`{"mcps":[{"name":"crm","url":%q}]}`, after.URL))}); err != nil {
		t.Fatal(err)
	}
	want(num(0), comp, "before_edit")
	want(num(draft), comp, "after_edit")
	want(refLatPub, "CRM", "before_edit")

	// Deleted, the component lives on in the draft as a local copy that
	// keeps its id, and in the published version as it was kept.
	if err := e.svc.DeleteComponent(e.ctx, e.caller(), comp); err != nil {
		t.Fatal(err)
	}
	want(num(draft), comp, "after_edit")
	want(num(0), comp, "before_edit")

	_, err := tools(refNone, "component_missing")
	wantCode(t, err, agentry.ENOTFOUND, `no component "component_missing"`, inner, `"local"`)
	other := e.as(mustWorkspace(t, e.store, "ws-b"))
	_, err = e.svc.MCPTools(e.ctx, other, agentry.MCPToolsRequest{AgentID: agent, MCPID: "crm", ComponentID: inner})
	wantCode(t, err, agentry.ENOTFOUND, agent)
	// An LLM has no components.
	llmAgent := e.mustAgentOn(t, agentry.ChatAgent, engineKinds[0].ref(e.mustCreateEngine(t, agentry.RetellLLM, `{}`).ResourceID)).ResourceID
	_, err = e.svc.MCPTools(e.ctx, e.caller(), agentry.MCPToolsRequest{AgentID: llmAgent, MCPID: "crm", ComponentID: inner})
	wantCode(t, err, agentry.ENOTFOUND, `no component "`+inner+`"`, "it has none")
}
