package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/internal/reference"
)

const (
	minimalLLM  = `{"general_prompt":"You answer the front desk.","start_speaker":"agent"}`
	minimalFlow = `{"start_speaker":"agent","model_choice":{"type":"cascading","model":"gpt-5.6-terra"},"start_node_id":"start",
	  "nodes":[{"id":"start","type":"conversation","instruction":{"type":"prompt","text":"Greet."},
	    "edges":[{"id":"e1","destination_node_id":"bye","transition_condition":{"type":"prompt","prompt":"done"}}]},
	   {"id":"bye","type":"end"}]}`
)

// kindCase names one engine kind's endpoints and shapes for table tests.
type kindCase struct {
	name, slug, idField, prefix, body, responseSchema string
	getMissing, updateMissing, deleteMissing          int
	engineRef                                         func(id string) string // a response_engine value naming it
}

var engineKinds = []kindCase{
	{name: "retell-llm", slug: "retell-llm", idField: "llm_id", prefix: "llm_", body: minimalLLM,
		responseSchema: "RetellLLMResponse", getMissing: 422, updateMissing: 422, deleteMissing: 422,
		engineRef: func(id string) string { return `{"type":"retell-llm","llm_id":"` + id + `"}` }},
	{name: "conversation-flow", slug: "conversation-flow", idField: "conversation_flow_id", prefix: "conversation_flow_", body: minimalFlow,
		responseSchema: "ConversationFlowResponse", getMissing: 404, updateMissing: 422, deleteMissing: 404,
		engineRef: func(id string) string { return `{"type":"conversation-flow","conversation_flow_id":"` + id + `"}` }},
}

func (e *env) createEngine(k kindCase, key, body string) string {
	e.t.Helper()
	r := e.do("POST", "/create-"+k.slug, key, []byte(body))
	if r.status != 201 {
		e.t.Fatalf("create-%s: %d %s", k.slug, r.status, r.body)
	}
	return r.json(e.t)[k.idField].(string)
}

func (e *env) getEngine(k kindCase, id, query string) map[string]any {
	e.t.Helper()
	r := e.do("GET", "/get-"+k.slug+"/"+id+query, e.keyA, nil)
	if r.status != 200 {
		e.t.Fatalf("get-%s %s%s: %d %s", k.slug, id, query, r.status, r.body)
	}
	return r.json(e.t)
}

// createAgentOn creates an agent of path ("/create-agent" or
// "/create-chat-agent") whose response engine is engineRef.
func (e *env) createAgentOn(path, key, engineRef string) map[string]any {
	e.t.Helper()
	body := `{"response_engine":` + engineRef + `}`
	if path == "/create-agent" {
		body = `{"voice_id":"retell-Cimo","response_engine":` + engineRef + `}`
	}
	r := e.do("POST", path, key, []byte(body))
	if r.status != 201 {
		e.t.Fatalf("%s: %d %s", path, r.status, r.body)
	}
	return r.json(e.t)
}

// pinned returns response_engine.version of an agent response, or -1.
func pinned(t *testing.T, agent map[string]any) int {
	t.Helper()
	re, _ := agent["response_engine"].(map[string]any)
	v, ok := re["version"].(float64)
	if !ok {
		t.Fatalf("response_engine has no version: %v", agent["response_engine"])
		return -1
	}
	return int(v)
}

func TestEngineEndpoints(t *testing.T) {
	for _, k := range engineKinds {
		t.Run(k.name, func(t *testing.T) {
			e := newEnv(t, nil)
			r := e.do("POST", "/create-"+k.slug, e.keyA, []byte(k.body))
			if r.status != 201 {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			reference.Validate(t, k.responseSchema, r.body)
			created := r.json(t)
			id, _ := created[k.idField].(string)
			if !strings.HasPrefix(id, k.prefix) || created["version"] != 0.0 || created["is_published"] != false {
				t.Fatalf("create answered %s", r.body)
			}
			for _, field := range []string{"agent_id", "base_version", "version_title", "version_description"} {
				if _, ok := created[field]; ok {
					t.Errorf("an engine response carries %s: %s", field, r.body)
				}
			}
			if r.header.Get("ETag") == "" {
				t.Error("create sent no ETag")
			}

			// get: latest by default, or the version asked for.
			got := e.do("GET", "/get-"+k.slug+"/"+id, e.keyA, nil)
			reference.Validate(t, k.responseSchema, got.body)
			if string(got.body) != string(r.body) {
				t.Errorf("get differs from create:\n%s\n%s", got.body, r.body)
			}
			if v := e.getEngine(k, id, "?version=0"); v[k.idField] != id {
				t.Errorf("get ?version=0: %v", v)
			}
			wantError(t, e.do("GET", "/get-"+k.slug+"/"+id+"?version=abc", e.keyA, nil), 400, "version")

			// update: the latest draft by default; unknown fields are ignored
			// and named.
			up := e.do("PATCH", "/update-"+k.slug+"/"+id, e.keyA, []byte(`{"begin_after_user_silence_ms":2500}`))
			if up.status != 200 || up.json(t)["begin_after_user_silence_ms"] != 2500.0 {
				t.Fatalf("update: %d %s", up.status, up.body)
			}
			reference.Validate(t, k.responseSchema, up.body)
			if r := e.do("PATCH", "/update-"+k.slug+"/"+id, e.keyA, []byte(`{"begin_after_user_silence":1}`)); r.status != 200 ||
				r.header.Get(httpapi.IgnoredFieldsHeader) != "begin_after_user_silence" || r.json(t)["begin_after_user_silence"] != nil {
				t.Errorf("update with an unknown field: %d %s %s", r.status, r.header.Get(httpapi.IgnoredFieldsHeader), r.body)
			}
			wantError(t, e.do("PATCH", "/update-"+k.slug+"/"+id, e.keyA, []byte(`{"start_speaker":"robot"}`)), 400, "start_speaker")
			wantError(t, e.do("PATCH", "/update-"+k.slug+"/"+id+"?version=3", e.keyA, []byte(`{}`)), k.updateMissing, "no version 3")

			// list: paged like list-agents, items are whole responses.
			ids := map[string]bool{id: true}
			for range 2 {
				ids[e.createEngine(k, e.keyA, k.body)] = true
			}
			e.createEngine(k, e.keyB, k.body) // another workspace's
			seen := map[string]bool{}
			key := ""
			for pages := 0; ; pages++ {
				path := "/v2/list-" + k.slug + "s?limit=2&sort_order=ascending"
				if key != "" {
					path += "&pagination_key=" + key
				}
				lr := e.do("GET", path, e.keyA, nil)
				if lr.status != 200 {
					t.Fatalf("list: %d %s", lr.status, lr.body)
				}
				var page struct {
					Items         []json.RawMessage `json:"items"`
					HasMore       bool              `json:"has_more"`
					PaginationKey string            `json:"pagination_key"`
				}
				if err := json.Unmarshal(lr.body, &page); err != nil {
					t.Fatal(err)
				}
				for _, item := range page.Items {
					reference.Validate(t, k.responseSchema, item)
					var m map[string]any
					json.Unmarshal(item, &m)
					seen[m[k.idField].(string)] = true
				}
				if !page.HasMore {
					break
				}
				if pages > 3 || page.PaginationKey == "" {
					t.Fatalf("paging does not end: %s", lr.body)
				}
				key = page.PaginationKey
			}
			if len(seen) != len(ids) {
				t.Errorf("list saw %v, want %v", seen, ids)
			}

			// Another workspace's engine answers like a missing one.
			wantError(t, e.do("GET", "/get-"+k.slug+"/"+id, e.keyB, nil), k.getMissing, "not found")
			wantError(t, e.do("PATCH", "/update-"+k.slug+"/"+id, e.keyB, []byte(`{}`)), k.updateMissing, "not found")
			wantError(t, e.do("DELETE", "/delete-"+k.slug+"/"+id, e.keyB, nil), k.deleteMissing, "not found")

			// delete: 204, then every endpoint answers with its not-found status.
			if d := e.do("DELETE", "/delete-"+k.slug+"/"+id, e.keyA, nil); d.status != 204 {
				t.Fatalf("delete: %d %s", d.status, d.body)
			}
			wantError(t, e.do("GET", "/get-"+k.slug+"/"+id, e.keyA, nil), k.getMissing, "not found")
			wantError(t, e.do("PATCH", "/update-"+k.slug+"/"+id, e.keyA, []byte(`{}`)), k.updateMissing, "not found")
			wantError(t, e.do("DELETE", "/delete-"+k.slug+"/"+id, e.keyA, nil), k.deleteMissing, "not found")
			if k.getMissing == 422 {
				wantError(t, e.do("GET", "/get-"+k.slug+"/"+id, e.keyA, nil), 422, "Cannot find requested asset under given api key")
			}
			wantError(t, e.do("DELETE", "/delete-"+k.slug+"/"+id+"?force_delete=maybe", e.keyA, nil), 400, "force_delete")
		})
	}
}

func TestAgentPinsTheEngineLatestVersionWhenNoneIsGiven(t *testing.T) {
	for _, k := range engineKinds {
		for _, create := range []string{"/create-agent", "/create-chat-agent"} {
			t.Run(k.name+create, func(t *testing.T) {
				e := newEnv(t, nil)
				id := e.createEngine(k, e.keyA, k.body)
				a := e.createAgentOn(create, e.keyA, k.engineRef(id))
				if pinned(t, a) != 0 {
					t.Fatalf("pinned %d, want 0: %v", pinned(t, a), a["response_engine"])
				}
				// A second engine version (made by branching the agent); a new
				// agent without a version pins it, the latest.
				e.do("POST", "/create-agent-version/"+a["agent_id"].(string), e.keyA, []byte(`{"base_version":0}`))
				if v := e.getEngine(k, id, ""); v["version"] != 1.0 {
					t.Fatalf("latest engine version %v, want 1", v["version"])
				}
				b := e.createAgentOn(create, e.keyA, k.engineRef(id))
				if pinned(t, b) != 1 {
					t.Errorf("pinned %d, want the latest, 1", pinned(t, b))
				}
				// An explicit version is kept.
				ref := strings.TrimSuffix(k.engineRef(id), "}") + `,"version":0}`
				if c := e.createAgentOn(create, e.keyA, ref); pinned(t, c) != 0 {
					t.Errorf("pinned %d, want the version asked for, 0", pinned(t, c))
				}
				// update-agent with a response_engine and no version pins the latest.
				update := "/update-agent/"
				if create == "/create-chat-agent" {
					update = "/update-chat-agent/"
				}
				other := e.createEngine(k, e.keyA, k.body)
				r := e.do("PATCH", update+a["agent_id"].(string)+"?version=1", e.keyA, []byte(`{"response_engine":`+k.engineRef(other)+`}`))
				if r.status != 200 || pinned(t, r.json(t)) != 0 {
					t.Errorf("update to another engine: %d %s", r.status, r.body)
				}
			})
		}
	}
}

func TestPublishingAnAgentPublishesItsEngineVersion(t *testing.T) {
	for _, k := range engineKinds {
		t.Run(k.name, func(t *testing.T) {
			e := newEnv(t, nil)
			id := e.createEngine(k, e.keyA, k.body)
			a := e.createAgentOn("/create-agent", e.keyA, k.engineRef(id))
			agentID := a["agent_id"].(string)
			if r := e.do("POST", "/publish-agent-version/"+agentID, e.keyA, []byte(`{"version":0}`)); r.status != 200 {
				t.Fatalf("publish: %d %s", r.status, r.body)
			}
			if v := e.getEngine(k, id, "?version=0"); v["is_published"] != true {
				t.Fatalf("engine version 0 after publishing the agent: %v", v)
			}
			// A published engine version never changes.
			wantError(t, e.do("PATCH", "/update-"+k.slug+"/"+id+"?version=0", e.keyA, []byte(`{"begin_after_user_silence_ms":1}`)), 400, "published")
			wantError(t, e.do("PATCH", "/update-"+k.slug+"/"+id, e.keyA, []byte(`{"begin_after_user_silence_ms":1}`)), 400, "no draft")
			if v := e.getEngine(k, id, "?version=0"); v["begin_after_user_silence_ms"] != nil {
				t.Errorf("a refused update changed the engine: %v", v)
			}
			// The published engine version is served from the cache, and the
			// cache forgets it when the engine is deleted.
			first := e.do("GET", "/get-"+k.slug+"/"+id+"?version=0", e.keyA, nil)
			second := e.do("GET", "/get-"+k.slug+"/"+id+"?version=0", e.keyA, nil)
			if string(first.body) != string(second.body) {
				t.Errorf("cached read differs:\n%s\n%s", first.body, second.body)
			}
			wantError(t, e.do("GET", "/get-"+k.slug+"/"+id+"?version=0", e.keyB, nil), k.getMissing, "not found")
			if r := e.do("DELETE", "/delete-"+k.slug+"/"+id+"?force_delete=true", e.keyA, nil); r.status != 204 {
				t.Fatalf("force delete: %d %s", r.status, r.body)
			}
			wantError(t, e.do("GET", "/get-"+k.slug+"/"+id+"?version=0", e.keyA, nil), k.getMissing, "not found")
		})
	}
}

// Publishing is one transaction: when the engine version cannot be
// published, the agent version stays a draft.
func TestPublishIsAllOrNothing(t *testing.T) {
	e := newEnv(t, nil)
	k := engineKinds[0]
	id := e.createEngine(k, e.keyA, k.body)
	agentID := e.createAgentOn("/create-agent", e.keyA, k.engineRef(id))["agent_id"].(string)
	if r := e.do("DELETE", "/delete-retell-llm/"+id+"?force_delete=true", e.keyA, nil); r.status != 204 {
		t.Fatalf("force delete: %d %s", r.status, r.body)
	}
	wantError(t, e.do("POST", "/publish-agent-version/"+agentID, e.keyA, []byte(`{"version":0}`)), 422, "Cannot find requested asset under given api key")
	if a := e.do("GET", "/get-agent/"+agentID, e.keyA, nil).json(t); a["is_published"] != false {
		t.Errorf("the agent version was published without its engine: %v", a)
	}
}

func TestCreateAgentVersionBranchesTheEngine(t *testing.T) {
	for _, k := range engineKinds {
		for _, create := range []string{"/create-agent", "/create-chat-agent"} {
			t.Run(k.name+create, func(t *testing.T) {
				e := newEnv(t, nil)
				id := e.createEngine(k, e.keyA, k.body)
				agentID := e.createAgentOn(create, e.keyA, k.engineRef(id))["agent_id"].(string)
				if r := e.do("PATCH", "/update-"+k.slug+"/"+id, e.keyA, []byte(`{"begin_after_user_silence_ms":1111}`)); r.status != 200 {
					t.Fatalf("update engine draft: %d %s", r.status, r.body)
				}
				e.do("POST", "/publish-agent-version/"+agentID, e.keyA, []byte(`{"version":0}`))
				for n := 1; n <= 2; n++ {
					r := e.do("POST", "/create-agent-version/"+agentID, e.keyA, []byte(`{"base_version":0}`))
					if r.status != 201 {
						t.Fatalf("create-agent-version: %d %s", r.status, r.body)
					}
					a := r.json(t)
					// One agent uses the engine: the numbers follow the agent's.
					if a["version"] != float64(n) || pinned(t, a) != n {
						t.Fatalf("agent draft %v pins engine version %d, want %d and %d", a["version"], pinned(t, a), n, n)
					}
					v := e.getEngine(k, id, fmt.Sprintf("?version=%d", n))
					if v["is_published"] != false || v["begin_after_user_silence_ms"] != 1111.0 {
						t.Errorf("engine draft %d is not a draft copy of version 0: %v", n, v)
					}
				}
				// The new engine draft is editable; the published one is not.
				if r := e.do("PATCH", "/update-"+k.slug+"/"+id+"?version=1", e.keyA, []byte(`{"begin_after_user_silence_ms":2222}`)); r.status != 200 {
					t.Errorf("update engine draft 1: %d %s", r.status, r.body)
				}
				if v := e.getEngine(k, id, "?version=0"); v["begin_after_user_silence_ms"] != 1111.0 || v["is_published"] != true {
					t.Errorf("engine version 0 changed: %v", v)
				}
				// The agent's version 0 still pins engine version 0.
				get := "/get-agent/"
				if create == "/create-chat-agent" {
					get = "/get-chat-agent/"
				}
				if a := e.do("GET", get+agentID+"?version=0", e.keyA, nil).json(t); pinned(t, a) != 0 {
					t.Errorf("agent version 0 pins %d, want 0", pinned(t, a))
				}
				// Publishing draft 1 publishes engine version 1 with it.
				e.do("POST", "/publish-agent-version/"+agentID, e.keyA, []byte(`{"version":1}`))
				if v := e.getEngine(k, id, "?version=1"); v["is_published"] != true {
					t.Errorf("engine version 1 after publishing agent version 1: %v", v)
				}
				if v := e.getEngine(k, id, "?version=2"); v["is_published"] != false {
					t.Errorf("engine version 2 was published too: %v", v)
				}
			})
		}
	}
}

func TestDeletingAnEngineInUse(t *testing.T) {
	for _, k := range engineKinds {
		t.Run(k.name, func(t *testing.T) {
			e := newEnv(t, nil)
			id := e.createEngine(k, e.keyA, k.body)
			agentID := e.createAgentOn("/create-chat-agent", e.keyA, k.engineRef(id))["agent_id"].(string)
			wantError(t, e.do("DELETE", "/delete-"+k.slug+"/"+id, e.keyA, nil), 400, agentID)
			wantError(t, e.do("DELETE", "/delete-"+k.slug+"/"+id+"?force_delete=false", e.keyA, nil), 400, "force_delete")
			e.getEngine(k, id, "") // still there
			if r := e.do("DELETE", "/delete-"+k.slug+"/"+id+"?force_delete=true", e.keyA, nil); r.status != 204 {
				t.Fatalf("force delete: %d %s", r.status, r.body)
			}
			wantError(t, e.do("GET", "/get-"+k.slug+"/"+id, e.keyA, nil), k.getMissing, "not found")
			// The agent is left pointing at an engine that no longer exists.
			if r := e.do("GET", "/get-chat-agent/"+agentID, e.keyA, nil); r.status != 200 {
				t.Errorf("get the agent after a forced delete: %d %s", r.status, r.body)
			}
			wantError(t, e.do("POST", "/create-agent-version/"+agentID, e.keyA, []byte(`{"base_version":0}`)), 422, "no longer exists")

			// An engine whose only user was deleted can be deleted.
			id2 := e.createEngine(k, e.keyA, k.body)
			user := e.createAgentOn("/create-agent", e.keyA, k.engineRef(id2))["agent_id"].(string)
			e.do("DELETE", "/delete-agent/"+user, e.keyA, nil)
			if r := e.do("DELETE", "/delete-"+k.slug+"/"+id2, e.keyA, nil); r.status != 204 {
				t.Errorf("delete an unused engine: %d %s", r.status, r.body)
			}
		})
	}
}

func TestUnknownEnginesAre422(t *testing.T) {
	e := newEnv(t, nil)
	llm := e.createEngine(engineKinds[0], e.keyA, minimalLLM)
	flow := e.createEngine(engineKinds[1], e.keyA, minimalFlow)
	otherLLM := e.createEngine(engineKinds[0], e.keyB, minimalLLM)
	voice := e.createAgent(e.keyA)
	for name, ref := range map[string]string{
		"missing llm":                 `{"type":"retell-llm","llm_id":"llm_0000"}`,
		"missing flow":                `{"type":"conversation-flow","conversation_flow_id":"conversation_flow_0000"}`,
		"missing llm version":         `{"type":"retell-llm","llm_id":"` + llm + `","version":7}`,
		"missing flow version":        `{"type":"conversation-flow","conversation_flow_id":"` + flow + `","version":7}`,
		"another workspace's llm":     `{"type":"retell-llm","llm_id":"` + otherLLM + `"}`,
		"a flow named as an llm":      `{"type":"retell-llm","llm_id":"` + flow + `"}`,
		"an agent named as an engine": `{"type":"retell-llm","llm_id":"` + voice + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			const msg = "Cannot find requested asset under given api key"
			wantError(t, e.do("POST", "/create-agent", e.keyA, []byte(`{"voice_id":"v","response_engine":`+ref+`}`)), 422, msg)
			wantError(t, e.do("POST", "/create-chat-agent", e.keyA, []byte(`{"response_engine":`+ref+`}`)), 422, msg)
			wantError(t, e.do("PATCH", "/update-agent/"+voice, e.keyA, []byte(`{"response_engine":`+ref+`}`)), 422, msg)
		})
	}
	// The refused updates changed nothing.
	if a := e.do("GET", "/get-agent/"+voice, e.keyA, nil).json(t); a["response_engine"].(map[string]any)["type"] != "custom-llm" {
		t.Errorf("a refused update changed the agent: %v", a)
	}
}

func TestEngineValidation(t *testing.T) {
	e := newEnv(t, strict)
	llm := e.createEngine(engineKinds[0], e.keyA, minimalLLM)
	flow := e.createEngine(engineKinds[1], e.keyA, minimalFlow)
	node := func(id, dest string) string {
		return `{"id":"` + id + `","type":"conversation","instruction":{"type":"prompt","text":"x"},"edges":[{"id":"e","destination_node_id":"` + dest + `","transition_condition":{"type":"prompt","prompt":"p"}}]}`
	}
	flowWith := func(start string, nodes ...string) string {
		return `{"start_speaker":"agent","model_choice":{"type":"cascading","model":"gpt-5"},"start_node_id":"` + start + `","nodes":[` + strings.Join(nodes, ",") + `]}`
	}
	for _, c := range []struct {
		name, method, path, body, message string
	}{
		{"llm unknown field", "POST", "/create-retell-llm", `{"general_promt":"x"}`, `unknown field "general_promt"`},
		{"llm wrong type", "POST", "/create-retell-llm", `{"general_prompt":5}`, "general_prompt: must be a string"},
		{"llm bad model", "POST", "/create-retell-llm", `{"model":"gpt-2"}`, "model: must be one of"},
		{"llm temperature out of range", "POST", "/create-retell-llm", `{"model_temperature":3}`, "model_temperature"},
		{"llm tool without name", "POST", "/create-retell-llm", `{"general_tools":[{"type":"end_call"}]}`, "general_tools[0].name: is required"},
		{"llm unknown tool type", "POST", "/create-retell-llm", `{"general_tools":[{"type":"teleport","name":"t"}]}`, "general_tools[0].type"},
		{"llm duplicate tool names", "POST", "/create-retell-llm", `{"general_tools":[{"type":"end_call","name":"end"},{"type":"end_call","name":"end"}]}`, `general_tools[1].name: "end" is already the name of general_tools[0]`},
		{"llm state tool shadows a general tool", "POST", "/create-retell-llm", `{"general_tools":[{"type":"end_call","name":"end"}],"states":[{"name":"a","tools":[{"type":"end_call","name":"end"}]}],"starting_state":"a"}`, `states[0].tools[0].name: "end" is already the name of general_tools[0]`},
		{"llm duplicate state names", "POST", "/create-retell-llm", `{"states":[{"name":"a"},{"name":"a"}],"starting_state":"a"}`, `states[1].name: "a" is already the name of states[0]`},
		{"llm edge to a missing state", "POST", "/create-retell-llm", `{"states":[{"name":"a","edges":[{"destination_state_name":"b","description":"go"}]}],"starting_state":"a"}`, `states[0].edges[0].destination_state_name: no state is named "b"`},
		{"llm missing starting state", "POST", "/create-retell-llm", `{"states":[{"name":"a"}],"starting_state":"z"}`, `starting_state: no state is named "z"`},
		{"llm states without a starting state", "POST", "/create-retell-llm", `{"states":[{"name":"a"}]}`, "starting_state: is required"},
		{"llm bad state name", "POST", "/create-retell-llm", `{"states":[{"name":"a b"}],"starting_state":"a b"}`, "states[0].name: must match"},
		{"llm patch checked against the stored config", "PATCH", "/update-retell-llm/" + llm, `{"starting_state":"nowhere"}`, `starting_state: no state is named "nowhere"`},
		{"flow without nodes", "POST", "/create-conversation-flow", `{"start_speaker":"agent","model_choice":{"type":"cascading","model":"gpt-5"}}`, "nodes: is required"},
		{"flow without model_choice", "POST", "/create-conversation-flow", `{"start_speaker":"agent","nodes":[]}`, "model_choice: is required"},
		{"flow unknown field", "POST", "/create-conversation-flow", `{"start_speaker":"agent","model_choice":{"type":"cascading","model":"gpt-5"},"nodes":[],"global_promt":"x"}`, `unknown field "global_promt"`},
		{"flow node without id", "POST", "/create-conversation-flow", flowWith("a", `{"type":"end"}`), "nodes[0].id: is required"},
		{"flow duplicate node ids", "POST", "/create-conversation-flow", flowWith("a", node("a", "a"), node("a", "a")), `nodes[1].id: "a" is already the id of nodes[0]`},
		{"flow edge to a missing node", "POST", "/create-conversation-flow", flowWith("a", node("a", "b"), node("b", "a"), node("c", "n9")), `nodes[2].edges[0].destination_node_id: no node has id "n9"`},
		{"flow else edge to a missing node", "POST", "/create-conversation-flow", flowWith("a", `{"id":"a","type":"branch","else_edge":{"id":"x","destination_node_id":"q","transition_condition":{"type":"prompt","prompt":"Else"}}}`), `nodes[0].else_edge.destination_node_id: no node has id "q"`},
		{"flow missing start node", "POST", "/create-conversation-flow", flowWith("zz", node("a", "a")), `start_node_id: no node has id "zz"`},
		{"flow function node with a missing tool", "POST", "/create-conversation-flow", flowWith("a", `{"id":"a","type":"function","tool_id":"t9","tool_type":"local","wait_for_result":true}`), `nodes[0].tool_id: no tool of the flow has tool_id "t9"`},
		{"flow duplicate tool ids", "POST", "/create-conversation-flow", `{"start_speaker":"agent","model_choice":{"type":"cascading","model":"gpt-5"},"nodes":[],"tools":[{"tool_id":"t","type":"custom","name":"a","url":"u"},{"tool_id":"t","type":"custom","name":"b","url":"u"}]}`, `tools[1].tool_id: "t" is already the tool_id of tools[0]`},
		{"flow patch of nodes checked against the stored start node", "PATCH", "/update-conversation-flow/" + flow, `{"nodes":[{"id":"other","type":"end"}]}`, `start_node_id: no node has id "start"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.do(c.method, c.path, e.keyA, []byte(c.body)), 400, c.message)
		})
	}
	// Nothing was created or changed by the refused requests.
	for _, k := range engineKinds {
		var page struct{ Items []any }
		json.Unmarshal(e.do("GET", "/v2/list-"+k.slug+"s", e.keyA, nil).body, &page)
		if len(page.Items) != 1 {
			t.Errorf("%s: %d engines, want 1", k.name, len(page.Items))
		}
	}
	if v := e.getEngine(engineKinds[1], flow, ""); len(v["nodes"].([]any)) != 2 {
		t.Errorf("a refused patch changed the flow: %v", v["nodes"])
	}
}

// Nested structures keep what the client sent, beyond the fields we check.
func TestEnginesKeepNestedStructuresAsSent(t *testing.T) {
	e := newEnv(t, nil)
	llm := `{"start_speaker":"user","general_tools":[{"type":"transfer_call","name":"to_desk","description":"Transfer.",
	  "transfer_destination":{"type":"predefined","number":"+16175551212"},"transfer_option":{"type":"cold_transfer","show_transferee_as_caller":false}}],
	  "states":[{"name":"intro","state_prompt":"Say hi.","edges":[{"destination_state_name":"book","description":"wants a slot"}],
	    "tools":[{"type":"custom","name":"lookup","url":"https://api.example.com","method":"POST","speak_during_execution":true}]},
	   {"name":"book"}],"starting_state":"intro","kb_config":{"top_k":3,"filter_score":0.5},"model":"gpt-5"}`
	r := e.do("POST", "/create-retell-llm", e.keyA, []byte(llm))
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	reference.Validate(t, "RetellLLMResponse", r.body)
	got := r.json(t)
	var want map[string]any
	json.Unmarshal([]byte(llm), &want)
	for k, v := range want {
		if a, b := mustJSON(t, got[k]), mustJSON(t, v); a != b {
			t.Errorf("%s: stored %s, sent %s", k, a, b)
		}
	}

	flow := `{"start_speaker":"agent","model_choice":{"type":"cascading","model":"gpt-5","high_priority":true},"start_node_id":"n1",
	  "tools":[{"tool_id":"t1","type":"custom","name":"crm","url":"https://crm.example.com","method":"GET"}],
	  "nodes":[{"id":"n1","type":"conversation","instruction":{"type":"prompt","text":"Ask."},"display_position":{"x":1,"y":2},
	      "edges":[{"id":"e1","destination_node_id":"n2","transition_condition":{"type":"equation","equations":[{"left":"{{a}}","operator":"exists"}],"operator":"and"}}]},
	    {"id":"n2","type":"function","tool_id":"t1","tool_type":"local","wait_for_result":true,"else_edge":{"id":"e2","destination_node_id":"n3","transition_condition":{"type":"prompt","prompt":"Else"}}},
	    {"id":"n3","type":"end"}],
	  "notes":[{"id":"note1","content":"hello","display_position":{"x":0,"y":0},"size":{"width":10,"height":10}}]}`
	r = e.do("POST", "/create-conversation-flow", e.keyA, []byte(flow))
	if r.status != 201 {
		t.Fatalf("create flow: %d %s", r.status, r.body)
	}
	reference.Validate(t, "ConversationFlowResponse", r.body)
	got, want = r.json(t), nil
	json.Unmarshal([]byte(flow), &want)
	for k, v := range want {
		if a, b := mustJSON(t, got[k]), mustJSON(t, v); a != b {
			t.Errorf("%s: stored %s, sent %s", k, a, b)
		}
	}
}

// is_transfer_llm and is_transfer_cf can only be set at creation; an update
// ignores them, as the reference says, and names them as ignored, in both
// modes (they are declared fields, not unknown ones).
func TestCreateOnlyEngineFields(t *testing.T) {
	for name, configure := range map[string]func(*httpapi.Server){"default": nil, "strict": strict} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, configure)
			r := e.do("POST", "/create-retell-llm", e.keyA, []byte(`{"is_transfer_llm":true}`))
			id := r.json(t)["llm_id"].(string)
			res := e.do("PATCH", "/update-retell-llm/"+id, e.keyA, []byte(`{"is_transfer_llm":false,"general_prompt":"p"}`))
			if up := res.json(t); up["is_transfer_llm"] != true || up["general_prompt"] != "p" {
				t.Errorf("update: %v", up)
			}
			if got := res.header.Get(httpapi.IgnoredFieldsHeader); got != "is_transfer_llm" {
				t.Errorf("%s: %q, want is_transfer_llm", httpapi.IgnoredFieldsHeader, got)
			}
		})
	}
}

func TestOpenAPIDocumentsEngineAndChatEndpoints(t *testing.T) {
	e := newEnv(t, nil)
	var doc struct {
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(e.do("GET", "/openapi.json", e.keyA, nil).body, &doc); err != nil {
		t.Fatal(err)
	}
	for path, method := range map[string]string{
		"/create-retell-llm": "post", "/get-retell-llm/{llm_id}": "get", "/update-retell-llm/{llm_id}": "patch",
		"/v2/list-retell-llms": "get", "/delete-retell-llm/{llm_id}": "delete",
		"/create-conversation-flow": "post", "/get-conversation-flow/{conversation_flow_id}": "get",
		"/update-conversation-flow/{conversation_flow_id}": "patch", "/v2/list-conversation-flows": "get",
		"/delete-conversation-flow/{conversation_flow_id}": "delete",
		"/create-chat-agent": "post", "/get-chat-agent/{agent_id}": "get", "/update-chat-agent/{agent_id}": "patch",
		"/delete-chat-agent/{agent_id}": "delete", "/get-chat-agent-versions/{agent_id}": "get",
	} {
		if doc.Paths[path][method] == nil {
			t.Errorf("/openapi.json does not document %s %s", strings.ToUpper(method), path)
		}
	}
	for _, name := range []string{"RetellLLMResponse", "ConversationFlowResponse", "ChatAgentResponse", "RetellLlmRequest", "ConversationFlow", "ChatAgentRequest"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("/openapi.json has no component %s", name)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
