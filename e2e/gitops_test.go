package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// The configuration-as-code commands (agentry pull, plan, apply) as a team
// runs them: the real binary against real servers, each on its own SQLite
// file. The tool is a client of Retell's API, so one backend is enough here;
// gitops/ tests the same rules against every kind of object.

// cli runs one agentry command with RETELL_API_KEY set (and env added) and
// returns its output and exit status.
func cli(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(agentryBin(t), args...)
	cmd.Env = append(append(environWithout("RETELL_"), "RETELL_API_KEY="+testKey), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("agentry %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// mustCLI runs a command that must end with status want.
func mustCLI(t *testing.T, want int, env []string, args ...string) (string, string) {
	t.Helper()
	out, errs, code := cli(t, env, args...)
	if code != want {
		t.Fatalf("agentry %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errs)
	}
	return out, errs
}

// configFiles reads the configuration files of dir (not the state).
func configFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && e.Name() == ".agentry" {
			return filepath.SkipDir
		}
		if !e.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// world is what populateForGitops made on a server.
type gitopsWorld struct {
	support, custom, chat string
}

// populateForGitops makes, on s, a workspace with every kind of object:
// a knowledge base (a URL, a text and a document), a shared component, a
// voice agent with a Retell LLM naming the knowledge base (version 0
// published, version 1 a draft edited since), with tags (prod on version 0
// with variables, published only; staging moved from version 0 to 1; beta
// unassigned), a chat agent whose conversation flow uses the component, an
// agent with a custom LLM, and a phone number with weighted bindings by
// tag, an SMS binding and the sticky routing mode.
func populateForGitops(t *testing.T, s *server) gitopsWorld {
	t.Helper()
	var w gitopsWorld
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("knowledge_base_name", "FAQ")
	mw.WriteField("knowledge_base_urls", `["https://example.com/faq"]`)
	mw.WriteField("knowledge_base_texts", `[{"title":"Hours","text":"Open 9 to 5.\n"}]`)
	part, _ := mw.CreateFormFile("knowledge_base_files", "menu.txt")
	part.Write([]byte("Soup of the day.\n"))
	mw.Close()
	kb := s.must(t, 201, "POST", "/create-knowledge-base", body.Bytes(), "Content-Type", mw.FormDataContentType()).object(t)["knowledge_base_id"].(string)
	component := s.must(t, 201, "POST", "/create-conversation-flow-component", map[string]any{"name": "Collect info",
		"nodes": []any{map[string]any{"id": "ask", "type": "conversation", "instruction": map[string]any{"type": "prompt", "text": "Ask for the name."}}}}).object(t)["conversation_flow_component_id"].(string)
	llm := s.must(t, 201, "POST", "/create-retell-llm", map[string]any{"model": "gpt-4.1", "general_prompt": "You help.\nBe brief.\n",
		"knowledge_base_ids": []any{kb},
		"states":             []any{map[string]any{"name": "greet", "state_prompt": "Say hi"}}, "starting_state": "greet"}).object(t)["llm_id"].(string)
	w.support = s.must(t, 201, "POST", "/create-agent", map[string]any{"agent_name": "Support", "voice_id": "retell-Cimo", "voice_speed": 1.1,
		"response_engine": map[string]any{"type": "retell-llm", "llm_id": llm}}).object(t)["agent_id"].(string)
	s.must(t, 200, "POST", "/publish-agent-version/"+w.support, map[string]any{"version": 0, "version_title": "first"})
	s.must(t, 201, "POST", "/create-agent-version/"+w.support, map[string]any{"base_version": 0})
	s.must(t, 200, "PATCH", "/update-agent/"+w.support, map[string]any{"voice_speed": 1.2})
	s.must(t, 200, "PATCH", "/update-retell-llm/"+llm+"?version=1", map[string]any{"general_prompt": "You help a lot."})
	tags := "/agentry/v1/agents/" + w.support + "/tags/"
	s.must(t, 200, "PUT", tags+"prod", map[string]any{"version": 0, "dynamic_variables": map[string]any{"region": "eu"}, "published_only": true})
	s.must(t, 200, "PUT", tags+"staging", map[string]any{"version": 0})
	s.must(t, 200, "PUT", tags+"staging", map[string]any{"version": 1, "reason": "try the new prompt"})
	s.must(t, 200, "PUT", tags+"beta", map[string]any{"version": nil})
	flow := s.must(t, 201, "POST", "/create-conversation-flow", map[string]any{"start_speaker": "agent",
		"model_choice": map[string]any{"type": "cascading", "model": "gpt-4.1"},
		"nodes": []any{
			map[string]any{"id": "start", "type": "conversation", "instruction": map[string]any{"type": "prompt", "text": "Hello"},
				"edges": []any{map[string]any{"id": "e1", "transition_condition": map[string]any{"type": "prompt", "prompt": "wants to talk"}, "destination_node_id": "collect"}}},
			map[string]any{"id": "collect", "type": "component", "component_type": "shared", "component_id": component,
				"else_edge": map[string]any{"id": "e2", "transition_condition": map[string]any{"type": "prompt", "prompt": "else"}, "destination_node_id": "start"}},
		}}).object(t)["conversation_flow_id"].(string)
	w.chat = s.must(t, 201, "POST", "/create-chat-agent", map[string]any{"agent_name": "Chat bot",
		"response_engine": map[string]any{"type": "conversation-flow", "conversation_flow_id": flow}}).object(t)["agent_id"].(string)
	w.custom = s.must(t, 201, "POST", "/create-agent", agentBody(map[string]any{"agent_name": "Custom"})).object(t)["agent_id"].(string)
	s.must(t, 201, "POST", "/create-phone-number", map[string]any{"phone_number": "+14155550100", "nickname": "Front desk",
		"inbound_agents": []any{map[string]any{"agent_id": w.support, "agent_version": "prod", "weight": 0.8},
			map[string]any{"agent_id": w.custom, "weight": 0.2}}})
	s.must(t, 200, "PATCH", "/update-phone-number/%2B14155550100", map[string]any{
		"inbound_sms_agents": []any{map[string]any{"agent_id": w.chat, "weight": 1}}})
	s.must(t, 200, "PUT", "/agentry/v1/phone-numbers/%2B14155550100/routing", map[string]any{"mode": "sticky"})
	return w
}

// gitopsFiles are the files a pull of populateForGitops's workspace writes.
const gitopsFiles = "[agents/custom.yaml agents/support.yaml agents/support@prod.yaml chat-agents/chat-bot.yaml components/collect-info.yaml " +
	"knowledge-bases/faq.yaml knowledge-bases/faq/menu.txt phone-numbers/14155550100.yaml]"

func TestGitopsBetweenTwoServers(t *testing.T) {
	a := startServer(t, "A", filepath.Join(t.TempDir(), "a.db"))
	b := startServer(t, "B", filepath.Join(t.TempDir(), "b.db"))
	populateForGitops(t, a)
	dir := t.TempDir()

	// Pull from the populated server: one file per object, engines inside
	// their agents, references by file name. (The knowledge base is still
	// being indexed, as serve's default --kb-indexing-time leaves it: pull
	// waits for it.)
	_, errs := mustCLI(t, 0, nil, "pull", "--dir", dir, "--url", a.url)
	pulled := configFiles(t, dir)
	if fmt.Sprint(sortedNames(pulled)) != gitopsFiles {
		t.Fatalf("pulled %v, want %s\n%s", sortedNames(pulled), gitopsFiles, errs)
	}
	for file, parts := range map[string][]string{
		"agents/support.yaml":            {"voice_speed: 1.2", "retell_llm:", "general_prompt: You help a lot.", "knowledge_base_ids:\n    - faq", "staging: {}", "unassigned_tags:\n  beta: {}"},
		"agents/support@prod.yaml":       {"voice_speed: 1.1", "prod:\n    dynamic_variables:\n      region: eu\n    published_only: true"},
		"chat-agents/chat-bot.yaml":      {"component_id: collect-info"},
		"knowledge-bases/faq.yaml":       {"url: https://example.com/faq", "title: Hours\n    text: |\n      Open 9 to 5.", "filename: menu.txt"},
		"phone-numbers/14155550100.yaml": {"- agent: support\n    agent_version: prod\n    weight: 0.8", "- agent: custom\n    weight: 0.2", "inbound_sms_agents:\n  - agent: chat-bot", "routing: sticky"},
	} {
		for _, part := range parts {
			if !strings.Contains(pulled[file], part) {
				t.Fatalf("%s lacks %q:\n%s", file, part, pulled[file])
			}
		}
	}
	if out, _ := mustCLI(t, 0, nil, "plan", "--dir", dir, "--url", a.url); !strings.Contains(out, "Plan: no changes") {
		t.Fatalf("plan right after pull: %s", out)
	}

	// Apply to an empty workspace of another server (its URL from the
	// environment, as the SDK names it), publishing.
	out, errs := mustCLI(t, 0, []string{"RETELL_BASE_URL=" + b.url}, "apply", "--dir", dir, "--publish", "--title", "from A")
	if !strings.Contains(out, "Apply: 6 objects created") || strings.Count(errs, "\n") != 6 {
		t.Fatalf("apply to B:\nstdout:\n%s\nstderr (a line per object):\n%s", out, errs)
	}
	// Plan after apply: nothing to do, exit 0. Apply again: nothing done.
	mustCLI(t, 0, nil, "plan", "--dir", dir, "--url", b.url, "--publish")
	if out, _ := mustCLI(t, 0, nil, "apply", "--dir", dir, "--url", b.url, "--publish"); !strings.Contains(out, "Apply: no changes; 6 objects unchanged.") {
		t.Fatalf("second apply: %s", out)
	}
	// Pull again, now from B: the same files, byte for byte.
	mustCLI(t, 0, nil, "pull", "--dir", dir, "--url", b.url)
	again := configFiles(t, dir)
	for name, text := range pulled {
		if again[name] != text {
			t.Errorf("%s pulled from B differs from A's:\n%s\nA's:\n%s", name, again[name], text)
		}
	}
	if len(again) != len(pulled) {
		t.Errorf("pull from B: %v", sortedNames(again))
	}
	// B serves what A did: its published version 0 has A's latest
	// configuration; prod and staging are where A has them, relative to the
	// same configurations; the number routes sticky to the same agents.
	support := readStateID(t, dir, b.url, "agents/support.yaml")
	latest := b.must(t, 200, "GET", "/get-agent/"+support, nil).object(t)
	if latest["is_published"] != true || latest["version_title"] != "from A" || fmt.Sprint(latest["voice_speed"]) != "1.2" {
		t.Fatalf("B's support agent: %v", latest)
	}
	tags := b.must(t, 200, "GET", "/agentry/v1/agents/"+support+"/tags", nil).object(t)["tags"].(map[string]any)
	prod, staging := tags["prod"].(map[string]any), tags["staging"].(map[string]any)
	prodVersion := b.must(t, 200, "GET", fmt.Sprintf("/get-agent/%s?version=%v", support, prod["version"]), nil).object(t)
	if fmt.Sprint(prodVersion["voice_speed"]) != "1.1" || prod["published_only"] != true || staging["version"] != latest["version"] {
		t.Fatalf("B's tags: prod %v (voice_speed %v), staging %v", prod, prodVersion["voice_speed"], staging)
	}
	if mode := b.must(t, 200, "GET", "/agentry/v1/phone-numbers/%2B14155550100/routing", nil).object(t)["mode"]; mode != "sticky" {
		t.Fatalf("B's routing mode: %v", mode)
	}
	resolved := b.must(t, 200, "POST", "/agentry/v1/resolve", map[string]any{"phone_number": "+14155550100", "direction": "inbound_sms", "from_number": "+14155550199"}).object(t)
	if resolved["agent_id"] != readStateID(t, dir, b.url, "chat-agents/chat-bot.yaml") {
		t.Fatalf("an SMS to B's number reaches %v", resolved)
	}

	// Changes on B by hand, and changes in the files that would write over
	// them: refused (exit 4), and nothing on B is overwritten.
	//  - the agent: a new draft edited by hand, the file edits voice_speed;
	//  - a tag: staging moved back by hand, the file moves it to a new draft;
	//  - the number: rebound by hand, the file renames it.
	b.must(t, 201, "POST", "/create-agent-version/"+support, map[string]any{"base_version": 0})
	b.must(t, 200, "PATCH", "/update-agent/"+support, map[string]any{"voice_speed": 0.8})
	b.must(t, 200, "PUT", "/agentry/v1/agents/"+support+"/tags/staging", map[string]any{"version": 0})
	custom := readStateID(t, dir, b.url, "agents/custom.yaml")
	b.must(t, 200, "PATCH", "/update-phone-number/%2B14155550100", map[string]any{"inbound_agents": []any{
		map[string]any{"agent_id": support, "agent_version": "prod", "weight": 0.5}, map[string]any{"agent_id": custom, "weight": 0.5}}})
	writeFile(t, dir, "agents/support.yaml", strings.Replace(again["agents/support.yaml"], "voice_speed: 1.2", "voice_speed: 1.6", 1))
	writeFile(t, dir, "phone-numbers/14155550100.yaml", strings.Replace(again["phone-numbers/14155550100.yaml"], "nickname: Front desk", "nickname: Desk", 1))
	out, _ = mustCLI(t, 4, nil, "plan", "--dir", dir, "--url", b.url)
	for _, part := range []string{"agents/support.yaml (voice agent " + support + "): conflict", "changed on the server since the state was recorded",
		"phone-numbers/14155550100.yaml (phone number +14155550100): conflict"} {
		if !strings.Contains(out, part) {
			t.Fatalf("plan of conflicts lacks %q:\n%s", part, out)
		}
	}
	mustCLI(t, 4, nil, "apply", "--dir", dir, "--url", b.url)
	mustCLI(t, 4, nil, "apply", "--dir", dir, "--url", b.url, "--publish")
	if got := b.must(t, 200, "GET", "/get-agent/"+support, nil).object(t)["voice_speed"]; fmt.Sprint(got) != "0.8" {
		t.Fatalf("a refused apply overwrote the change made on the server: voice_speed %v", got)
	}
	if got := b.must(t, 200, "GET", "/agentry/v1/agents/"+support+"/tags/staging", nil).object(t)["version"]; fmt.Sprint(got) != "0" {
		t.Fatalf("a refused apply moved the tag moved by hand: staging on %v", got)
	}
	number := b.must(t, 200, "GET", "/get-phone-number/%2B14155550100", nil).object(t)
	if number["nickname"] != "Front desk" || fmt.Sprint(number["inbound_agents"].([]any)[0].(map[string]any)["weight"]) != "0.5" {
		t.Fatalf("a refused apply changed the number rebound by hand: %v", number)
	}

	// The tag alone: the agent's hand edit taken into the files, the file
	// still moving staging: refused, naming the tag.
	mustCLI(t, 0, nil, "pull", "--dir", dir, "--url", b.url)
	pulledB := configFiles(t, dir)
	if !strings.Contains(pulledB["phone-numbers/14155550100.yaml"], "weight: 0.5") {
		t.Fatalf("pull takes the number rebound by hand:\n%s", pulledB["phone-numbers/14155550100.yaml"])
	}
	b.must(t, 200, "PUT", "/agentry/v1/agents/"+support+"/tags/staging", map[string]any{"version": 1})
	writeFile(t, dir, "agents/support.yaml", strings.Replace(pulledB["agents/support.yaml"], "voice_speed: 0.8", "voice_speed: 1.6", 1))
	out, _ = mustCLI(t, 4, nil, "apply", "--dir", dir, "--url", b.url)
	if !strings.Contains(out, "tag staging of voice agent "+support+" changed on the server since the state was recorded") {
		t.Fatalf("a tag moved on the server: %s", out)
	}
	if got := b.must(t, 200, "GET", "/agentry/v1/agents/"+support+"/tags/staging", nil).object(t)["version"]; fmt.Sprint(got) != "1" {
		t.Fatalf("staging on %v", got)
	}

	// The plan shows the diff in the file's terms; exit 3 means changes.
	mustCLI(t, 0, nil, "pull", "--dir", dir, "--url", b.url)
	writeFile(t, dir, "agents/support.yaml", strings.Replace(configFiles(t, dir)["agents/support.yaml"], "voice_speed: 0.8", "voice_speed: 1.6", 1))
	out, _ = mustCLI(t, 3, nil, "plan", "--dir", dir, "--url", b.url)
	if !strings.Contains(out, "~ /agent/voice_speed: 0.8 → 1.6") {
		t.Fatalf("plan: %s", out)
	}
	jsonOut, _ := mustCLI(t, 3, nil, "plan", "--dir", dir, "--url", b.url, "--output", "json")
	var rep struct {
		Command string `json:"command"`
		Objects []struct {
			File   string `json:"file"`
			Status string `json:"status"`
			Steps  []struct {
				Action string `json:"action"`
			} `json:"steps"`
		} `json:"objects"`
	}
	if err := json.Unmarshal([]byte(jsonOut), &rep); err != nil || rep.Command != "plan" || len(rep.Objects) != 6 {
		t.Fatalf("plan --output json: %v\n%s", err, jsonOut)
	}

	// A bad file: exit 1, the file, line and field named, nothing sent.
	writeFile(t, dir, "agents/custom.yaml", strings.Replace(configFiles(t, dir)["agents/custom.yaml"], "voice_id: retell-Cimo", "voice_id: retell-Cimo\n  voice_speed: 9", 1))
	writeFile(t, dir, "phone-numbers/14155550100.yaml", strings.Replace(configFiles(t, dir)["phone-numbers/14155550100.yaml"], "routing: sticky", "routing: sticky\ntransport: SCTP", 1))
	_, errs = mustCLI(t, 1, nil, "apply", "--dir", dir, "--url", b.url)
	for _, part := range []string{"agents/custom.yaml:", "agent.voice_speed: must be between 0.5 and 2", `phone-numbers/14155550100.yaml:`, `transport: must be one of TLS, TCP, UDP, got "SCTP"`, "nothing was sent"} {
		if !strings.Contains(errs, part) {
			t.Fatalf("bad files (%q): %s", part, errs)
		}
	}
}

// faultyFront is a proxy in front of a server that refuses one write with
// a 503, or lets one write through and holds its answer back until the test
// has killed the client that sent it.
type faultyFront struct {
	url     string
	mu      sync.Mutex
	writes  int
	refuse  int           // refuse this write (from 1); 0: none
	hold    int           // do this write, then hold the answer; 0: none
	held    string        // the held write: "METHOD /path"
	arrived chan struct{} // closed when the held write is done on the server
	release chan struct{} // closed by the test to let the held answer go
}

func newFaultyFront(t *testing.T, to *server) *faultyFront {
	target, _ := url.Parse(to.url)
	proxy := httputil.NewSingleHostReverseProxy(target)
	f := &faultyFront{}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		n, refuse, hold := 0, false, false
		if r.Method != http.MethodGet && r.URL.Path != "/v2/list-agents" {
			f.writes++
			n = f.writes
			refuse, hold = n == f.refuse, n == f.hold
		}
		f.mu.Unlock()
		switch {
		case refuse:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"status":"error","message":"The database is unavailable; try again shortly."}`))
		case hold:
			proxy.ServeHTTP(httptest.NewRecorder(), r)
			f.mu.Lock()
			f.held = r.Method + " " + r.URL.Path
			f.mu.Unlock()
			close(f.arrived)
			<-f.release
			w.WriteHeader(http.StatusBadGateway)
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(front.Close)
	f.url = front.URL
	return f
}

func TestGitopsInterruptedApplyResumes(t *testing.T) {
	a := startServer(t, "A", filepath.Join(t.TempDir(), "a.db"))
	c := startServer(t, "C", filepath.Join(t.TempDir(), "c.db"), "--kb-indexing-time", "0")
	populateForGitops(t, a)
	dir := t.TempDir()
	mustCLI(t, 0, nil, "pull", "--dir", dir, "--url", a.url)
	pulled := configFiles(t, dir)

	// A proxy in front of C refuses the fourth write (the publish of the
	// first agent) with a 503, as a server that lost its database would.
	front := newFaultyFront(t, c)
	front.refuse = 4
	out, errs := mustCLI(t, 1, nil, "apply", "--dir", dir, "--url", front.url, "--publish", "--title", "t")
	for _, part := range []string{": applied", ": failed", "503", ": not-applied", "run apply again to finish"} {
		if !strings.Contains(out, part) {
			t.Fatalf("an interrupted apply must say what was applied and what was not (%q):\n%s\n%s", part, out, errs)
		}
	}

	// The next apply is killed while its fourth write (a new draft of the
	// support agent, after the publish refused before, the agent's LLM and
	// the agent) is done on the server and its answer not yet back.
	front.mu.Lock()
	front.refuse, front.writes, front.hold = 0, 0, 4
	front.arrived, front.release = make(chan struct{}), make(chan struct{})
	front.mu.Unlock()
	cmd := exec.Command(agentryBin(t), "apply", "--dir", dir, "--url", front.url, "--publish", "--title", "t")
	cmd.Env = append(environWithout("RETELL_"), "RETELL_API_KEY="+testKey)
	var killedOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &killedOut, &killedOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-front.arrived:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the held write never came:\n%s", killedOut.String())
	}
	cmd.Process.Kill()
	cmd.Wait()
	close(front.release)
	front.mu.Lock()
	front.hold = 0
	held := front.held
	front.mu.Unlock()
	if !strings.HasPrefix(held, "POST /create-agent-version/") {
		t.Fatalf("the held write is %s", held)
	}

	// Run again: it finishes the job, creating nothing twice and taking
	// the write whose answer it never saw for its own (no --force).
	out, errs = mustCLI(t, 0, nil, "apply", "--dir", dir, "--url", front.url, "--publish", "--title", "t")
	if strings.Contains(out, "conflict") {
		t.Fatalf("the resumed apply:\n%s\n%s", out, errs)
	}
	mustCLI(t, 0, nil, "plan", "--dir", dir, "--url", front.url, "--publish")
	count := func(path string) int {
		b := c.must(t, 200, "GET", path, nil).body
		var page struct {
			Items []any `json:"items"`
		}
		if json.Unmarshal(b, &page) == nil && page.Items != nil {
			return len(page.Items)
		}
		var list []any
		json.Unmarshal(b, &list)
		return len(list)
	}
	agents := len(c.must(t, 200, "POST", "/v2/list-agents", nil).object(t)["items"].([]any))
	got := fmt.Sprint(agents, count("/v2/list-retell-llms"), count("/v2/list-conversation-flows"), count("/list-knowledge-bases"),
		count("/v2/list-conversation-flow-components"), count("/v2/list-phone-numbers"))
	if got != "3 1 1 1 1 1" {
		t.Fatalf("after the resumed apply: agents, LLMs, flows, knowledge bases, components, numbers: %s; want 3 1 1 1 1 1", got)
	}
	dir2 := t.TempDir()
	mustCLI(t, 0, nil, "pull", "--dir", dir2, "--url", c.url)
	for name, text := range configFiles(t, dir2) {
		if pulled[name] != text {
			t.Errorf("%s from the resumed server differs:\n%s\nwant\n%s", name, text, pulled[name])
		}
	}
}

func TestGitopsCommandLine(t *testing.T) {
	_, errs := mustCLI(t, 2, nil, "plan", "--dir", t.TempDir())
	if !strings.Contains(errs, "no server: pass --url or set RETELL_BASE_URL") {
		t.Fatalf("plan without a server: %s", errs)
	}
	out, _ := mustCLI(t, 0, nil, "apply", "--help")
	for _, part := range []string{"agentry pull --dir config", "--publish", "RETELL_API_KEY", "exit 3", "--force", "docs/CONFIG-AS-CODE.md"} {
		if !strings.Contains(out, part) {
			t.Errorf("apply --help lacks %q", part)
		}
	}
}

func sortedNames(m map[string]string) []string {
	var n []string
	for k := range m {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

func writeFile(t *testing.T, dir, rel, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readStateID reads the id the state of server url records for a file.
func readStateID(t *testing.T, dir, server, file string) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, ".agentry", "state", "*.json"))
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		var st struct {
			Server  string `json:"server"`
			Objects map[string]struct {
				ID string `json:"id"`
			} `json:"objects"`
		}
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatal(err)
		}
		if st.Server == server {
			return st.Objects[file].ID
		}
	}
	t.Fatalf("no state for %s in %s", server, dir)
	return ""
}
