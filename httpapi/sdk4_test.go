package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/agentry/agentry/api"
	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/internal/reference"
)

// retell-sdk 4.x's single-agent fields of phone numbers are taken in both
// modes (they stand for a one-entry list), and every phone number answer
// carries them, still valid against the reference's PhoneNumberResponse.
func TestSingleAgentFieldsOfPhoneNumbers(t *testing.T) {
	for _, mode := range []string{"default", "strict"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, nil)
			if mode == "strict" {
				e = newEnv(t, strict)
			}
			agent := e.agentWith(2, 1)
			r := e.must(201, "POST", "/create-phone-number", fmt.Sprintf(`{"area_code":415,"inbound_agent_id":%q,"inbound_agent_version":1}`, agent))
			if h := r.header.Get(httpapi.IgnoredFieldsHeader); h != "" {
				t.Errorf("%s: %q; the single-agent fields are not unknown", httpapi.IgnoredFieldsHeader, h)
			}
			reference.Validate(t, "PhoneNumberResponse", r.body)
			p := r.json(t)
			number := p["phone_number"].(string)
			want := map[string]any{"inbound_agent_id": agent, "inbound_agent_version": 1.0,
				"inbound_agents": []any{map[string]any{"agent_id": agent, "agent_version": 1.0, "weight": 1.0}}}
			for k, v := range want {
				if got, ok := p[k]; !ok || fmt.Sprint(got) != fmt.Sprint(v) {
					t.Errorf("created: %s = %v, want %v (%s)", k, got, v, r.body)
				}
			}
			// Unset, they are omitted, like every field of the answer.
			for _, k := range []string{"outbound_agent_id", "outbound_agent_version"} {
				if _, ok := p[k]; ok {
					t.Errorf("created: %s is in the answer, want it omitted (%s)", k, r.body)
				}
			}

			// Imported, updated and read back, through both lists.
			e.must(201, "POST", "/import-phone-number", fmt.Sprintf(`{"phone_number":"+14155550100","termination_uri":"t.example.com","outbound_agent_id":%q}`, agent))
			u := e.must(200, "PATCH", "/update-phone-number/"+number, `{"inbound_agent_version":null,"outbound_agent_id":null}`).json(t)
			if _, pinned := u["inbound_agent_version"]; u["inbound_agent_id"] != agent || pinned || u["inbound_agents"] == nil || u["outbound_agent_id"] != nil {
				t.Errorf("updated: %v", u)
			}
			reference.Validate(t, "PhoneNumberResponse", e.must(200, "GET", "/get-phone-number/+14155550100", "").body)
			var all []json.RawMessage
			if err := json.Unmarshal(e.must(200, "GET", "/list-phone-numbers", "").body, &all); err != nil || len(all) != 2 {
				t.Fatalf("list-phone-numbers: %v, %d items", err, len(all))
			}
			var page struct{ Items []json.RawMessage }
			json.Unmarshal(e.must(200, "GET", "/v2/list-phone-numbers", "").body, &page)
			for i, raw := range append(all, page.Items...) {
				reference.Validate(t, "PhoneNumberResponse", raw)
				var item map[string]any
				json.Unmarshal(raw, &item)
				if item["phone_number"] == "+14155550100" && item["outbound_agent_id"] != agent {
					t.Errorf("item %d: outbound_agent_id %v, want %s", i, item["outbound_agent_id"], agent)
				}
			}
			if len(page.Items) != 2 || string(all[0]) != string(page.Items[0]) {
				t.Errorf("list-phone-numbers and /v2/list-phone-numbers disagree:\n%s\n%s", all[0], page.Items[0])
			}
			// Another workspace has none.
			if r := e.do("GET", "/list-phone-numbers", e.keyB, nil); r.status != 200 || string(r.body) != "[]" {
				t.Errorf("list-phone-numbers of workspace b: %d %s", r.status, r.body)
			}

			// Bad single-agent fields are refused in both modes, naming them.
			before := e.must(200, "GET", "/get-phone-number/"+number, "").body
			for body, message := range map[string]string{
				fmt.Sprintf(`{"inbound_agent_id":%q,"inbound_agents":null}`, agent): "inbound_agent_id: sent with inbound_agents",
				`{"inbound_agent_version":"prod"}`:                                  "inbound_agent_version",
				`{"outbound_agent_id":7}`:                                           "outbound_agent_id",
				`{"inbound_agent_version":-1}`:                                      "inbound_agent_version",
			} {
				wantError(t, e.do("PATCH", "/update-phone-number/"+number, e.keyA, []byte(body)), 400, message)
			}
			wantError(t, e.do("PATCH", "/update-phone-number/"+number, e.keyA, []byte(`{"inbound_agent_id":"agent_gone"}`)), 422, "inbound_agent_id: agent agent_gone does not exist")
			if after := e.must(200, "GET", "/get-phone-number/"+number, "").body; string(after) != string(before) {
				t.Errorf("refused updates changed the number:\n%s\n%s", before, after)
			}
		})
	}
}

// retell-sdk 4.x's list-conversation-flow-components: every shared component
// as an array, as /v2/list-conversation-flow-components pages them.
func TestListAllComponentsPath(t *testing.T) {
	e := newEnv(t, nil)
	for i := range 3 {
		e.must(201, "POST", "/create-conversation-flow-component", fmt.Sprintf(`{"name":"c%d","nodes":[{"id":"a","type":"end"}]}`, i))
	}
	var all []json.RawMessage
	if err := json.Unmarshal(e.must(200, "GET", "/list-conversation-flow-components", "").body, &all); err != nil || len(all) != 3 {
		t.Fatalf("list-conversation-flow-components: %v, %d items", err, len(all))
	}
	var page struct{ Items []json.RawMessage }
	json.Unmarshal(e.must(200, "GET", "/v2/list-conversation-flow-components?limit=3", "").body, &page)
	for i := range all {
		reference.Validate(t, "ConversationFlowComponentResponse", all[i])
		if string(all[i]) != string(page.Items[i]) {
			t.Errorf("item %d differs from the page's:\n%s\n%s", i, all[i], page.Items[i])
		}
	}
	if r := e.do("GET", "/list-conversation-flow-components", e.keyB, nil); r.status != 200 || string(r.body) != "[]" {
		t.Errorf("workspace b: %d %s", r.status, r.body)
	}
	// Both are deprecated operations of the document, and so are the
	// single-agent fields.
	var doc struct {
		Paths      map[string]map[string]struct{ Deprecated bool }
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct{ Deprecated bool }
			}
		}
	}
	json.Unmarshal(e.must(200, "GET", "/openapi.json", "").body, &doc)
	for _, id := range []string{"listPhoneNumbersLegacy", "listConversationFlowComponentsLegacy"} {
		op := api.ByID(id)
		if op == nil || !op.Deprecated || !doc.Paths[op.Path]["get"].Deprecated {
			t.Errorf("%s is not a deprecated operation of the table and the document", id)
		}
	}
	for _, s := range []string{"PhoneNumberResponse", "UpdatePhoneNumberRequest"} {
		if !doc.Components.Schemas[s].Properties["inbound_agent_id"].Deprecated {
			t.Errorf("%s.inbound_agent_id is not deprecated in the document", s)
		}
	}
}

// With the routing cache, as serve runs: a number bound at a tag shows, in
// inbound_agent_version, the version the tag holds at each read.
func TestSingleAgentVersionFollowsItsTag(t *testing.T) {
	e := newEnv(t, withRoutes)
	agent := e.agentWith(3, 0)
	e.must(200, "PUT", "/agentry/v1/agents/"+agent+"/tags/prod", `{"version":1}`)
	e.must(201, "POST", "/import-phone-number", fmt.Sprintf(`{"phone_number":"+14155550100","termination_uri":"t.example.com",
		"inbound_agents":[{"agent_id":%q,"agent_version":"prod","weight":1}]}`, agent))
	for _, v := range []int{1, 2, 0} {
		e.must(200, "PUT", "/agentry/v1/agents/"+agent+"/tags/prod", fmt.Sprintf(`{"version":%d}`, v))
		for _, path := range []string{"/get-phone-number/+14155550100", "/list-phone-numbers"} {
			body := string(e.must(200, "GET", path, "").body)
			if want := fmt.Sprintf(`"inbound_agent_id":%q,"inbound_agent_version":%d,`, agent, v); !strings.Contains(body, want) {
				t.Errorf("tag at %d: GET %s = %s, want it to hold %s", v, path, body, want)
			}
		}
	}
}
