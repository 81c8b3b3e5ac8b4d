package testrunner

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestEvaluate(t *testing.T) {
	prompts := []string{"You answer the front desk of {{clinic}}.", "", "Offer Tuesday slots first."}
	vars := map[string]string{"clinic": "Northside Dental"}
	for _, tc := range []struct {
		metrics []string
		status  string
		words   []string
	}{
		{[]string{"prompt contains: northside dental", "prompt lacks: Monday"}, "pass", []string{`"prompt contains: northside dental": held`}},
		{[]string{"prompt contains: tuesday", "prompt contains: saturday"}, "fail", []string{`"prompt contains: saturday": did not hold`}},
		{[]string{"prompt contains: tuesday", "books a slot"}, "error", []string{`"books a slot": this runner cannot judge it`}},
	} {
		a := Evaluate(tc.metrics, vars, "I need a cleaning.", prompts)
		if a.Status != tc.status {
			t.Errorf("%v: status %s, want %s (%s)", tc.metrics, a.Status, tc.status, a.ResultExplanation)
		}
		for _, w := range tc.words {
			if !strings.Contains(a.ResultExplanation, w) {
				t.Errorf("%v: explanation %q lacks %q", tc.metrics, a.ResultExplanation, w)
			}
		}
	}
}

func TestHandlerAnswersTheContract(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	body := `{"test_case_definition":{"name":"x","user_prompt":"Hi","metrics":["prompt contains: greet"]},
		"response_engine":{"type":"conversation-flow","conversation_flow_id":"conversation_flow_1","version":0},
		"engine_config":{"conversation_flow_id":"conversation_flow_1","nodes":[{"id":"a","instruction":{"type":"prompt","text":"Greet the caller."}}]}}`
	res, err := http.Post(srv.URL+"/run", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var a map[string]any
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %v", res.StatusCode, err)
	}
	if a["status"] != "pass" || a["transcript"] == nil {
		t.Errorf("answer %v", a)
	}
	if res, _ := http.Get(srv.URL + "/run"); res.StatusCode != 405 {
		t.Errorf("GET: %d", res.StatusCode)
	}
}
