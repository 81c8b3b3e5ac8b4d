package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/examples/testrunner"
	"github.com/agentry/agentry/internal/mcptest"
)

const testKey = "key_00112233445566778899aabbccddeeff"

// callJSON sends one request with the test key and decodes a JSON answer.
func callJSON(t *testing.T, method, url string, body any, want int) map[string]any {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Authorization", "Bearer "+testKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, url, res.StatusCode, b, want)
	}
	var m map[string]any
	if len(b) > 0 && b[0] == '{' {
		json.Unmarshal(b, &m)
	}
	return m
}

// waitComplete polls a batch test as a client would until it is complete,
// and checks the statuses it passes through.
func waitComplete(t *testing.T, url, batchID string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b := callJSON(t, "GET", url+"/get-batch-test/"+batchID, nil, 200)
		switch b["status"] {
		case "complete":
			return b
		case "in_progress":
		default:
			t.Fatalf("batch status %v", b["status"])
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch not complete after 20s: %v", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func runs(t *testing.T, url, batchID string) []any {
	t.Helper()
	return callJSON(t, "GET", url+"/v2/list-test-runs/"+batchID, nil, 200)["items"].([]any)
}

func TestServeRunsBatchTestsThroughTheRunner(t *testing.T) {
	var calls atomic.Int64
	runner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testrunner.Handler().ServeHTTP(w, r)
	}))
	defer runner.Close()
	env := map[string]string{"AGENTRY_API_KEY": testKey, "AGENTRY_DB": filepath.Join(t.TempDir(), "a.db"),
		"AGENTRY_TEST_RUNNER_URL": runner.URL + "/run"}
	url, _ := startServe(t, env)

	llm := callJSON(t, "POST", url+"/create-retell-llm", map[string]any{"general_prompt": "You answer the front desk of {{clinic}}. Offer Tuesday slots."}, 201)
	engine := map[string]any{"type": "retell-llm", "llm_id": llm["llm_id"]}
	var ids []any
	for _, metrics := range [][]string{
		{"prompt contains: northside", "prompt contains: tuesday"},
		{"prompt contains: saturday"},
		{"books a slot"},
	} {
		d := callJSON(t, "POST", url+"/create-test-case-definition", map[string]any{"name": metrics[0], "response_engine": engine,
			"user_prompt": "You want a cleaning.", "metrics": metrics, "dynamic_variables": map[string]string{"clinic": "Northside"}}, 201)
		ids = append(ids, d["test_case_definition_id"])
	}
	b := callJSON(t, "POST", url+"/create-batch-test", map[string]any{"response_engine": engine, "test_case_definition_ids": ids}, 201)
	if b["status"] != "in_progress" || b["total_count"] != float64(3) {
		t.Fatalf("new batch %v", b)
	}
	done := waitComplete(t, url, b["test_case_batch_job_id"].(string))
	if done["pass_count"] != float64(1) || done["fail_count"] != float64(1) || done["error_count"] != float64(1) {
		t.Errorf("finished batch %v, want one pass, one fail, one error", done)
	}
	want := []string{"pass", "fail", "error"}
	for i, r := range runs(t, url, b["test_case_batch_job_id"].(string)) {
		run := r.(map[string]any)
		if run["status"] != want[i] || run["test_case_definition_id"] != ids[i] || run["result_explanation"] == nil || run["transcript_snapshot"] == nil {
			t.Errorf("run %d: %v, want %s", i, run, want[i])
		}
	}
	if calls.Load() != 3 {
		t.Errorf("the runner was called %d times, want 3", calls.Load())
	}
}

func TestServeWithoutARunnerSaysSo(t *testing.T) {
	env := map[string]string{"AGENTRY_API_KEY": testKey, "AGENTRY_DB": filepath.Join(t.TempDir(), "a.db")}
	url, _ := startServe(t, env)
	flow := callJSON(t, "POST", url+"/create-conversation-flow", map[string]any{"start_speaker": "agent",
		"model_choice": map[string]any{"type": "cascading", "model": "gpt-4.1"}, "nodes": []any{map[string]any{"id": "a", "type": "end"}}}, 201)
	engine := map[string]any{"type": "conversation-flow", "conversation_flow_id": flow["conversation_flow_id"]}
	d := callJSON(t, "POST", url+"/create-test-case-definition", map[string]any{"name": "x", "response_engine": engine,
		"user_prompt": "Hi", "metrics": []string{"prompt contains: hi"}}, 201)
	b := callJSON(t, "POST", url+"/create-batch-test", map[string]any{"response_engine": engine, "test_case_definition_ids": []any{d["test_case_definition_id"]}}, 201)
	done := waitComplete(t, url, b["test_case_batch_job_id"].(string))
	if done["error_count"] != float64(1) || done["pass_count"] != float64(0) {
		t.Errorf("batch without a runner: %v", done)
	}
	run := runs(t, url, b["test_case_batch_job_id"].(string))[0].(map[string]any)
	if run["status"] != "error" || run["result_explanation"] != agentry.NoRunnerMessage {
		t.Errorf("run without a runner: %v", run)
	}
}

func TestServeRefusesABadRunnerURL(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	for _, args := range [][]string{
		{"--test-runner-url", "localhost:9000/run"},
		{"--test-runner-url", "ftp://example.com/run"},
		{"--test-runner-timeout", "0s"},
	} {
		_, err := runServe(t, 10*time.Second, map[string]string{"AGENTRY_API_KEY": testKey}, append([]string{"--db", db, "--addr", "127.0.0.1:0"}, args...)...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("serve %v: %v; want a usage error naming the flag", args, err)
		}
	}
	_, _, err := runApp(t, map[string]string{"AGENTRY_TEST_RUNNER_TIMEOUT": "soon", "AGENTRY_DB": db}, "serve", "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "AGENTRY_TEST_RUNNER_TIMEOUT") {
		t.Errorf("AGENTRY_TEST_RUNNER_TIMEOUT=soon: %v", err)
	}
}

func TestServeAsksMCPServersForTheirTools(t *testing.T) {
	mcp := mcptest.Start(t, &mcptest.Server{Stream: true, Header: [2]string{"X-Api-Key", "k1"},
		Tools: []mcptest.Tool{{Name: "lookup_order", Description: "Find an order.", InputSchema: map[string]any{"type": "object"}}}})
	env := map[string]string{"AGENTRY_API_KEY": testKey, "AGENTRY_DB": filepath.Join(t.TempDir(), "a.db")}
	url, _ := startServe(t, env)
	llm := callJSON(t, "POST", url+"/create-retell-llm", map[string]any{"mcps": []any{
		map[string]any{"name": "orders", "url": mcp.URL, "headers": map[string]string{"X-Api-Key": "k1"}},
		map[string]any{"name": "down", "url": "http://127.0.0.1:1/mcp", "timeout_ms": 2000},
	}}, 201)
	agent := callJSON(t, "POST", url+"/create-agent", map[string]any{"voice_id": "retell-Cimo",
		"response_engine": map[string]any{"type": "retell-llm", "llm_id": llm["llm_id"]}}, 201)
	id := agent["agent_id"].(string)

	req, _ := http.NewRequest("GET", url+"/get-mcp-tools/"+id+"?mcp_id=orders&version=latest", nil)
	req.Header.Set("Authorization", "Bearer "+testKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tools []map[string]any
	json.NewDecoder(res.Body).Decode(&tools)
	res.Body.Close()
	if res.StatusCode != 200 || len(tools) != 1 || tools[0]["name"] != "lookup_order" || tools[0]["description"] != "Find an order." {
		t.Fatalf("get-mcp-tools: %d %v", res.StatusCode, tools)
	}
	for _, tc := range []struct{ query, words string }{
		{"?mcp_id=down", "did not list its tools"},
		{"?mcp_id=nope", `no MCP server named "nope"`},
		{"?mcp_id=orders&version=9", "no version 9"},
	} {
		req, _ := http.NewRequest("GET", url+"/get-mcp-tools/"+id+tc.query, nil)
		req.Header.Set("Authorization", "Bearer "+testKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Message string }
		json.NewDecoder(res.Body).Decode(&e)
		res.Body.Close()
		if res.StatusCode != 422 || !strings.Contains(e.Message, tc.words) {
			t.Errorf("get-mcp-tools%s: %d %q; want 422 saying %q", tc.query, res.StatusCode, e.Message, tc.words)
		}
	}
	if m := fmt.Sprint(mcp.Methods()); m != "[initialize notifications/initialized tools/list]" {
		t.Errorf("the MCP server saw %s", m)
	}
}
