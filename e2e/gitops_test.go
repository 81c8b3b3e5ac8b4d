package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
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

// populateForGitops makes, on s, a voice agent with a Retell LLM (version 0
// published, version 1 a draft edited since), a chat agent with a
// conversation flow, and an agent with a custom LLM.
func populateForGitops(t *testing.T, s *server) (support string) {
	t.Helper()
	llm := s.must(t, 201, "POST", "/create-retell-llm", map[string]any{"model": "gpt-4.1", "general_prompt": "You help.\nBe brief.\n",
		"states": []any{map[string]any{"name": "greet", "state_prompt": "Say hi"}}, "starting_state": "greet"}).object(t)["llm_id"].(string)
	support = s.must(t, 201, "POST", "/create-agent", map[string]any{"agent_name": "Support", "voice_id": "retell-Cimo", "voice_speed": 1.1,
		"response_engine": map[string]any{"type": "retell-llm", "llm_id": llm}}).object(t)["agent_id"].(string)
	s.must(t, 200, "POST", "/publish-agent-version/"+support, map[string]any{"version": 0, "version_title": "first"})
	s.must(t, 201, "POST", "/create-agent-version/"+support, map[string]any{"base_version": 0})
	s.must(t, 200, "PATCH", "/update-agent/"+support, map[string]any{"voice_speed": 1.2})
	s.must(t, 200, "PATCH", "/update-retell-llm/"+llm+"?version=1", map[string]any{"general_prompt": "You help a lot."})
	flow := s.must(t, 201, "POST", "/create-conversation-flow", map[string]any{"start_speaker": "agent",
		"model_choice": map[string]any{"type": "cascading", "model": "gpt-4.1"},
		"nodes":        []any{map[string]any{"id": "start", "type": "conversation", "instruction": map[string]any{"type": "prompt", "text": "Hello"}}}}).object(t)["conversation_flow_id"].(string)
	s.must(t, 201, "POST", "/create-chat-agent", map[string]any{"agent_name": "Chat bot",
		"response_engine": map[string]any{"type": "conversation-flow", "conversation_flow_id": flow}})
	s.must(t, 201, "POST", "/create-agent", agentBody(map[string]any{"agent_name": "Custom"}))
	return support
}

func TestGitopsBetweenTwoServers(t *testing.T) {
	a := startServer(t, "A", filepath.Join(t.TempDir(), "a.db"))
	b := startServer(t, "B", filepath.Join(t.TempDir(), "b.db"))
	populateForGitops(t, a)
	dir := t.TempDir()

	// Pull from the populated server: one file per agent, engines inside.
	_, errs := mustCLI(t, 0, nil, "pull", "--dir", dir, "--url", a.url)
	pulled := configFiles(t, dir)
	want := "[agents/custom.yaml agents/support.yaml chat-agents/chat-bot.yaml]"
	if fmt.Sprint(sortedNames(pulled)) != want {
		t.Fatalf("pulled %v, want %s\n%s", sortedNames(pulled), want, errs)
	}
	for _, part := range []string{"voice_speed: 1.2", "retell_llm:", "general_prompt: You help a lot.", "states:\n    - name: greet"} {
		if !strings.Contains(pulled["agents/support.yaml"], part) {
			t.Fatalf("agents/support.yaml lacks %q:\n%s", part, pulled["agents/support.yaml"])
		}
	}
	if out, _ := mustCLI(t, 0, nil, "plan", "--dir", dir, "--url", a.url); !strings.Contains(out, "Plan: no changes") {
		t.Fatalf("plan right after pull: %s", out)
	}

	// Apply to an empty workspace of another server (its URL from the
	// environment, as the SDK names it), publishing.
	out, errs := mustCLI(t, 0, []string{"RETELL_BASE_URL=" + b.url}, "apply", "--dir", dir, "--publish", "--title", "from A")
	if !strings.Contains(out, "Apply: 3 objects created, 3 versions published") || strings.Count(errs, "\n") != 3 {
		t.Fatalf("apply to B:\nstdout:\n%s\nstderr (a line per object):\n%s", out, errs)
	}
	// Plan after apply: nothing to do, exit 0. Apply again: nothing done.
	mustCLI(t, 0, nil, "plan", "--dir", dir, "--url", b.url, "--publish")
	if out, _ := mustCLI(t, 0, nil, "apply", "--dir", dir, "--url", b.url, "--publish"); !strings.Contains(out, "Apply: no changes; 3 objects unchanged.") {
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
	// B's published version 0 has the configuration of A's latest version.
	support := readStateID(t, dir, b.url, "agents/support.yaml")
	v := b.must(t, 200, "GET", "/get-agent/"+support+"?version=0", nil).object(t)
	if v["is_published"] != true || v["version_title"] != "from A" || fmt.Sprint(v["voice_speed"]) != "1.2" {
		t.Fatalf("B's support agent: %v", v)
	}

	// A change on B by hand, then a change in the file: refused (exit 4),
	// and the hand change is kept.
	b.must(t, 201, "POST", "/create-agent-version/"+support, map[string]any{"base_version": 0})
	b.must(t, 200, "PATCH", "/update-agent/"+support, map[string]any{"voice_speed": 0.8})
	writeFile(t, dir, "agents/support.yaml", strings.Replace(again["agents/support.yaml"], "voice_speed: 1.2", "voice_speed: 1.6", 1))
	out, _ = mustCLI(t, 4, nil, "plan", "--dir", dir, "--url", b.url)
	if !strings.Contains(out, "changed on the server since the state was recorded") {
		t.Fatalf("plan of a conflict: %s", out)
	}
	mustCLI(t, 4, nil, "apply", "--dir", dir, "--url", b.url)
	if got := b.must(t, 200, "GET", "/get-agent/"+support, nil).object(t)["voice_speed"]; fmt.Sprint(got) != "0.8" {
		t.Fatalf("a refused apply overwrote the change made on the server: voice_speed %v", got)
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
	if err := json.Unmarshal([]byte(jsonOut), &rep); err != nil || rep.Command != "plan" || len(rep.Objects) != 3 {
		t.Fatalf("plan --output json: %v\n%s", err, jsonOut)
	}

	// A bad file: exit 1, the file, line and field named, nothing sent.
	writeFile(t, dir, "agents/custom.yaml", strings.Replace(configFiles(t, dir)["agents/custom.yaml"], "voice_id: retell-Cimo", "voice_id: retell-Cimo\n  voice_speed: 9", 1))
	_, errs = mustCLI(t, 1, nil, "apply", "--dir", dir, "--url", b.url)
	if !strings.Contains(errs, "agents/custom.yaml:") || !strings.Contains(errs, "agent.voice_speed: must be between 0.5 and 2") || !strings.Contains(errs, "nothing was sent") {
		t.Fatalf("a bad file: %s", errs)
	}
}

func TestGitopsInterruptedApplyResumes(t *testing.T) {
	a := startServer(t, "A", filepath.Join(t.TempDir(), "a.db"))
	c := startServer(t, "C", filepath.Join(t.TempDir(), "c.db"))
	populateForGitops(t, a)
	dir := t.TempDir()
	mustCLI(t, 0, nil, "pull", "--dir", dir, "--url", a.url)
	pulled := configFiles(t, dir)

	// A proxy in front of C refuses the fourth write with a 503 (after the Retell LLM of an agent is made, before the agent is), as a server
	// that lost its database would.
	target, _ := url.Parse(c.url)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	writes, refuse := 0, 4 // the custom agent (create, publish), the LLM of support, then support itself
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if r.Method != http.MethodGet && r.URL.Path != "/v2/list-agents" {
			writes++
			if writes == refuse {
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte(`{"status":"error","message":"The database is unavailable; try again shortly."}`))
				return
			}
		}
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	out, errs := mustCLI(t, 1, nil, "apply", "--dir", dir, "--url", front.URL, "--publish", "--title", "t")
	for _, part := range []string{": applied", ": failed", "503", ": not-applied", "run apply again to finish"} {
		if !strings.Contains(out, part) {
			t.Fatalf("an interrupted apply must say what was applied and what was not (%q):\n%s\n%s", part, out, errs)
		}
	}
	// Run again: it finishes the job, creating nothing twice.
	mustCLI(t, 0, nil, "apply", "--dir", dir, "--url", front.URL, "--publish", "--title", "t")
	mustCLI(t, 0, nil, "plan", "--dir", dir, "--url", front.URL, "--publish")
	list := c.must(t, 200, "POST", "/v2/list-agents", nil).object(t)["items"].([]any)
	llms := c.must(t, 200, "GET", "/v2/list-retell-llms", nil).object(t)["items"].([]any)
	flows := c.must(t, 200, "GET", "/v2/list-conversation-flows", nil).object(t)["items"].([]any)
	if len(list) != 3 || len(llms) != 1 || len(flows) != 1 {
		t.Fatalf("after the resumed apply: %d agents, %d LLMs, %d flows; want 3, 1, 1", len(list), len(llms), len(flows))
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
