package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/internal/mcptest"
	"github.com/agentry/agentry/internal/reference"
	"github.com/agentry/agentry/outbound"
)

// lockedBuffer collects log output from the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// restEnv is a server whose service asks real MCP servers, with its log.
func restEnv(t *testing.T) (*env, *agentry.Service, *lockedBuffer) {
	var svc *agentry.Service
	log := &lockedBuffer{}
	e := newEnv(t, func(s *httpapi.Server) {
		s.Service.MCP = &outbound.MCPClient{}
		s.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
		svc = s.Service
	})
	return e, svc, log
}

func (e *env) mustAs(method, path, key string, body string, status int) response {
	e.t.Helper()
	r := e.do(method, path, key, []byte(body))
	if r.status != status {
		e.t.Fatalf("%s %s: %d %s, want %d", method, path, r.status, r.body, status)
	}
	return r
}

func TestTestResponsesMatchTheReference(t *testing.T) {
	e, svc, _ := restEnv(t)
	llm := e.mustAs("POST", "/create-retell-llm", e.keyA, `{"general_prompt":"Hi"}`, 201).json(t)["llm_id"].(string)
	engine := fmt.Sprintf(`{"type":"retell-llm","llm_id":%q}`, llm)
	d := e.mustAs("POST", "/create-test-case-definition", e.keyA, `{"name":"n","response_engine":`+engine+`,"user_prompt":"u","metrics":["m"],
		"tool_mocks":[{"tool_name":"book","input_match_rule":{"type":"partial_match","args":{"day":"tue"}},"output":"{}","result":null}]}`, 201)
	reference.Validate(t, "TestCaseDefinition", d.body)
	id := d.json(t)["test_case_definition_id"].(string)
	reference.Validate(t, "TestCaseDefinition", e.mustAs("GET", "/get-test-case-definition/"+id, e.keyA, "", 200).body)
	up := e.mustAs("PUT", "/update-test-case-definition/"+id, e.keyA, `{"metrics":["a","b"]}`, 200)
	reference.Validate(t, "TestCaseDefinition", up.body)
	if m := up.json(t); m["name"] != "n" || len(m["metrics"].([]any)) != 2 {
		t.Errorf("PUT of metrics only: %s", up.body)
	}
	var page struct{ Items []json.RawMessage }
	json.Unmarshal(e.mustAs("GET", "/v2/list-test-case-definitions?type=retell-llm&llm_id="+llm, e.keyA, "", 200).body, &page)
	if len(page.Items) != 1 {
		t.Fatalf("list: %d items", len(page.Items))
	}
	reference.Validate(t, "TestCaseDefinition", page.Items[0])

	b := e.mustAs("POST", "/create-batch-test", e.keyA, `{"response_engine":`+engine+`,"test_case_definition_ids":[`+fmt.Sprintf("%q", id)+`]}`, 201)
	reference.Validate(t, "TestCaseBatchJob", b.body)
	batch := b.json(t)["test_case_batch_job_id"].(string)
	runs := e.mustAs("GET", "/v2/list-test-runs/"+batch, e.keyA, "", 200)
	json.Unmarshal(runs.body, &page)
	reference.Validate(t, "TestCaseJob", page.Items[0])
	if run := page.Items[0]; !bytes.Contains(run, []byte(`"status":"pending"`)) || !bytes.Contains(run, []byte(`"result_explanation":null`)) {
		t.Errorf("a new run: %s", run)
	}
	w := &agentry.TestWorker{Service: svc, Logger: slog.New(slog.DiscardHandler)}
	if _, err := w.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(e.mustAs("GET", "/v2/list-test-runs/"+batch, e.keyA, "", 200).body, &page)
	runID := jsonField(t, page.Items[0], "test_case_job_id")
	got := e.mustAs("GET", "/get-test-run/"+runID, e.keyA, "", 200)
	reference.Validate(t, "TestCaseJob", got.body)
	if m := got.json(t); m["status"] != "error" || m["result_explanation"] != agentry.NoRunnerMessage {
		t.Errorf("run without a runner: %s", got.body)
	}
	done := e.mustAs("GET", "/get-batch-test/"+batch, e.keyA, "", 200)
	reference.Validate(t, "TestCaseBatchJob", done.body)
	if m := done.json(t); m["status"] != "complete" || m["error_count"] != float64(1) {
		t.Errorf("finished batch: %s", done.body)
	}
	json.Unmarshal(e.mustAs("GET", "/v2/list-batch-tests?type=retell-llm&llm_id="+llm+"&version=0", e.keyA, "", 200).body, &page)
	if len(page.Items) != 1 {
		t.Fatalf("list-batch-tests: %d items", len(page.Items))
	}
	reference.Validate(t, "TestCaseBatchJob", page.Items[0])
}

func jsonField(t *testing.T, raw []byte, field string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[field].(string)
	return s
}

func TestTestBadInputIsRefused(t *testing.T) {
	e, _, _ := restEnv(t)
	llm := e.mustAs("POST", "/create-retell-llm", e.keyA, `{}`, 201).json(t)["llm_id"].(string)
	engine := fmt.Sprintf(`{"type":"retell-llm","llm_id":%q}`, llm)
	valid := `"response_engine":` + engine + `,"user_prompt":"u","metrics":["m"]`
	id := e.mustAs("POST", "/create-test-case-definition", e.keyA, `{"name":"n",`+valid+`}`, 201).json(t)["test_case_definition_id"].(string)
	before := e.mustAs("GET", "/get-test-case-definition/"+id, e.keyA, "", 200).body
	for _, c := range []struct {
		name, method, path, body string
		status                   int
		message                  string
	}{
		{"create without name", "POST", "/create-test-case-definition", `{` + valid + `}`, 400, "name: is required"},
		{"custom LLM engine", "POST", "/create-test-case-definition", `{"name":"n","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"},"user_prompt":"u","metrics":[]}`, 400, "response_engine.type"},
		{"unknown model", "POST", "/create-test-case-definition", `{"name":"n",` + valid + `,"llm_model":"gpt-2"}`, 400, "llm_model"},
		{"mock output too long", "POST", "/create-test-case-definition", `{"name":"n",` + valid + `,"tool_mocks":[{"tool_name":"t","input_match_rule":{"type":"any"},"output":"` + strings.Repeat("x", 15001) + `"}]}`, 400, "tool_mocks[0].output"},
		{"partial match without args", "POST", "/create-test-case-definition", `{"name":"n",` + valid + `,"tool_mocks":[{"tool_name":"t","input_match_rule":{"type":"partial_match"},"output":""}]}`, 400, "input_match_rule.args"},
		{"missing engine", "POST", "/create-test-case-definition", `{"name":"n","response_engine":{"type":"retell-llm","llm_id":"llm_0"},"user_prompt":"u","metrics":[]}`, 422, "llm_0"},
		{"update with null", "PUT", "/update-test-case-definition/" + id, `{"name":null}`, 400, "name: cannot be null"},
		{"list without type", "GET", "/v2/list-test-case-definitions?llm_id=" + llm, ``, 400, "type: is required"},
		{"list without the engine id", "GET", "/v2/list-test-case-definitions?type=retell-llm", ``, 400, "llm_id: is required"},
		{"list with the other id", "GET", "/v2/list-batch-tests?type=retell-llm&llm_id=" + llm + "&conversation_flow_id=x", ``, 400, "conversation_flow_id: not allowed"},
		{"list with a bad version", "GET", "/v2/list-batch-tests?type=retell-llm&llm_id=" + llm + "&version=latest", ``, 400, "version"},
		{"list with a bad limit", "GET", "/v2/list-test-runs/x?limit=0", ``, 400, "limit"},
		{"batch without ids", "POST", "/create-batch-test", `{"response_engine":` + engine + `,"test_case_definition_ids":[]}`, 400, "test_case_definition_ids: must not be empty"},
		{"batch of a missing definition", "POST", "/create-batch-test", `{"response_engine":` + engine + `,"test_case_definition_ids":["test_case_definition_x"]}`, 422, "test_case_definition_ids[0]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.do(c.method, c.path, e.keyA, []byte(c.body)), c.status, c.message)
		})
	}
	if after := e.mustAs("GET", "/get-test-case-definition/"+id, e.keyA, "", 200).body; !bytes.Equal(before, after) {
		t.Errorf("refused updates changed the definition:\n%s\n%s", before, after)
	}
	var page struct{ Items []any }
	json.Unmarshal(e.mustAs("GET", "/v2/list-test-case-definitions?type=retell-llm&llm_id="+llm, e.keyA, "", 200).body, &page)
	if len(page.Items) != 1 {
		t.Errorf("refused creates left %d definitions", len(page.Items))
	}
}

func TestAppsAnswerWithoutSecrets(t *testing.T) {
	e, _, log := restEnv(t)
	const secret = "s3cret-value-9f8e7d"
	created := e.mustAs("POST", "/create-app", e.keyA, `{"type":"crm","provider":"hubspot","name":"Sales",
		"auth_config":{"type":"oauth2","client_id":"cid","client_secret":"`+secret+`"},
		"crm_config":{"inbound_sync_mappings":[{"field_name":"phone_number","external_field_name":"phone"}]}}`, 201)
	reference.Validate(t, "AppResponse", created.body)
	id := created.json(t)["app_id"].(string)
	m := created.json(t)
	if m["connection_status"] != "not_connected" || m["org_id"] == "" || m["auth_config"].(map[string]any)["client_id"] != "cid" {
		t.Errorf("created app %s", created.body)
	}
	got := e.mustAs("GET", "/get-app/"+id, e.keyA, "", 200)
	reference.Validate(t, "AppResponse", got.body)
	upd := e.mustAs("PATCH", "/update-app/"+id, e.keyA, `{"auth_config":{"type":"api_key","api_key":"`+secret+`"}}`, 200)
	reference.Validate(t, "AppResponse", upd.body)
	list := e.mustAs("GET", "/list-apps", e.keyA, "", 200)
	if auth := upd.json(t)["auth_config"].(map[string]any); len(auth) != 1 || auth["type"] != "api_key" {
		t.Errorf("auth_config after update: %v", auth)
	}
	if r := e.mustAs("POST", "/test-app-auth/"+id, e.keyA, "", 200); string(r.body) != `{"success":true}` {
		t.Errorf("test-app-auth: %s", r.body)
	}
	for _, r := range []response{created, got, upd, list} {
		if bytes.Contains(r.body, []byte(secret)) {
			t.Errorf("an answer shows the secret: %s", r.body)
		}
	}
	if strings.Contains(log.String(), secret) {
		t.Errorf("the log shows the secret:\n%s", log)
	}
	for _, c := range []struct{ name, method, path, body, message string }{
		{"bad type", "POST", "/create-app", `{"type":"fax","provider":"p"}`, "type: must be one of"},
		{"empty provider", "POST", "/create-app", `{"type":"crm","provider":""}`, "provider: must not be empty"},
		{"secret missing", "POST", "/create-app", `{"type":"crm","provider":"p","auth_config":{"type":"basic","username":"u"}}`, "auth_config.password: is required"},
		{"inbound without phone_number", "PATCH", "/update-app/" + id, `{"crm_config":{"inbound_sync_mappings":[]}}`, "phone_number"},
		{"bad force_delete", "DELETE", "/delete-app/" + id + "?force_delete=yes", ``, "force_delete"},
		{"tool schema without template", "POST", "/get-app-tool-schema/" + id, `{"parameters":[]}`, "app_tool_template_name: is required"},
		{"tool schema with six parameters", "POST", "/get-app-tool-schema/" + id, `{"app_tool_template_name":"t","parameters":[` +
			strings.TrimSuffix(strings.Repeat(`{"type":"object","properties":{}},`, 6), ",") + `]}`, "parameters: must have at most 5 items"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.do(c.method, c.path, e.keyA, []byte(c.body)), 400, c.message)
		})
	}
	agent := e.mustAs("POST", "/create-agent", e.keyA, `{"voice_id":"v","agent_name":"Uses it","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"},
		"pre_session_tools":[{"type":"integration_app","name":"find","app_id":"`+id+`","provider":"hubspot","app_tool_template_name":"find_contact",
		"parameters":[{"type":"object","properties":{"email":{"type":"string"}},"required":["email"]}]}]}`, 201).json(t)["agent_id"].(string)
	usages := e.mustAs("GET", "/list-app-usages/"+id, e.keyA, "", 200)
	var page struct{ Items []json.RawMessage }
	json.Unmarshal(usages.body, &page)
	if len(page.Items) != 1 {
		t.Fatalf("usages %s", usages.body)
	}
	reference.Validate(t, "AppUsageResponse", page.Items[0])
	if jsonField(t, page.Items[0], "agent_id") != agent || jsonField(t, page.Items[0], "agent_name") != "Uses it" {
		t.Errorf("usage %s", page.Items[0])
	}
	schema := e.mustAs("POST", "/get-app-tool-schema/"+id, e.keyA, `{"app_tool_template_name":"find_contact"}`, 200)
	if m := schema.json(t); m["complete"] != true || m["input_schema"].(map[string]any)["required"] == nil {
		t.Errorf("tool schema %s", schema.body)
	}
	wantError(t, e.do("DELETE", "/delete-app/"+id, e.keyA, nil), 400, agent)
	if r := e.do("DELETE", "/delete-app/"+id+"?force_delete=true", e.keyA, nil); r.status != 204 {
		t.Fatalf("force delete: %d %s", r.status, r.body)
	}
	wantError(t, e.do("GET", "/get-app/"+id, e.keyA, nil), 404, "not found")
}

func TestMCPToolsThroughTheAPI(t *testing.T) {
	e, _, _ := restEnv(t)
	srv := mcptest.Start(t, &mcptest.Server{PageSize: 1, Tools: []mcptest.Tool{
		{Name: "a", Description: "first", InputSchema: map[string]any{"type": "object"}},
		{Name: "b", Description: "second", InputSchema: map[string]any{"type": "object"}},
	}})
	flow := e.mustAs("POST", "/create-conversation-flow", e.keyA, `{"start_speaker":"agent","model_choice":{"type":"cascading","model":"gpt-4.1"},
		"nodes":[{"id":"a","type":"end"}],"components":[{"name":"billing","nodes":[],"mcps":[{"name":"ledger","url":"`+srv.URL+`"}]}]}`, 201).json(t)
	agent := e.mustAs("POST", "/create-chat-agent", e.keyA, `{"response_engine":{"type":"conversation-flow","conversation_flow_id":"`+
		flow["conversation_flow_id"].(string)+`"}}`, 201).json(t)["agent_id"].(string)
	r := e.mustAs("GET", "/get-mcp-tools/"+agent+"?mcp_id=ledger&component_id=billing", e.keyA, "", 200)
	var tools []json.RawMessage
	if err := json.Unmarshal(r.body, &tools); err != nil || len(tools) != 2 {
		t.Fatalf("tools %s", r.body)
	}
	for _, tool := range tools {
		reference.Validate(t, "MCPToolDefinition", tool)
	}
	wantError(t, e.do("GET", "/get-mcp-tools/"+agent+"?mcp_id=ledger", e.keyA, nil), 422, `no MCP server named "ledger"`)
	wantError(t, e.do("GET", "/get-mcp-tools/"+agent+"?mcp_id=ledger&component_id=nope", e.keyA, nil), 422, `no component "nope"`)
	wantError(t, e.do("GET", "/get-mcp-tools/"+agent, e.keyA, nil), 400, "mcp_id: is required")
	wantError(t, e.do("GET", "/get-mcp-tools/"+agent+"?mcp_id=ledger&component_id=billing", e.keyB, nil), 422, "Cannot find requested asset")
	custom := e.createAgent(e.keyA)
	wantError(t, e.do("GET", "/get-mcp-tools/"+custom+"?mcp_id=x", e.keyA, nil), 422, "has no MCP servers")
}
