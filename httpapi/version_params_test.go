package httpapi_test

import (
	"bytes"
	"testing"
)

// Version numbers are taken only as they are written in answers: digits,
// no sign, no leading zero. "-0" once named (and deleted) version 0.
func TestVersionParametersAreCanonical(t *testing.T) {
	e := newEnv(t, nil)
	id := e.createAgent(e.keyA)
	if r := e.do("POST", "/create-agent-version/"+id, e.keyA, []byte(`{"base_version":0}`)); r.status != 201 {
		t.Fatalf("create-agent-version: %d %s", r.status, r.body)
	}
	llm := e.createEngine(engineKinds[0], e.keyA, minimalLLM)
	before := e.do("GET", "/get-agent-versions/"+id, e.keyA, nil)
	for _, c := range []struct{ method, path, body, message string }{
		{"DELETE", "/delete-agent-version/" + id + "?version=-0", "", "version: must be a version number"},
		{"DELETE", "/delete-agent-version/" + id + "?version=00", "", "version: must be a version number"},
		{"DELETE", "/delete-agent-version/" + id + "?version=", "", "version: must not be empty"},
		{"DELETE", "/delete-agent-version/" + id + "?version=0&version=1", "", "version: given 2 times"},
		{"GET", "/get-agent/" + id + "?version=-0", "", "version: must be a version number"},
		{"GET", "/get-agent/" + id + "?version=01", "", "version: must be a version number"},
		{"GET", "/get-agent/" + id + "?version=%2B1", "", `version: must be a version number, written with digits only and no leading zero (0, 1, 2, ...), got "+1"`},
		{"GET", "/get-agent/" + id + "?version=", "", "version: must not be empty"},
		{"GET", "/get-agent/" + id + "?version=9007199254740992", "", "version: must be at most 9007199254740991"},
		{"PATCH", "/update-agent/" + id + "?version=", `{"agent_name":"x"}`, "version: must not be empty"},
		{"PATCH", "/update-agent/" + id + "?version=-0", `{"agent_name":"x"}`, "version: must be a version number"},
		{"GET", "/get-retell-llm/" + llm + "?version=-0", "", "version: must be a version number"},
		{"GET", "/get-retell-llm/" + llm + "?version=", "", "version: must not be empty"},
		{"GET", "/get-retell-llm/" + llm + "?version=latest_published", "", `version: must be a version number (0, 1, 2, ...) or latest, got "latest_published"`},
		{"GET", "/get-retell-llm/" + llm + "?version=prod", "", `version: must be a version number (0, 1, 2, ...) or latest, got "prod"`},
		{"POST", "/publish-agent-version/" + id, `{"version":-0}`, "version: must be written as a plain non-negative integer (0, 1, 2, …), got -0"},
		{"POST", "/publish-agent-version/" + id, `{"version":1.0}`, "version: must be written as a plain non-negative integer"},
		{"POST", "/publish-agent-version/" + id, `{"version":1e300}`, "version: must be between 0 and 9007199254740991"},
		{"POST", "/create-agent-version/" + id, `{"base_version":-0}`, "base_version: must be written as a plain non-negative integer"},
		{"POST", "/create-agent-version/" + id, `{"base_version":0e0}`, "base_version: must be written as a plain non-negative integer"},
		{"PATCH", "/update-agent/" + id, `{"response_engine":{"type":"retell-llm","llm_id":"` + llm + `","version":-0}}`, "response_engine.version: must be written as a plain non-negative integer"},
	} {
		wantError(t, e.do(c.method, c.path, e.keyA, []byte(c.body)), 400, c.message)
	}
	if after := e.do("GET", "/get-agent-versions/"+id, e.keyA, nil); !bytes.Equal(before.body, after.body) {
		t.Errorf("refused requests changed the agent:\n%s\n%s", before.body, after.body)
	}
	// What the documentation promises still works.
	for _, path := range []string{"/get-agent/" + id + "?version=0", "/get-agent/" + id + "?version=1", "/get-agent/" + id,
		"/get-retell-llm/" + llm + "?version=0", "/get-retell-llm/" + llm + "?version=latest", "/get-retell-llm/" + llm} {
		if r := e.do("GET", path, e.keyA, nil); r.status != 200 {
			t.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
	}
	if r := e.do("DELETE", "/delete-agent-version/"+id+"?version=1", e.keyA, nil); r.status != 204 {
		t.Errorf("delete version 1: %d %s", r.status, r.body)
	}
}
