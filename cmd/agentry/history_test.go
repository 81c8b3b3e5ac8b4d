package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// call makes one request and returns the status and body.
func call(t *testing.T, method, url, key, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

const cliKey = "key_00112233445566778899aabbccddeeff"

// cliServer starts serve with cliKey and an agent with a published version
// 0 and a draft 1 renamed; it returns the server's URL and the agent's id.
func cliServer(t *testing.T) (url, agent string, env map[string]string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "a.db")
	url, _ = startServe(t, map[string]string{"AGENTRY_API_KEY": cliKey, "AGENTRY_DB": db})
	status, body := call(t, "POST", url+"/create-agent", cliKey,
		`{"voice_id":"retell-Cimo","agent_name":"Desk","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x.example.com"}}`)
	if status != 201 {
		t.Fatal(status, string(body))
	}
	var a struct {
		ID string `json:"agent_id"`
	}
	json.Unmarshal(body, &a)
	call(t, "POST", url+"/publish-agent-version/"+a.ID, cliKey, `{"version":0,"version_title":"prod"}`)
	call(t, "POST", url+"/create-agent-version/"+a.ID, cliKey, `{"base_version":0}`)
	if status, body := call(t, "PATCH", url+"/update-agent/"+a.ID+"?version=1", cliKey, `{"agent_name":"Front desk","voice_speed":1.2}`); status != 200 {
		t.Fatal(status, string(body))
	}
	return url, a.ID, map[string]string{"AGENTRY_URL": url, "AGENTRY_API_KEY": cliKey, "AGENTRY_DB": db}
}

func TestDiffCommand(t *testing.T) {
	url, agent, env := cliServer(t)
	out, _, err := runApp(t, env, "diff", agent, "0", "latest")
	if err != nil {
		t.Fatal(err)
	}
	want := agent + ` version 0 (published, "prod") → version 1 (draft): 2 changes
~ /agent/agent_name: "Desk" → "Front desk"
+ /agent/voice_speed: 1.2
`
	if out != want {
		t.Errorf("diff printed\n%s\nwant\n%s", out, want)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colours on a pipe")
	}
	// Flags after the arguments, and --url over AGENTRY_URL.
	jsonOut, _, err := runApp(t, map[string]string{"AGENTRY_API_KEY": cliKey, "AGENTRY_URL": "http://127.0.0.1:1"},
		"diff", agent, "latest_published", "1", "--output", "json", "--url", url)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		AgentID string `json:"agent_id"`
		Changes []struct {
			Path string `json:"path"`
			Op   string `json:"op"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(jsonOut), &d); err != nil || d.AgentID != agent || len(d.Changes) != 2 || d.Changes[0].Path != "/agent/agent_name" {
		t.Errorf("--output json printed %s (%v)", jsonOut, err)
	}
	same, _, _ := runApp(t, env, "diff", agent, "1", "1")
	if !strings.HasSuffix(same, "no changes\n") {
		t.Errorf("a version against itself: %q", same)
	}

	for _, c := range []struct {
		env   map[string]string
		args  []string
		exit  int
		words string
	}{
		{env, []string{"diff", agent, "0", "7"}, 1, "404"},
		{env, []string{"diff", "agent_nope", "0", "1"}, 1, "not found"},
		{env, []string{"diff", agent, "0", "v2"}, 1, "400"},
		{env, []string{"diff", agent, "0"}, 2, "AGENT FROM TO"},
		{env, []string{"diff", agent, "0", "1", "--output", "yaml"}, 2, "--output"},
		{map[string]string{"AGENTRY_URL": url}, []string{"diff", agent, "0", "1"}, 2, "AGENTRY_API_KEY"},
		{env, []string{"diff", "--url", "ftp://x", agent, "0", "1"}, 2, "--url"},
		{map[string]string{"AGENTRY_API_KEY": "key_ffffffffffffffffffffffffffffffff", "AGENTRY_URL": url}, []string{"diff", agent, "0", "1"}, 1, "401"},
		{map[string]string{"AGENTRY_API_KEY": cliKey, "AGENTRY_URL": unusedURL(t)}, []string{"diff", agent, "0", "1"}, 1, "cannot reach"},
	} {
		_, _, err := runApp(t, c.env, c.args...)
		if err == nil || exitCode(err) != c.exit || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%v: %v (exit %d); want exit %d mentioning %q", c.args, err, exitCode(err), c.exit, c.words)
		}
	}
}

// unusedURL is an address where nothing listens.
func unusedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func TestAuditCommand(t *testing.T) {
	_, agent, env := cliServer(t)
	out, _, err := runApp(t, env, "audit", "--agent", agent)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "TIME") {
		t.Fatalf("audit --agent printed:\n%s", out)
	}
	for i, action := range []string{"agent.updated", "agent_version.created", "agent_version.published", "agent.created"} {
		if !strings.Contains(lines[i+1], action) || !strings.Contains(lines[i+1], cliKey[:12]+"… AGENTRY_API_KEY") {
			t.Errorf("line %d = %q, want %s by the key", i+1, lines[i+1], action)
		}
	}
	if !strings.Contains(lines[1], "/agent_name /voice_speed") {
		t.Errorf("the update's paths are not shown: %q", lines[1])
	}
	// JSON, filters, and paging past the server's page size.
	js, _, err := runApp(t, env, "audit", "--output", "json", "--action", "agent_version.*", "--since", "1h")
	if err != nil {
		t.Fatal(err)
	}
	var entries []map[string]any
	if err := json.Unmarshal([]byte(js), &entries); err != nil || len(entries) != 2 {
		t.Fatalf("--output json: %v %s", err, js)
	}
	if two, _, _ := runApp(t, env, "audit", "--limit", "2"); strings.Count(two, "\n") != 3 {
		t.Errorf("--limit 2 printed:\n%s", two)
	}
	if none, _, _ := runApp(t, env, "audit", "--until", "2000-01-01", "--output", "json"); strings.TrimSpace(none) != "[]" {
		t.Errorf("--until 2000-01-01 printed %q", none)
	}
	// The key that serve provisioned is in the log, by the server.
	all, _, _ := runApp(t, env, "audit", "--object-type", "api_key")
	if !strings.Contains(all, "api_key.created") || !strings.Contains(all, "agentry serve") {
		t.Errorf("serve's key provisioning is not audited:\n%s", all)
	}
	for _, args := range [][]string{
		{"audit", "--since", "last tuesday"},
		{"audit", "--limit", "0"},
		{"audit", "--agent", agent, "--object-id", "x"},
		{"audit", "extra"},
		{"audit", "prune"},
		{"audit", "prune", "--before", "2999-01-01"},
	} {
		if _, _, err := runApp(t, env, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	if _, _, err := runApp(t, env, "audit", "--action", "agent.frobbed"); err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "action") {
		t.Errorf("an unknown action: %v", err)
	}
}

func TestAuditPruneAndKeyCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	out, _, err := runApp(t, nil, "keys", "create", "--db", db, "--label", "ops")
	if err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(out)
	url, _ := startServe(t, map[string]string{"AGENTRY_DB": db})
	env := map[string]string{"AGENTRY_URL": url, "AGENTRY_API_KEY": key}
	log, _, err := runApp(t, env, "audit", "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var entries []struct {
		Action string `json:"action"`
		Actor  struct {
			Type, Label string
			KeyPrefix   string `json:"key_prefix"`
		} `json:"actor"`
		Details map[string]any `json:"details"`
	}
	json.Unmarshal([]byte(log), &entries)
	if len(entries) != 1 || entries[0].Action != "api_key.created" || entries[0].Actor.Type != "operator" ||
		!strings.HasPrefix(entries[0].Actor.Label, "agentry keys create (") || entries[0].Details["key_prefix"] != key[:12] {
		t.Fatalf("keys create is audited as %s", log)
	}
	if bytes.Contains([]byte(log), []byte(key)) {
		t.Fatal("the audit log shows the key")
	}

	status, _ := call(t, "POST", url+"/create-agent", key, `{"voice_id":"v","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x.example.com"}}`)
	if status != 201 {
		t.Fatal(status)
	}
	cut := time.Now().Add(time.Millisecond).UTC().Format(time.RFC3339Nano)
	time.Sleep(5 * time.Millisecond)
	pruned, _, err := runApp(t, nil, "audit", "prune", "--db", db, "--before", cut)
	if err != nil || !strings.HasPrefix(pruned, "pruned 2 audit entries older than ") {
		t.Fatalf("prune: %q, %v", pruned, err)
	}
	log, _, _ = runApp(t, env, "audit", "--output", "json")
	entries = nil
	json.Unmarshal([]byte(log), &entries)
	if len(entries) != 1 || entries[0].Action != "audit_log.pruned" || !strings.HasPrefix(entries[0].Actor.Label, "agentry audit prune (") || entries[0].Details["deleted"] != float64(2) {
		t.Errorf("after pruning the log is %s", log)
	}
}

// serve's webhook settings: a variable a flag cannot parse names itself,
// and values that cannot work are usage errors.
func TestServeWebhookFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	for env, flag := range map[string]string{
		"AGENTRY_WEBHOOK_TIMEOUT":       "--webhook-timeout",
		"AGENTRY_WEBHOOK_RETRY_FOR":     "--webhook-retry-for",
		"AGENTRY_WEBHOOK_ALLOW_PRIVATE": "--webhook-allow-private",
		"AGENTRY_WEBHOOK_CONCURRENCY":   "--webhook-concurrency",
	} {
		_, _, err := runApp(t, map[string]string{env: "abc", "AGENTRY_DB": db}, "serve", "--addr", "127.0.0.1:0")
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), env+`="abc"`) || !strings.Contains(err.Error(), flag) {
			t.Errorf("%s=abc: %v", env, err)
		}
	}
	for _, args := range [][]string{
		{"--webhook-timeout", "0s"}, {"--webhook-retry-for", "-1h"}, {"--webhook-concurrency", "-1"},
	} {
		_, _, err := runApp(t, map[string]string{"AGENTRY_DB": db}, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%v: %v", args, err)
		}
	}
	// With private addresses allowed, a loopback webhook is accepted; without, refused.
	url, _ := startServe(t, map[string]string{"AGENTRY_API_KEY": cliKey, "AGENTRY_DB": db, "AGENTRY_WEBHOOK_ALLOW_PRIVATE": "true"},
		"--webhook-concurrency", "0")
	if status, body := call(t, "POST", url+"/agentry/v1/webhooks", cliKey, `{"url":"http://127.0.0.1:9/h","events":["*"]}`); status != 201 {
		t.Errorf("loopback with AGENTRY_WEBHOOK_ALLOW_PRIVATE=true: %d %s", status, body)
	}
	url2, _ := startServe(t, map[string]string{"AGENTRY_API_KEY": cliKey, "AGENTRY_DB": db})
	if status, body := call(t, "POST", url2+"/agentry/v1/webhooks", cliKey, `{"url":"http://127.0.0.1:9/h","events":["*"]}`); status != 400 || !strings.Contains(string(body), "--webhook-allow-private") {
		t.Errorf("loopback by default: %d %s", status, body)
	}
}
