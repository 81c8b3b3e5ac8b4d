package httpapi_test

import (
	"encoding/json"
	"testing"

	"github.com/agentry/agentry/internal/reference"
)

const minimalChatAgent = `{"agent_name":"Web chat","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://example.com/llm"}}`

func (e *env) createChatAgent(key string) string {
	e.t.Helper()
	r := e.do("POST", "/create-chat-agent", key, []byte(minimalChatAgent))
	if r.status != 201 {
		e.t.Fatalf("create-chat-agent: %d %s", r.status, r.body)
	}
	return r.json(e.t)["agent_id"].(string)
}

func TestChatAgentEndpoints(t *testing.T) {
	e := newEnv(t, nil)
	full := `{"agent_name":"Full","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://example.com/llm"},
	  "auto_close_message":"Bye.","end_chat_after_silence_ms":600000,"language":"en-GB","webhook_events":["chat_started"],
	  "data_storage_setting":"everything","post_chat_analysis_data":[{"type":"system-presets","name":"chat_summary"}],
	  "handbook_config":{"high_empathy":true},"version_title":"first"}`
	r := e.do("POST", "/create-chat-agent", e.keyA, []byte(full))
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	reference.Validate(t, "ChatAgentResponse", r.body)
	a := r.json(t)
	id := a["agent_id"].(string)
	if a["version"] != 0.0 || a["is_published"] != false || a["base_version"] != nil || a["version_title"] != "first" || a["auto_close_message"] != "Bye." {
		t.Fatalf("create answered %s", r.body)
	}

	got := e.do("GET", "/get-chat-agent/"+id, e.keyA, nil)
	reference.Validate(t, "ChatAgentResponse", got.body)
	if string(got.body) != string(r.body) {
		t.Errorf("get differs from create:\n%s\n%s", got.body, r.body)
	}
	up := e.do("PATCH", "/update-chat-agent/"+id, e.keyA, []byte(`{"auto_close_message":null,"timezone":"Europe/Paris"}`))
	if m := up.json(t); up.status != 200 || m["timezone"] != "Europe/Paris" || m["auto_close_message"] != nil {
		t.Fatalf("update: %d %s", up.status, up.body)
	}
	reference.Validate(t, "ChatAgentResponse", up.body)

	// The version endpoints shared with voice agents.
	draft := e.do("POST", "/create-agent-version/"+id, e.keyA, []byte(`{"base_version":0}`))
	if draft.status != 201 || draft.json(t)["version"] != 1.0 || draft.json(t)["base_version"] != 0.0 {
		t.Fatalf("create-agent-version: %d %s", draft.status, draft.body)
	}
	reference.Validate(t, "ChatAgentResponse", draft.body)
	if p := e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(`{"version":0,"version_description":"launch"}`)); p.status != 200 {
		t.Fatalf("publish: %d %s", p.status, p.body)
	}
	wantError(t, e.do("PATCH", "/update-chat-agent/"+id+"?version=0", e.keyA, []byte(`{"timezone":"UTC"}`)), 400, "create-agent-version")
	if u := e.do("PATCH", "/update-chat-agent/"+id, e.keyA, []byte(`{"timezone":"UTC"}`)); u.status != 200 || u.json(t)["version"] != 1.0 {
		t.Errorf("update of the latest draft: %d %s", u.status, u.body)
	}
	if g := e.do("GET", "/get-chat-agent/"+id+"?version=latest_published", e.keyA, nil).json(t); g["version"] != 0.0 || g["is_published"] != true {
		t.Errorf("get latest_published: %v", g)
	}
	var versions []json.RawMessage
	vr := e.do("GET", "/get-chat-agent-versions/"+id, e.keyA, nil)
	if err := json.Unmarshal(vr.body, &versions); err != nil || len(versions) != 2 {
		t.Fatalf("get-chat-agent-versions: %v %s", err, vr.body)
	}
	for i, v := range versions {
		reference.Validate(t, "ChatAgentResponse", v)
		var m map[string]any
		json.Unmarshal(v, &m)
		if m["version"] != float64(i) {
			t.Errorf("versions not ascending: %s", vr.body)
		}
	}
	var summaries struct{ Items []map[string]any }
	json.Unmarshal(e.do("GET", "/list-agent-versions/"+id, e.keyA, nil).body, &summaries)
	if len(summaries.Items) != 2 {
		t.Errorf("list-agent-versions: %v", summaries.Items)
	}
	if d := e.do("DELETE", "/delete-agent-version/"+id+"?version=1", e.keyA, nil); d.status != 204 {
		t.Errorf("delete-agent-version: %d %s", d.status, d.body)
	}

	// Another workspace's chat agent answers like a missing one.
	wantError(t, e.do("GET", "/get-chat-agent/"+id, e.keyB, nil), 422, "Cannot find requested asset under given api key")
	wantError(t, e.do("GET", "/get-chat-agent-versions/"+id, e.keyB, nil), 404, "not found")

	if d := e.do("DELETE", "/delete-chat-agent/"+id, e.keyA, nil); d.status != 204 {
		t.Fatalf("delete: %d %s", d.status, d.body)
	}
	wantError(t, e.do("GET", "/get-chat-agent/"+id, e.keyA, nil), 422, "Cannot find requested asset under given api key")
	wantError(t, e.do("PATCH", "/update-chat-agent/"+id, e.keyA, []byte(`{}`)), 422, "Cannot find requested asset under given api key")
	wantError(t, e.do("DELETE", "/delete-chat-agent/"+id, e.keyA, nil), 422, "Cannot find requested asset under given api key")
	wantError(t, e.do("GET", "/get-chat-agent-versions/"+id, e.keyA, nil), 404, "not found")
}

// A chat agent is not found through the voice endpoints, nor a voice agent
// through the chat ones; the shared endpoints serve both.
func TestChatAndVoiceAgentsAreApart(t *testing.T) {
	e := newEnv(t, nil)
	chat, voice := e.createChatAgent(e.keyA), e.createAgent(e.keyA)
	for _, c := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/get-agent/" + chat, "", 422},
		{"PATCH", "/update-agent/" + chat, `{}`, 422},
		{"DELETE", "/delete-agent/" + chat, "", 422},
		{"GET", "/get-agent-versions/" + chat, "", 404},
		{"GET", "/get-chat-agent/" + voice, "", 422},
		{"PATCH", "/update-chat-agent/" + voice, `{}`, 422},
		{"DELETE", "/delete-chat-agent/" + voice, "", 422},
		{"GET", "/get-chat-agent-versions/" + voice, "", 404},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			wantError(t, e.do(c.method, c.path, e.keyA, []byte(c.body)), c.status, "not found")
		})
	}
	for _, id := range []string{chat, voice} {
		if r := e.do("GET", "/list-agent-versions/"+id, e.keyA, nil); r.status != 200 {
			t.Errorf("list-agent-versions %s: %d", id, r.status)
		}
	}

	list := func(body string) []map[string]any {
		var page struct{ Items []map[string]any }
		r := e.do("POST", "/v2/list-agents", e.keyA, []byte(body))
		if r.status != 200 {
			t.Fatalf("list-agents %s: %d %s", body, r.status, r.body)
		}
		json.Unmarshal(r.body, &page)
		return page.Items
	}
	all := list(``)
	if len(all) != 2 {
		t.Fatalf("list-agents: %v", all)
	}
	for _, channel := range []string{"chat", "voice"} {
		items := list(`{"filter_criteria":{"channel":{"type":"string","op":"eq","value":"` + channel + `"}}}`)
		want := map[string]string{"chat": chat, "voice": voice}[channel]
		if len(items) != 1 || items[0]["agent_id"] != want || items[0]["channel"] != channel {
			t.Errorf("channel %s: %v", channel, items)
		}
	}
	// Engines are not agents: they never show in list-agents.
	e.createEngine(engineKinds[0], e.keyA, minimalLLM)
	if n := len(list(``)); n != 2 {
		t.Errorf("list-agents shows %d items after creating an engine, want 2", n)
	}
}

func TestChatAgentValidation(t *testing.T) {
	e := newEnv(t, strict)
	id := e.createChatAgent(e.keyA)
	for _, c := range []struct{ name, method, path, body, message string }{
		{"create without response_engine", "POST", "/create-chat-agent", `{"agent_name":"x"}`, "response_engine: is required"},
		{"voice field", "POST", "/create-chat-agent", `{"voice_id":"v","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"}}`, `unknown field "voice_id"`},
		{"unknown field", "PATCH", "/update-chat-agent/" + id, `{"agent_nam":"x"}`, `unknown field "agent_nam"`},
		{"silence below the minimum", "PATCH", "/update-chat-agent/" + id, `{"end_chat_after_silence_ms":1000}`, "end_chat_after_silence_ms"},
		{"voice webhook event", "PATCH", "/update-chat-agent/" + id, `{"webhook_events":["call_started"]}`, "webhook_events[0]"},
		{"call preset", "PATCH", "/update-chat-agent/" + id, `{"post_chat_analysis_data":[{"type":"system-presets","name":"call_summary"}]}`, "post_chat_analysis_data[0].name"},
		{"voice handbook preset", "PATCH", "/update-chat-agent/" + id, `{"handbook_config":{"echo_verification":true}}`, `unknown field "echo_verification"`},
		{"bad version", "GET", "/get-chat-agent/" + id + "?version=v1", "", "version"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.do(c.method, c.path, e.keyA, []byte(c.body)), 400, c.message)
		})
	}
}
