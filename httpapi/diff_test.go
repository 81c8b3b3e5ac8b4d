package httpapi_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/agentry/agentry/diff"
)

// diffAnswer is the answer of the diff endpoint.
type diffAnswer struct {
	AgentID string `json:"agent_id"`
	From    struct {
		Version     int64          `json:"version"`
		IsPublished bool           `json:"is_published"`
		Title       *string        `json:"version_title"`
		Engine      map[string]any `json:"engine"`
	} `json:"from"`
	To struct {
		Version     int64          `json:"version"`
		IsPublished bool           `json:"is_published"`
		Engine      map[string]any `json:"engine"`
	} `json:"to"`
	Changes []diff.Change `json:"changes"`
}

func (e *env) diff(id, query string) diffAnswer {
	e.t.Helper()
	r := e.do("GET", "/agentry/v1/agents/"+id+"/diff"+query, e.keyA, nil)
	if r.status != 200 {
		e.t.Fatalf("diff %s%s: %d %s", id, query, r.status, r.body)
	}
	var a diffAnswer
	if err := json.Unmarshal(r.body, &a); err != nil {
		e.t.Fatal(err)
	}
	if a.Changes == nil {
		e.t.Fatalf("changes is null, want a list: %s", r.body)
	}
	return a
}

// without returns m without the named members.
func without(m map[string]any, names ...string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if !slices.Contains(names, k) {
			out[k] = v
		}
	}
	return out
}

var agentMeta = []string{"agent_id", "version", "is_published", "base_version", "version_title", "version_description", "last_modification_timestamp"}

// document builds, from what the get endpoints answer, the document a diff
// compares: {"agent": configuration, "engine": engine configuration}.
func (e *env) document(agentPath, agentID string, n int64, k *kindCase, engineID string) json.RawMessage {
	e.t.Helper()
	r := e.do("GET", fmt.Sprintf("%s/%s?version=%d", agentPath, agentID, n), e.keyA, nil)
	if r.status != 200 {
		e.t.Fatalf("get %s v%d: %d %s", agentID, n, r.status, r.body)
	}
	agent := r.json(e.t)
	var engine any
	if k != nil {
		engine = without(e.getEngine(*k, engineID, fmt.Sprintf("?version=%d", pinned(e.t, agent))),
			k.idField, "version", "is_published", "last_modification_timestamp")
	}
	b, _ := json.Marshal(map[string]any{"agent": without(agent, agentMeta...), "engine": engine})
	return b
}

// wantReplay applies the changes to from and wants to, as JSON values.
func wantReplay(t *testing.T, from, to json.RawMessage, changes []diff.Change) {
	t.Helper()
	got, err := diff.Apply(from, changes)
	if err != nil {
		t.Fatalf("the changes do not apply to the old document: %v", err)
	}
	var a, b any
	json.Unmarshal(got, &a)
	json.Unmarshal(to, &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("applying the changes gives\n%s\nwant\n%s", got, to)
	}
}

// ops lists "op path" of each change.
func ops(cs []diff.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Op+" "+c.Path)
	}
	return out
}

func TestDiffOfAVoiceAgentOnARetellLLM(t *testing.T) {
	e := newEnv(t, nil)
	llm := e.createEngine(engineKinds[0], e.keyA, `{"start_speaker":"agent","starting_state":"greeting",
	  "general_tools":[{"type":"end_call","name":"hang_up"}],
	  "states":[{"name":"greeting","state_prompt":"Greet.","edges":[{"destination_state_name":"booking","description":"wants a slot"}]},
	            {"name":"booking","state_prompt":"Find a free slot."},
	            {"name":"verify","state_prompt":"Check the name."}]}`)
	id := e.createAgentOn("/create-agent", e.keyA, engineKinds[0].engineRef(llm))["agent_id"].(string)
	if r := e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(`{"version":0,"version_title":"prod"}`)); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	e.do("POST", "/create-agent-version/"+id, e.keyA, []byte(`{"base_version":0}`))
	if r := e.do("PATCH", "/update-agent/"+id+"?version=1", e.keyA, []byte(`{"voice_speed":1.2}`)); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	// The engine draft of version 1: a state inserted first, one edited,
	// one removed, a tool added before the existing one.
	if r := e.do("PATCH", "/update-retell-llm/"+llm+"?version=1", e.keyA, []byte(`{
	  "general_tools":[{"type":"transfer_call","name":"to_desk","transfer_destination":{"type":"predefined","number":"+14155550100"}},{"type":"end_call","name":"hang_up"}],
	  "states":[{"name":"triage","state_prompt":"Ask what they need.","edges":[{"destination_state_name":"greeting","description":"a caller"}]},
	            {"name":"greeting","state_prompt":"Greet.","edges":[{"destination_state_name":"booking","description":"wants a slot"}]},
	            {"name":"booking","state_prompt":"Find a slot this week."}]}`)); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}

	a := e.diff(id, "?from=0&to=1")
	want := []string{
		"replace /agent/response_engine/version",
		"add /agent/voice_speed",
		"add /engine/general_tools/0",
		"add /engine/states/0",
		"replace /engine/states/2/state_prompt",
		"remove /engine/states/3",
	}
	if got := ops(a.Changes); !slices.Equal(got, want) {
		t.Fatalf("changes %v, want %v (named items matched by name)", got, want)
	}
	if c := a.Changes[4]; string(c.From) != `"Find a free slot."` || string(c.To) != `"Find a slot this week."` {
		t.Errorf("state_prompt change %+v", c)
	}
	if a.AgentID != id || a.From.Version != 0 || !a.From.IsPublished || a.From.Title == nil || *a.From.Title != "prod" || a.To.Version != 1 || a.To.IsPublished {
		t.Errorf("sides %+v / %+v", a.From, a.To)
	}
	if a.From.Engine["id"] != llm || a.From.Engine["version"] != float64(0) || a.To.Engine["version"] != float64(1) || a.To.Engine["type"] != "retell-llm" {
		t.Errorf("engines %v / %v", a.From.Engine, a.To.Engine)
	}
	from, to := e.document("/get-agent", id, 0, &engineKinds[0], llm), e.document("/get-agent", id, 1, &engineKinds[0], llm)
	wantReplay(t, from, to, a.Changes)
	// The other way round undoes it.
	back := e.diff(id, "?from=1&to=0")
	wantReplay(t, to, from, back.Changes)

	// References: latest and latest_published name the same two versions.
	if b := e.diff(id, "?from=latest_published&to=latest"); !reflect.DeepEqual(b.Changes, a.Changes) {
		t.Errorf("latest_published → latest differs from 0 → 1")
	}
	if b := e.diff(id, ""); !reflect.DeepEqual(b.Changes, a.Changes) || b.From.Version != 0 || b.To.Version != 1 {
		t.Errorf("the default (latest_published → latest) differs from 0 → 1: %+v", b)
	}
	if same := e.diff(id, "?from=1&to=latest"); len(same.Changes) != 0 {
		t.Errorf("a version against itself: %v", ops(same.Changes))
	}
}

func TestDiffOfAChatAgentOnAConversationFlow(t *testing.T) {
	e := newEnv(t, nil)
	k := engineKinds[1]
	flow := e.createEngine(k, e.keyA, minimalFlow)
	id := e.createAgentOn("/create-chat-agent", e.keyA, k.engineRef(flow))["agent_id"].(string)
	e.do("POST", "/create-agent-version/"+id, e.keyA, []byte(`{"base_version":0}`))
	if r := e.do("PATCH", "/update-chat-agent/"+id+"?version=1", e.keyA, []byte(`{"agent_name":"chat desk"}`)); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	if r := e.do("PATCH", "/update-conversation-flow/"+flow+"?version=1", e.keyA, []byte(`{
	  "nodes":[{"id":"start","type":"conversation","instruction":{"type":"prompt","text":"Greet."},
	    "edges":[{"id":"e2","destination_node_id":"faq","transition_condition":{"type":"prompt","prompt":"a question"}},
	             {"id":"e1","destination_node_id":"bye","transition_condition":{"type":"prompt","prompt":"done"}}]},
	   {"id":"faq","type":"conversation","instruction":{"type":"prompt","text":"Answer from the FAQ."}},
	   {"id":"bye","type":"end"}]}`)); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	a := e.diff(id, "?from=0&to=1")
	want := []string{
		"add /agent/agent_name",
		"replace /agent/response_engine/version",
		"add /engine/nodes/0/edges/0",
		"add /engine/nodes/1",
	}
	if got := ops(a.Changes); !slices.Equal(got, want) {
		t.Fatalf("changes %v, want %v (nodes and edges matched by id)", got, want)
	}
	wantReplay(t, e.document("/get-chat-agent", id, 0, &k, flow), e.document("/get-chat-agent", id, 1, &k, flow), a.Changes)
	if a.To.Engine["type"] != "conversation-flow" || a.To.Engine["id"] != flow {
		t.Errorf("engine %v", a.To.Engine)
	}
}

func TestDiffEdgeCases(t *testing.T) {
	e := newEnv(t, nil)
	// A custom-llm agent pins no engine: engine is null on both sides.
	id := e.createAgent(e.keyA)
	e.do("POST", "/create-agent-version/"+id, e.keyA, []byte(`{"base_version":0}`))
	e.do("PATCH", "/update-agent/"+id+"?version=1", e.keyA, []byte(`{"agent_name":"Desk 2"}`))
	a := e.diff(id, "?from=0&to=1")
	if got := ops(a.Changes); !slices.Equal(got, []string{"replace /agent/agent_name"}) || a.From.Engine != nil || a.To.Engine != nil {
		t.Errorf("custom-llm diff %v, engines %v %v", got, a.From.Engine, a.To.Engine)
	}
	// Moving to an LLM shows the engine appear whole.
	llm := e.createEngine(engineKinds[0], e.keyA, minimalLLM)
	e.do("PATCH", "/update-agent/"+id+"?version=1", e.keyA, []byte(`{"response_engine":`+engineKinds[0].engineRef(llm)+`}`))
	b := e.diff(id, "?from=0&to=1")
	if got := ops(b.Changes); !slices.Contains(got, "replace /engine") || b.To.Engine["id"] != llm {
		t.Errorf("custom-llm → LLM: %v", got)
	}
	// A pinned engine that was force-deleted is shown missing.
	if r := e.do("DELETE", "/delete-retell-llm/"+llm+"?force_delete=true", e.keyA, nil); r.status != 204 {
		t.Fatal(r.status, string(r.body))
	}
	c := e.diff(id, "?from=0&to=1")
	if c.To.Engine["missing"] != true || c.To.Engine["id"] != llm {
		t.Errorf("missing engine shown as %v", c.To.Engine)
	}

	for _, tc := range []struct {
		query  string
		status int
		words  string
	}{
		{"?from=7&to=1", 404, "from: agent " + id + " has no version 7"},
		{"?from=0&to=9", 404, "to: agent " + id + " has no version 9"},
		{"?from=prod&to=1", 404, "from: "},
		{"?from=x.y&to=1", 400, "from: "},
		{"?from=0&to=-1", 400, "to: "},
		{"?from=0&to=v2", 400, "to: "},
	} {
		wantError(t, e.do("GET", "/agentry/v1/agents/"+id+"/diff"+tc.query, e.keyA, nil), tc.status, tc.words)
	}
	wantError(t, e.do("GET", "/agentry/v1/agents/agent_missing/diff?from=0&to=1", e.keyA, nil), 404, "not found")
	// Another workspace's agent answers like a missing one.
	other := e.do("GET", "/agentry/v1/agents/"+id+"/diff?from=0&to=1", e.keyB, nil)
	missing := e.do("GET", "/agentry/v1/agents/agent_missing/diff?from=0&to=1", e.keyB, nil)
	if other.status != 404 || missing.status != 404 {
		t.Errorf("workspace B: %d, missing: %d", other.status, missing.status)
	}
	// An engine is not an agent.
	wantError(t, e.do("GET", "/agentry/v1/agents/"+e.createEngine(engineKinds[0], e.keyA, minimalLLM)+"/diff?from=0&to=0", e.keyA, nil), 404, "not found")
}
