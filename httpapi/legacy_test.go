package httpapi_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/agentry/agentry/api"
	"github.com/agentry/agentry/internal/reference"
)

// The paths of retell-sdk 4.x: plain arrays of whole versions, paged by the
// last item; a publish without a body that leaves a new draft.
func TestLegacyPaths(t *testing.T) {
	e := newEnv(t, nil)
	a := e.createAgent(e.keyA)
	time.Sleep(2 * time.Millisecond) // creation order is by the millisecond
	b := e.createAgent(e.keyA)
	e.createChatAgent(e.keyA)
	e.createAgent(e.keyB)
	if r := e.do("POST", "/publish-agent/"+a, e.keyA, nil); r.status != 200 || len(r.body) != 0 {
		t.Fatalf("publish-agent: %d %q", r.status, r.body)
	}
	var items []map[string]any
	r := e.do("GET", "/list-agents", e.keyA, nil)
	if err := json.Unmarshal(r.body, &items); err != nil || r.status != 200 {
		t.Fatalf("list-agents: %d %s", r.status, r.body)
	}
	var got []string
	for _, it := range items {
		raw, _ := json.Marshal(it)
		reference.Validate(t, "AgentResponse", raw)
		got = append(got, it["agent_id"].(string)+"/"+strconv.Itoa(int(it["version"].(float64))))
	}
	want := []string{a + "/0", a + "/1", b + "/0"}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("list-agents: %v, want %v (voice agents of the workspace, every version)", got, want)
	}
	if items[0]["is_published"] != true || items[1]["is_published"] != false || items[1]["base_version"] != 0.0 {
		t.Errorf("publish-agent published version 0 and left draft 1: %v", items[:2])
	}
	// Paged after the last item.
	r = e.do("GET", "/list-agents?limit=1&pagination_key="+a+"&pagination_key_version=0", e.keyA, nil)
	if err := json.Unmarshal(r.body, &items); err != nil || len(items) != 1 || items[0]["agent_id"] != a || items[0]["version"] != 1.0 {
		t.Errorf("page after %s/0: %s", a, r.body)
	}
	for _, path := range []string{"/list-chat-agents", "/list-retell-llms", "/list-conversation-flows"} {
		if r := e.do("GET", path, e.keyA, nil); r.status != 200 || r.body[0] != '[' {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	for _, c := range []struct{ path, message string }{
		{"/list-agents?limit=0", "limit"},
		{"/list-agents?limit=1001", "limit"},
		{"/list-agents?pagination_key=agent_gone", "pagination_key: no agent has id"},
		{"/list-agents?pagination_key=" + a + "&pagination_key_version=-1", "pagination_key_version"},
		{"/list-agents?pagination_key_version=1", "pagination_key_version: given without pagination_key"},
	} {
		wantError(t, e.do("GET", c.path, e.keyA, nil), 400, c.message)
	}
	// The latest version already published: 400; a chat agent through the
	// voice path, or an unknown one: 422 like Retell's other older paths.
	e.do("POST", "/publish-agent-version/"+b, e.keyA, []byte(`{"version":0}`))
	wantError(t, e.do("POST", "/publish-agent/"+b, e.keyA, nil), 400, "already published")
	wantError(t, e.do("POST", "/publish-chat-agent/"+a, e.keyA, nil), 422, "Cannot find requested asset")
	// The document marks them deprecated.
	for _, id := range []string{"listAgentsLegacy", "listChatAgentsLegacy", "listRetellLLMsLegacy", "listConversationFlowsLegacy", "publishAgent", "publishChatAgent"} {
		if op := api.ByID(id); op == nil || !op.Deprecated {
			t.Errorf("%s is not a deprecated operation of the table", id)
		}
	}
	var doc struct {
		Paths map[string]map[string]struct{ Deprecated bool }
	}
	json.Unmarshal(e.do("GET", "/openapi.json", e.keyA, nil).body, &doc)
	if !doc.Paths["/list-agents"]["get"].Deprecated || doc.Paths["/v2/list-agents"]["post"].Deprecated {
		t.Errorf("deprecated flags in the document: %+v", doc.Paths["/list-agents"])
	}
}
