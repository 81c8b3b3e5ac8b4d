package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/agentry/agentry"
)

// The struct types that v2/list-agents was encoded from with encoding/json
// before writeAgentPage appended its bytes directly: the reference the
// appended bytes must equal.
type refAgentListItem struct {
	AgentID               string                     `json:"agent_id"`
	AgentName             string                     `json:"agent_name"`
	Channel               string                     `json:"channel"`
	UserModifiedTimestamp int64                      `json:"user_modified_timestamp"`
	Tags                  map[string]refRootTagState `json:"tags"`
}

type refRootTagState struct {
	Version          *int64            `json:"version,omitempty"`
	DynamicVariables map[string]string `json:"dynamic_variables"`
}

func refAgentPage(page *agentry.ResourcePage) []byte {
	out := listResponse[refAgentListItem]{Items: make([]refAgentListItem, len(page.Items)), HasMore: page.HasMore, PaginationKey: page.NextKey}
	for i, a := range page.Items {
		tags := map[string]refRootTagState{}
		for _, t := range page.Tags[a.ID] {
			tags[t.Name] = refRootTagState{Version: t.Version, DynamicVariables: t.Variables}
		}
		out.Items[i] = refAgentListItem{AgentID: a.ID, AgentName: a.Name, Channel: a.Kind.Name, UserModifiedTimestamp: a.ModifiedAt, Tags: tags}
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err)
	}
	return b
}

// TestAgentPageEncoding checks that the appended list-agents page is the
// same bytes encoding/json gives for the struct types it replaced, for
// pages of every shape: voice and chat agents, names that need escapes (HTML
// characters, quotes, control characters, non-ASCII, invalid UTF-8), tags
// with and without a version, with no, empty and escaped variables, tags
// out of name order, and the envelope with and without a next key.
func TestAgentPageEncoding(t *testing.T) {
	v0, v7 := int64(0), int64(7)
	names := []string{"", "Front desk", `He said "hi" \ bye`, "<b>&</b>", "tab\there\nnew\u2028line\x01", "Ünïcødé 日本", "bad\xffutf8"}
	var page agentry.ResourcePage
	page.Tags = map[string][]agentry.Tag{}
	for i, name := range names {
		kind := agentry.VoiceAgent
		if i%2 == 1 {
			kind = agentry.ChatAgent
		}
		id := "agent_" + strconv.Itoa(i)
		page.Items = append(page.Items, agentry.Resource{ID: id, Kind: kind, Name: name, ModifiedAt: 1764340000000 + int64(i)})
		switch i % 3 {
		case 1:
			page.Tags[id] = []agentry.Tag{
				{Name: "prod", Version: &v7, Variables: map[string]string{"region": "eu", "b<": "x&y", "a": name}},
				{Name: "canary", Variables: map[string]string{}},
				{Name: "beta", Version: &v0},
			}
		case 2:
			page.Tags[id] = []agentry.Tag{{Name: "only", Version: &v0, Variables: map[string]string{"k": "v"}}}
		}
	}
	for _, p := range []agentry.ResourcePage{
		{},
		{Items: page.Items[:1], HasMore: true, NextKey: "agent_0"},
		page,
		{Items: page.Items, Tags: page.Tags, HasMore: true, NextKey: `key "with" <escapes>`},
	} {
		w := httptest.NewRecorder()
		writeAgentPage(w, &p)
		if want := refAgentPage(&p); !bytes.Equal(w.Body.Bytes(), want) {
			t.Errorf("appended page\n%s\nencoding/json\n%s", w.Body.Bytes(), want)
		}
		if got := w.Header().Get("Content-Length"); got != strconv.Itoa(w.Body.Len()) {
			t.Errorf("Content-Length %s for %d bytes", got, w.Body.Len())
		}
	}
}

// TestListAgentsAnswerThroughHandler lists agents made through the API
// (voice and chat, created and then edited, with tags) and checks that the
// answer is what encoding/json writes for the same items: decoded into the
// reference types and encoded again, it is unchanged.
func TestListAgentsAnswerThroughHandler(t *testing.T) {
	h, key, id := benchServer(t)
	chat := benchDo(t, h, key, "POST", "/create-chat-agent", `{"agent_name":"Chat <&> \"one\"","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://llm.example.com/x"}}`, http.StatusCreated)
	var c struct {
		ID string `json:"agent_id"`
	}
	if err := json.Unmarshal(chat.Body.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	benchDo(t, h, key, "PATCH", "/update-agent/"+id+"?version=1", `{"agent_name":"Renamed é <x>"}`, http.StatusOK)
	benchDo(t, h, key, "PUT", "/agentry/v1/agents/"+id+"/tags/prod", `{"version":0,"dynamic_variables":{"region":"eu","tier":"<gold>"}}`, http.StatusOK)
	benchDo(t, h, key, "PUT", "/agentry/v1/agents/"+id+"/tags/canary", `{"version":null}`, http.StatusOK)
	benchDo(t, h, key, "PUT", "/agentry/v1/agents/"+c.ID+"/tags/a-tag", `{"version":0}`, http.StatusOK)
	for _, target := range []string{"/v2/list-agents?limit=50", "/v2/list-agents?limit=1"} {
		got := benchDo(t, h, key, "POST", target, "", http.StatusOK).Body.Bytes()
		var page listResponse[refAgentListItem]
		if err := json.Unmarshal(got, &page); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(page)
		if !bytes.Equal(got, want) {
			t.Errorf("%s answered\n%s\nencoding/json writes\n%s", target, got, want)
		}
		if target == "/v2/list-agents?limit=50" && (len(page.Items) != 2 || len(page.Items[0].Tags)+len(page.Items[1].Tags) != 3) {
			t.Errorf("%s: want 2 agents with 3 tags in all, got %s", target, got)
		}
	}
}
