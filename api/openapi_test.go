package api

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI())
	if err != nil {
		t.Fatalf("load OpenAPI document: %v", err)
	}
	return doc
}

func TestOpenAPIIsValid(t *testing.T) {
	doc := loadOpenAPI(t)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("OpenAPI document is invalid: %v", err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
}

func TestOpenAPIIsDeterministic(t *testing.T) {
	again, err := json.Marshal(Document(Operations))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(OpenAPI(), again) {
		t.Fatal("two builds of the document differ")
	}
}

// Every operation of the table is in the document as the table says: the
// document is built from the table and nothing else.
func TestOpenAPIHoldsEveryOperation(t *testing.T) {
	doc := loadOpenAPI(t)
	n := 0
	for _, item := range doc.Paths.Map() {
		n += len(item.Operations())
	}
	documented := 0
	for _, op := range Operations {
		if !op.Undocumented {
			documented++
		}
	}
	if n != documented {
		t.Errorf("document has %d operations, the table %d documented ones", n, documented)
	}
	for _, op := range Operations {
		t.Run(op.ID, func(t *testing.T) {
			if op.Undocumented {
				if item := doc.Paths.Find(op.Path); item != nil && item.GetOperation(op.Method) != nil {
					t.Fatalf("%s is undocumented but the document lists %s %s", op.ID, op.Method, op.Path)
				}
				return
			}
			item := doc.Paths.Find(op.Path)
			if item == nil {
				t.Fatal("path missing")
			}
			got := item.GetOperation(op.Method)
			if got == nil || got.OperationID != op.ID {
				t.Fatalf("%s %s is not operation %s", op.Method, op.Path, op.ID)
			}
			if got.Responses.Value(strconv.Itoa(op.Status)) == nil {
				t.Errorf("no %d response", op.Status)
			}
			for _, status := range op.ErrorStatuses() {
				if got.Responses.Value(strconv.Itoa(status)) == nil {
					t.Errorf("no %d response", status)
				}
			}
			var names []string
			for _, p := range got.Parameters {
				names = append(names, p.Value.Name)
			}
			var want []string
			for _, p := range op.Params {
				want = append(want, p.Name)
			}
			if !slices.Equal(names, want) {
				t.Errorf("parameters = %v, want %v", names, want)
			}
			if op.Public != (got.Security != nil && len(*got.Security) == 0) {
				t.Errorf("public = %v, but the document's security is %v", op.Public, got.Security)
			}
			if op.Response != nil && op.Response.JSON() {
				content := got.Responses.Value(strconv.Itoa(op.Status)).Value.Content.Get("application/json")
				if content == nil || content.Example == nil {
					t.Errorf("%d response has no JSON example", op.Status)
				}
			}
			for _, p := range op.Params {
				if p.In == "path" && !strings.Contains(op.Path, "{"+p.Name+"}") {
					t.Errorf("path parameter %s is not in %s", p.Name, op.Path)
				}
			}
		})
	}
}

// A configuration's component requires nothing, since update bodies share
// it; the create operation's body adds the required fields.
func TestCreateBodiesRequireWhatPatchesDoNot(t *testing.T) {
	doc := loadOpenAPI(t)
	if r := doc.Components.Schemas["AgentRequest"].Value.Required; len(r) != 0 {
		t.Errorf("AgentRequest requires %v; only create-agent's body should", r)
	}
	body := doc.Paths.Find("/create-agent").Post.RequestBody.Value.Content.Get("application/json").Schema.Value
	if len(body.AllOf) != 2 || !slices.Equal(body.AllOf[1].Value.Required, []string{"response_engine", "voice_id"}) {
		t.Errorf("create-agent body does not require response_engine and voice_id: %+v", body)
	}
	patch := doc.Paths.Find("/update-agent/{agent_id}").Patch.RequestBody.Value.Content.Get("application/json").Schema
	if patch.Ref != "#/components/schemas/AgentRequest" {
		t.Errorf("update-agent body = %q, want the AgentRequest component", patch.Ref)
	}
}

// The examples in the document must pass the rules requests pass.
func TestExamplesAreValidConfigurations(t *testing.T) {
	for _, tc := range []struct {
		name    string
		kind    *agentry.Kind
		example map[string]any
	}{
		{"agent", agentry.VoiceAgent, exampleAgent},
		{"draft", agentry.VoiceAgent, exampleDraft},
		{"chat agent", agentry.ChatAgent, exampleChatAgent},
		{"llm", agentry.RetellLLM, exampleLLM},
		{"flow", agentry.ConversationFlow, exampleFlow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			meta := []string{"agent_id", "llm_id", "conversation_flow_id", "version", "is_published", "base_version",
				"version_title", "version_description", "last_modification_timestamp", "assigned_tags"}
			fields := agentry.Fields{}
			for k, v := range tc.example {
				if slices.Contains(meta, k) {
					continue
				}
				fields[k], _ = json.Marshal(v)
			}
			if _, _, err := (schema.Rules{}).CheckFields(tc.kind, fields, false); err != nil {
				t.Fatal(err)
			}
			if err := (schema.Rules{}).CheckConfig(tc.kind, fields); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOpenAPIResponseComponents(t *testing.T) {
	doc := loadOpenAPI(t)
	resp := doc.Components.Schemas["AgentResponse"].Value
	for _, k := range []string{"agent_id", "version", "is_published", "base_version", "version_title",
		"version_description", "last_modification_timestamp", "voice_id", "response_engine"} {
		if !slices.Contains(resp.Required, k) {
			t.Errorf("AgentResponse does not require %s", k)
		}
	}
	for k := range doc.Components.Schemas["AgentRequest"].Value.Properties {
		if resp.Properties[k] == nil {
			t.Errorf("AgentResponse lacks configuration field %s", k)
		}
	}
	if !resp.Properties["base_version"].Value.Nullable {
		t.Error("AgentResponse.base_version must be nullable")
	}
	for _, name := range []string{"AgentVersionSummary", "AgentListItemResponse", "AgentRootTagState",
		"Error", "CreateAgentVersionRequest", "PublishAgentVersionRequest", "ListAgentsRequest"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("component %s missing", name)
		}
	}
	if doc.Components.SecuritySchemes["bearer"] == nil {
		t.Error("bearer security scheme missing")
	}
}

// Operation IDs and method-path pairs are unique: a handler is bound by ID
// and a route by its pattern.
func TestOperationsAreUnique(t *testing.T) {
	ids, routes := map[string]bool{}, map[string]bool{}
	for _, op := range Operations {
		if ids[op.ID] {
			t.Errorf("operation %s declared twice", op.ID)
		}
		ids[op.ID] = true
		if routes[op.Method+" "+op.Path] {
			t.Errorf("%s %s declared twice", op.Method, op.Path)
		}
		routes[op.Method+" "+op.Path] = true
		if op.Missing != 0 && op.Missing != 404 && op.Missing != 422 {
			t.Errorf("%s: not-found status %d", op.ID, op.Missing)
		}
		if ByID(op.ID) == nil || ByID(op.ID).Path != op.Path {
			t.Errorf("ByID(%s) does not find it", op.ID)
		}
	}
}
