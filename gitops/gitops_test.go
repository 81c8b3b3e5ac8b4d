package gitops

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var ctx = context.Background()

// world is what populate made on a server.
type world struct {
	support, chat, custom, twin1, twin2, llm, flow, kb, component string
}

// populate makes a workspace with every kind of object and every shape of
// reference: an agent whose tags point at an older version (with dynamic
// variables, published only) and at the latest, an unassigned tag, a
// Retell LLM naming a knowledge base (a URL, a text and a document), a chat
// agent whose flow uses a shared component, a custom-LLM agent, two agents
// of the same name, and a phone number bound by tag, with weights and a
// sticky routing mode. Every request is one a user of the API would make.
func populate(t *testing.T, s *testServer) world {
	t.Helper()
	var w world
	kb, err := s.client().do(ctx, request{method: http.MethodPost, path: "/create-knowledge-base",
		form: map[string]string{"knowledge_base_name": "FAQ", "knowledge_base_urls": `["https://example.com/faq"]`,
			"knowledge_base_texts": `[{"title":"Hours","text":"Open 9 to 5.\nClosed on Sundays.\n"}]`, "max_chunk_size": "2000"},
		files: []formFile{{field: "knowledge_base_files", name: "menu.txt", data: []byte("Soup of the day.\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	kbObj, _ := kb.object()
	w.kb = str(kbObj, "knowledge_base_id")
	w.component = str(s.call(201, "POST", "/create-conversation-flow-component", object{"name": "Collect info",
		"nodes": []any{object{"id": "ask", "type": "conversation", "instruction": object{"type": "prompt", "text": "Ask for the name."}}}}), "conversation_flow_component_id")
	w.llm = str(s.call(201, "POST", "/create-retell-llm", object{"model": "gpt-4.1", "general_prompt": "You help.\nBe brief.\n",
		"knowledge_base_ids": []any{w.kb}, "states": []any{object{"name": "greet", "state_prompt": "Say hi"}}, "starting_state": "greet"}), "llm_id")
	w.support = str(s.call(201, "POST", "/create-agent", object{"agent_name": "Support", "voice_id": "retell-Cimo", "voice_speed": 1.1,
		"response_engine": object{"type": "retell-llm", "llm_id": w.llm}}), "agent_id")
	s.call(200, "POST", "/publish-agent-version/"+w.support, object{"version": 0})
	s.call(201, "POST", "/create-agent-version/"+w.support, object{"base_version": 0})
	s.call(200, "PATCH", "/update-agent/"+w.support, object{"voice_speed": 1.2})
	s.call(200, "PATCH", "/update-retell-llm/"+w.llm+"?version=1", object{"general_prompt": "You help a lot."})
	s.call(200, "PUT", "/agentry/v1/agents/"+w.support+"/tags/prod", object{"version": 0, "dynamic_variables": object{"region": "eu"}, "published_only": true})
	s.call(200, "PUT", "/agentry/v1/agents/"+w.support+"/tags/staging", object{"version": 1})
	s.call(200, "PUT", "/agentry/v1/agents/"+w.support+"/tags/beta", object{"version": nil})
	w.flow = str(s.call(201, "POST", "/create-conversation-flow", object{"start_speaker": "agent",
		"model_choice": object{"type": "cascading", "model": "gpt-4.1"},
		"nodes": []any{
			object{"id": "start", "type": "conversation", "instruction": object{"type": "prompt", "text": "Hello"},
				"edges": []any{object{"id": "e1", "transition_condition": object{"type": "prompt", "prompt": "wants to talk"}, "destination_node_id": "collect"}}},
			object{"id": "collect", "type": "component", "component_type": "shared", "component_id": w.component,
				"else_edge": object{"id": "e2", "transition_condition": object{"type": "prompt", "prompt": "else"}, "destination_node_id": "start"}},
		}}), "conversation_flow_id")
	w.chat = str(s.call(201, "POST", "/create-chat-agent", object{"agent_name": "Chat bot",
		"response_engine": object{"type": "conversation-flow", "conversation_flow_id": w.flow}}), "agent_id")
	w.custom = str(s.call(201, "POST", "/create-agent", object{"agent_name": "Custom", "voice_id": "retell-Cimo",
		"response_engine": object{"type": "custom-llm", "llm_websocket_url": "wss://example.com/llm"}}), "agent_id")
	w.twin1 = str(s.call(201, "POST", "/create-agent", object{"agent_name": "Twin", "voice_id": "retell-Cimo", "language": "en-US",
		"response_engine": object{"type": "custom-llm", "llm_websocket_url": "wss://example.com/one"}}), "agent_id")
	w.twin2 = str(s.call(201, "POST", "/create-agent", object{"agent_name": "Twin", "voice_id": "retell-Cimo", "language": "de-DE",
		"response_engine": object{"type": "custom-llm", "llm_websocket_url": "wss://example.com/two"}}), "agent_id")
	s.call(201, "POST", "/create-phone-number", object{"phone_number": "+14155550100"})
	s.call(200, "PATCH", "/update-phone-number/%2B14155550100", object{"nickname": "Front desk",
		"inbound_agents":     []any{object{"agent_id": w.support, "agent_version": "prod", "weight": 0.7}, object{"agent_id": w.twin1, "weight": 0.3}},
		"inbound_sms_agents": []any{object{"agent_id": w.chat, "weight": 1}}})
	s.call(200, "PUT", "/agentry/v1/phone-numbers/%2B14155550100/routing", object{"mode": "sticky"})
	return w
}

// pull pulls a server into dir with the state the directory has for it.
func pull(t *testing.T, s *testServer, dir string) *PullReport {
	t.Helper()
	st, err := LoadState(StatePath(dir, s.URL, s.key, ""), s.URL)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Pull(ctx, s.client(), dir, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// plan and apply read dir and run against a server.
func plan(t *testing.T, s *testServer, dir string, opts Options) *Report {
	t.Helper()
	return runDir(t, s, dir, opts, Plan)
}

func apply(t *testing.T, s *testServer, dir string, opts Options) *Report {
	t.Helper()
	return runDir(t, s, dir, opts, Apply)
}

func runDir(t *testing.T, s *testServer, dir string, opts Options, fn func(context.Context, *Client, *Dir, *State, Options) (*Report, error)) *Report {
	t.Helper()
	d, err := ReadDir(dir)
	if err != nil {
		t.Fatalf("ReadDir: %v", err)
	}
	st, err := LoadState(StatePath(dir, s.URL, s.key, ""), s.URL)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := fn(ctx, s.client(), d, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// files reads every configuration file under dir (not the state).
func files(t *testing.T, dir string) map[string]string {
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

func names(m map[string]string) []string {
	var n []string
	for k := range m {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

func reportText(rep *Report) string {
	var b strings.Builder
	_ = WriteText(&b, rep, false)
	return b.String()
}

func mustContain(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, text)
		}
	}
}

func TestPullApplyPullReproducesAWorkspace(t *testing.T) {
	a, b := newTestServer(t), newTestServer(t)
	w := populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	got := files(t, dir)
	want := []string{"agents/custom.yaml", "agents/support.yaml", "agents/support@prod.yaml", "agents/twin-2.yaml", "agents/twin.yaml",
		"chat-agents/chat-bot.yaml", "components/collect-info.yaml", "knowledge-bases/faq.yaml", "knowledge-bases/faq/menu.txt",
		"phone-numbers/14155550100.yaml"}
	if fmt.Sprint(names(got)) != fmt.Sprint(want) {
		t.Fatalf("pulled files %v, want %v", names(got), want)
	}
	mustContain(t, "support.yaml", got["agents/support.yaml"], "voice_speed: 1.2", "general_prompt: You help a lot.",
		"knowledge_base_ids:\n    - faq", "tags:\n  staging: {}", "unassigned_tags:\n  beta: {}")
	mustContain(t, "support@prod.yaml", got["agents/support@prod.yaml"], "voice_speed: 1.1",
		"general_prompt: |\n    You help.\n    Be brief.\n", "prod:\n    dynamic_variables:\n      region: eu\n    published_only: true")
	mustContain(t, "chat-bot.yaml", got["chat-agents/chat-bot.yaml"], "component_id: collect-info", "component_type: shared", "conversation_flow:")
	mustContain(t, "the phone number", got["phone-numbers/14155550100.yaml"], "- agent: support\n    agent_version: prod\n    weight: 0.7",
		"- agent: twin-2\n    weight: 0.3", "inbound_sms_agents:\n  - agent: chat-bot", "routing: sticky", "nickname: Front desk")
	mustContain(t, "the knowledge base", got["knowledge-bases/faq.yaml"], "- type: url\n    url: https://example.com/faq",
		"- type: text\n    title: Hours\n    text: |\n      Open 9 to 5.\n      Closed on Sundays.\n", "- type: document\n    filename: menu.txt")
	if got["knowledge-bases/faq/menu.txt"] != "Soup of the day.\n" {
		t.Errorf("the document's bytes: %q", got["knowledge-bases/faq/menu.txt"])
	}
	if !strings.Contains(got["agents/twin.yaml"], "de-DE") || !strings.Contains(got["agents/twin-2.yaml"], "en-US") {
		t.Errorf("agents of the same name are named by content: twin.yaml is the one whose file sorts first (de-DE)")
	}
	for _, id := range []string{w.support, w.llm, w.kb, w.component} {
		for name, text := range got {
			if strings.Contains(text, id) {
				t.Errorf("%s names server id %s: files name objects by file", name, id)
			}
		}
	}

	if rep := plan(t, a, dir, Options{}); rep.Changes() || rep.Failed() || rep.Conflicts() {
		t.Fatalf("plan right after pull, on the same server, must be empty:\n%s", reportText(rep))
	}

	rep := apply(t, b, dir, Options{})
	if rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply to an empty workspace:\n%s", reportText(rep))
	}
	objects := len(want) - 2 // the variant is a version of support, the document part of the knowledge base
	if rep.Summary.Steps[ActCreate] != objects {
		t.Errorf("apply created %d objects, want %d:\n%s", rep.Summary.Steps[ActCreate], objects, reportText(rep))
	}

	if rep := plan(t, b, dir, Options{}); rep.Changes() || rep.Failed() || rep.Conflicts() {
		t.Fatalf("plan after apply must be empty:\n%s", reportText(rep))
	}
	before := b.requestCount()
	if rep := apply(t, b, dir, Options{}); rep.Changes() || rep.Summary.Objects[StatusUnchanged] != objects {
		t.Fatalf("a second apply must change nothing:\n%s", reportText(rep))
	}
	if writes := b.writesSince(before); len(writes) > 0 {
		t.Fatalf("a second apply wrote to the server: %v", writes)
	}

	dir2 := t.TempDir()
	copyState(t, dir, dir2)
	pull(t, b, dir2)
	again := files(t, dir2)
	if fmt.Sprint(names(again)) != fmt.Sprint(want) {
		t.Fatalf("pull from the second server gives files %v, want %v", names(again), want)
	}
	for name, text := range got {
		if again[name] != text {
			t.Errorf("%s differs between the two servers' pulls:\nfirst:\n%s\nsecond:\n%s", name, text, again[name])
		}
	}

	// The second server serves what the first did: prod on a version that
	// holds the older configuration, with its variables and flag; staging
	// on the latest; the number routes sticky to the same agents.
	st, _ := LoadState(StatePath(dir, b.URL, b.key, ""), b.URL)
	support := st.idOf("agents/support.yaml")
	prod, staging := b.tag(support, "prod"), b.tag(support, "staging")
	pv, _ := integer(prod, "version")
	sv, _ := integer(staging, "version")
	old := b.call(200, "GET", fmt.Sprintf("/get-agent/%s?version=%d", support, pv), nil)
	latest := b.call(200, "GET", "/get-agent/"+support, nil)
	if old["voice_speed"].(fmt.Stringer).String() != "1.1" || latest["voice_speed"].(fmt.Stringer).String() != "1.2" || integerOf(latest["version"]) != sv {
		t.Errorf("prod is on a version with voice_speed %v, staging on %d (latest %v with voice_speed %v)", old["voice_speed"], sv, latest["version"], latest["voice_speed"])
	}
	if str(prod["dynamic_variables"].(object), "region") != "eu" || prod["published_only"] != true || old["is_published"] != true {
		t.Errorf("prod: %v on a version published %v", prod, old["is_published"])
	}
	if b.tag(support, "beta") == nil || b.tag(support, "beta")["version"] != nil {
		t.Errorf("beta is an unassigned tag on the second server too: %v", b.tag(support, "beta"))
	}
	llm := pinnedEngine(old)
	engine := b.call(200, "GET", fmt.Sprintf("/get-retell-llm/%s?version=%d", llm.id, *llm.version), nil)
	if ids, _ := engine["knowledge_base_ids"].([]any); len(ids) != 1 || ids[0] != st.idOf("knowledge-bases/faq.yaml") {
		t.Errorf("the LLM of prod names knowledge bases %v, want the second server's FAQ %s", engine["knowledge_base_ids"], st.idOf("knowledge-bases/faq.yaml"))
	}
	number := b.call(200, "GET", "/get-phone-number/%2B14155550100", nil)
	bound := number["inbound_agents"].([]any)[0].(object)
	if bound["agent_id"] != support || bound["agent_version"] != "prod" || fmt.Sprint(bound["weight"]) != "0.7" {
		t.Errorf("the number's first inbound entry on the second server: %v", bound)
	}
	if mode := b.call(200, "GET", "/agentry/v1/phone-numbers/%2B14155550100/routing", nil)["mode"]; mode != "sticky" {
		t.Errorf("routing mode on the second server: %v", mode)
	}
}

func integerOf(v any) int64 {
	n, _ := integer(object{"v": v}, "v")
	return n
}

// copyState gives dir2 the state files of dir, as a clone of the
// repository would have them.
func copyState(t *testing.T, dir, dir2 string) {
	t.Helper()
	src := filepath.Join(dir, ".agentry", "state")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir2, ".agentry", "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir2, ".agentry", "state", e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
