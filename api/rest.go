package api

// The parameters and examples of the operations on test cases, batch
// tests, apps and MCP tools (their block of operations.go).

const (
	tagTests = "Tests"
	tagApps  = "Apps"
	tagMCP   = "MCP tools"
)

func pathID(name, desc string) Param {
	return Param{Name: name, In: "path", Required: true, Description: desc, Schema: map[string]any{"type": "string", "minLength": 1}}
}

var (
	testCaseID = pathID("test_case_definition_id", "The test case definition's id.")
	batchID    = pathID("test_case_batch_job_id", "The batch test's id.")
	testRunID  = pathID("test_case_job_id", "The test run's id.")
	appID      = pathID("app_id", "The app's id.")

	// engineFilter names the engine whose tests a list holds.
	engineFilter = []Param{
		{Name: "type", In: "query", Required: true, Description: "The kind of engine.",
			Schema: map[string]any{"type": "string", "enum": []any{"retell-llm", "conversation-flow"}}},
		{Name: "llm_id", In: "query", Description: "The Retell LLM; required when type is retell-llm.", Schema: map[string]any{"type": "string"}},
		{Name: "conversation_flow_id", In: "query", Description: "The conversation flow; required when type is conversation-flow.",
			Schema: map[string]any{"type": "string"}},
	}
	batchVersion = Param{Name: "version", In: "query", Description: "The engine version the batches ran against; absent means its latest version.",
		Schema: map[string]any{"type": "integer", "minimum": 0}}

	// runPaging pages the runs of a batch, which list in the batch's order.
	runPaging = []Param{paging[0],
		{Name: "sort_order", In: "query", Description: "ascending: the order of the batch's test_case_definition_ids.",
			Schema: map[string]any{"type": "string", "enum": []any{"ascending", "descending"}, "default": "ascending"}},
		paging[2]}

	appForceDelete = Param{Name: "force_delete", In: "query",
		Description: "Delete even while app tools of agent or engine versions use it; they are left naming an app that no longer exists.",
		Schema:      map[string]any{"type": "boolean", "default": false}}

	mcpParams = []Param{
		{Name: "mcp_id", In: "query", Required: true, Description: "The MCP server's name in the configuration.", Schema: map[string]any{"type": "string", "minLength": 1}},
		{Name: "component_id", In: "query", Description: "The flow component whose mcps hold the server.", Schema: map[string]any{"type": "string"}},
	}
)

var exampleTestCase = map[string]any{
	"test_case_definition_id": "test_case_definition_4b1d9e2f7a3c4d5e8f9a0b1c2d3e4f5a", "type": "simulation",
	"name":              "Books a cleaning",
	"response_engine":   map[string]any{"type": "retell-llm", "llm_id": "llm_5c1e8f2a9b7d4e3f", "version": 2},
	"user_prompt":       "You are Ada and want a cleaning next Tuesday morning.",
	"metrics":           []any{"offers a Tuesday morning slot", "confirms the booking"},
	"dynamic_variables": map[string]any{"clinic": "Northside"},
	"tool_mocks": []any{map[string]any{"tool_name": "check_availability", "input_match_rule": map[string]any{"type": "any"},
		"output": `{"slots":["09:00","10:30"]}`}},
	"llm_model":          "gpt-4.1",
	"creation_timestamp": 1764340000000, "user_modified_timestamp": 1764340000000,
}

var exampleBatch = map[string]any{
	"test_case_batch_job_id": "test_case_batch_job_8e2f4a6c1b3d5e7f9a0b2c4d6e8f0a1b", "status": "in_progress",
	"response_engine": map[string]any{"type": "retell-llm", "llm_id": "llm_5c1e8f2a9b7d4e3f", "version": 2},
	"pass_count":      1, "fail_count": 0, "error_count": 0, "total_count": 2,
	"creation_timestamp": 1764340100000, "user_modified_timestamp": 1764340104000,
}

var exampleRun = map[string]any{
	"test_case_job_id": "test_case_job_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", "status": "pass",
	"test_case_definition_id":       "test_case_definition_4b1d9e2f7a3c4d5e8f9a0b1c2d3e4f5a",
	"test_case_definition_snapshot": exampleTestCase,
	"result_explanation":            "Both metrics held.",
	"transcript_snapshot":           map[string]any{"turns": []any{map[string]any{"role": "user", "content": "Hi, I need a cleaning."}}},
	"creation_timestamp":            1764340100000, "user_modified_timestamp": 1764340104000,
}

var exampleApp = map[string]any{
	"app_id": "app_0f1e2d3c4b5a69788796a5b4c3d2e1f0", "org_id": "ws_6b5a4c3d2e1f0a9b8c7d6e5f4a3b2c1d",
	"type": "crm", "provider": "hubspot", "name": "Sales", "connection_status": "connected",
	"auth_config":       map[string]any{"type": "oauth2", "client_id": "7d1e3f5a"},
	"created_timestamp": 1764340000000, "user_modified_timestamp": 1764340000000,
}

var exampleAppUsages = map[string]any{"has_more": false, "items": []any{map[string]any{
	"type": "agent", "agent_id": "agent_3f9c2a7d41b84e0c9a5d6e1f", "agent_name": "Front desk",
	"agent_versions": []any{3, 1}, "configured_timestamp": 1764340050000,
}}}

var exampleToolSchema = map[string]any{"complete": true, "input_schema": map[string]any{
	"type": "object", "properties": map[string]any{"email": map[string]any{"type": "string"}}, "required": []any{"email"},
}}

var exampleMCPTools = []any{map[string]any{
	"name": "search_files", "description": "Search the shared drive.",
	"inputSchema": map[string]any{"type": "object", "properties": map[string]any{"query": map[string]any{"type": "string"}}, "required": []any{"query"}},
}}

var successSchema = map[string]any{"type": "object", "required": []any{"success"},
	"properties": map[string]any{"success": map[string]any{"type": "boolean"}}}
