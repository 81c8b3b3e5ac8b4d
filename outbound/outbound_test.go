package outbound

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/mcptest"
)

var runReq = agentry.TestRunRequest{
	TestCaseDefinition: json.RawMessage(`{"test_case_definition_id":"test_case_definition_1","name":"booking"}`),
	ResponseEngine:     json.RawMessage(`{"type":"retell-llm","llm_id":"llm_1","version":2}`),
	EngineConfig:       json.RawMessage(`{"llm_id":"llm_1","version":2,"general_prompt":"Hi"}`),
}

func runner(t *testing.T, h http.HandlerFunc) *TestRunner {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &TestRunner{URL: srv.URL + "/run", MaxAnswer: 1 << 10}
}

func TestRunnerSendsTheContractAndReadsTheAnswer(t *testing.T) {
	var got map[string]json.RawMessage
	r := runner(t, func(w http.ResponseWriter, req *http.Request) {
		if req.Method != "POST" || req.URL.Path != "/run" || req.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request line", 400)
			return
		}
		json.NewDecoder(req.Body).Decode(&got)
		fmt.Fprint(w, `{"status":"fail","result_explanation":"no slot offered","transcript":{"turns":[ {"role":"user"} ]}}`)
	})
	out, err := r.RunTest(t.Context(), runReq)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != agentry.RunFail || out.Explanation != "no slot offered" || string(out.Transcript) != `{"turns":[{"role":"user"}]}` {
		t.Errorf("outcome %+v (transcript %s)", out, out.Transcript)
	}
	if len(got) != 3 || string(got["test_case_definition"]) != string(runReq.TestCaseDefinition) ||
		string(got["response_engine"]) != string(runReq.ResponseEngine) || string(got["engine_config"]) != string(runReq.EngineConfig) {
		t.Errorf("runner received %v", got)
	}
}

func TestRunnerRefusesWhatIsNotTheContract(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"status":"pass","result_explanation":"from elsewhere"}`)
	}))
	defer other.Close()
	for _, tc := range []struct {
		name, want string
		h          http.HandlerFunc
	}{
		{"non-200", `the runner answered HTTP 500 with "boom"`, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }},
		{"not JSON", "not the JSON object", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `<html>`) }},
		{"no status", "no status", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"result_explanation":"x"}`) }},
		{"bad status", `status "passed"`, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"status":"passed","result_explanation":"x"}`)
		}},
		{"no explanation", "no result_explanation", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"status":"pass"}`) }},
		{"transcript not an object", "transcript is not a JSON object", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"status":"pass","result_explanation":"x","transcript":[1]}`)
		}},
		{"trailing data", "data after", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"status":"pass","result_explanation":"x"} {}`)
		}},
		{"too large", "larger than 1024 bytes", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"status":"pass","result_explanation":%q}`, strings.Repeat("x", 2000))
		}},
		{"redirect to another host", "refused a redirect to another host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL, http.StatusTemporaryRedirect)
		}},
		{"too slow", "no answer in time", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // so the server notices the client hang up
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			out, err := runner(t, tc.h).RunTest(ctx, runReq)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("RunTest = %+v, %v; want an error saying %q", out, err, tc.want)
			}
		})
	}
}

func TestRunnerFollowsRedirectsOnItsOwnHost(t *testing.T) {
	r := runner(t, func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/run" {
			http.Redirect(w, req, "/v2/run", http.StatusPermanentRedirect)
			return
		}
		io.Copy(io.Discard, req.Body)
		fmt.Fprint(w, `{"status":"pass","result_explanation":"moved"}`)
	})
	if out, err := r.RunTest(t.Context(), runReq); err != nil || out.Explanation != "moved" {
		t.Fatalf("RunTest = %+v, %v", out, err)
	}
}

func TestRunnerErrorsHoldNoCredentials(t *testing.T) {
	r := &TestRunner{URL: "http://user:hunter2@127.0.0.1:1/run?token=abc"}
	_, err := r.RunTest(t.Context(), runReq)
	if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "token") {
		t.Fatalf("error %v", err)
	}
}

var tools = []mcptest.Tool{
	{Name: "search_files", Description: "Search the drive.", InputSchema: map[string]any{"type": "object", "properties": map[string]any{"query": map[string]any{"type": "string"}}}},
	{Name: "read_file", Description: "Read one file.", InputSchema: map[string]any{"type": "object"}},
	{Name: "no_description", InputSchema: map[string]any{"type": "object"}},
}

func TestMCPListsToolsOverBothAnswerForms(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprint("stream=", stream), func(t *testing.T) {
			srv := mcptest.Start(t, &mcptest.Server{Tools: tools, PageSize: 2, Stream: stream,
				Header: [2]string{"Authorization", "Bearer s3cret"}, Query: [2]string{"index", "1"}})
			got, err := (&MCPClient{}).ListTools(t.Context(), agentry.MCPServer{Name: "drive", URL: srv.URL,
				Headers: map[string]string{"Authorization": "Bearer s3cret"}, Query: map[string]string{"index": "1"}})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tool := range got {
				names = append(names, tool.Name)
			}
			if !slices.Equal(names, []string{"search_files", "read_file", "no_description"}) {
				t.Fatalf("tools %v", names)
			}
			if got[0].Description != "Search the drive." || !strings.Contains(string(got[0].InputSchema), `"query"`) || got[2].Description != "" {
				t.Errorf("tool details %+v", got)
			}
			if m := srv.Methods(); !slices.Equal(m, []string{"initialize", "notifications/initialized", "tools/list", "tools/list"}) {
				t.Errorf("the client sent %v", m)
			}
			if len(srv.Closed()) != 1 {
				t.Errorf("sessions closed: %v, want the one session", srv.Closed())
			}
		})
	}
}

func TestMCPFailuresSayWhat(t *testing.T) {
	srv := mcptest.Start(t, &mcptest.Server{Tools: tools, Header: [2]string{"Authorization", "Bearer right"}})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so the server notices the client hang up
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html>")
	}))
	defer html.Close()
	for _, tc := range []struct {
		name   string
		server agentry.MCPServer
		want   string
	}{
		{"wrong credentials", agentry.MCPServer{URL: srv.URL, Headers: map[string]string{"Authorization": "Bearer wrong"}}, "initialize: the server answered HTTP 401"},
		{"nobody listening", agentry.MCPServer{URL: "http://127.0.0.1:1/mcp"}, "initialize: could not reach the server"},
		{"too slow", agentry.MCPServer{URL: slow.URL, TimeoutMS: 200}, "no answer within 200ms"},
		{"not MCP", agentry.MCPServer{URL: html.URL}, `content type "text/html"`},
		{"not http", agentry.MCPServer{URL: "ftp://example.com"}, "http:// or https://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := (&MCPClient{}).ListTools(t.Context(), tc.server)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ListTools error %v, want one saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "Bearer") {
				t.Errorf("the error quotes a header: %v", err)
			}
		})
	}
}
