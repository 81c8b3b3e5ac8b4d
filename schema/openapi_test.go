package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
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
	first := OpenAPI()
	doc, err := json.Marshal(document())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, doc) {
		t.Fatal("two builds of the document differ")
	}
}

func TestOpenAPIPaths(t *testing.T) {
	doc := loadOpenAPI(t)
	tests := []struct {
		method, path string
		success      string
		errors       []string
		params       []string
		body         string // component the request body refers to, "" for none
	}{
		{"POST", "/create-agent", "201", []string{"400", "401", "413", "422", "500"}, nil, ""},
		{"GET", "/get-agent/{agent_id}", "200", []string{"400", "401", "422", "500"}, []string{"agent_id", "version"}, ""},
		{"PATCH", "/update-agent/{agent_id}", "200", []string{"400", "401", "422", "500"}, []string{"agent_id", "version"}, "AgentRequest"},
		{"POST", "/v2/list-agents", "200", []string{"400", "401", "500"}, []string{"limit", "sort_order", "pagination_key"}, "ListAgentsRequest"},
		{"DELETE", "/delete-agent/{agent_id}", "204", []string{"401", "422", "500"}, []string{"agent_id"}, ""},
		{"POST", "/create-agent-version/{agent_id}", "201", []string{"400", "401", "404", "500"}, []string{"agent_id"}, "CreateAgentVersionRequest"},
		{"DELETE", "/delete-agent-version/{agent_id}", "204", []string{"400", "401", "404", "500"}, []string{"agent_id", "version"}, ""},
		{"GET", "/get-agent-versions/{agent_id}", "200", []string{"401", "404", "500"}, []string{"agent_id"}, ""},
		{"GET", "/list-agent-versions/{agent_id}", "200", []string{"400", "401", "404", "500"}, []string{"agent_id", "limit", "sort_order", "pagination_key"}, ""},
		{"POST", "/publish-agent-version/{agent_id}", "200", []string{"400", "401", "404", "500"}, []string{"agent_id"}, "PublishAgentVersionRequest"},
		{"GET", "/healthz", "200", nil, nil, ""},
		{"GET", "/openapi.json", "200", []string{"401"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			item := doc.Paths.Find(tt.path)
			if item == nil {
				t.Fatal("path missing")
			}
			op := item.GetOperation(tt.method)
			if op == nil {
				t.Fatal("method missing")
			}
			if op.Responses.Value(tt.success) == nil {
				t.Errorf("no %s response", tt.success)
			}
			for _, status := range tt.errors {
				if op.Responses.Value(status) == nil {
					t.Errorf("no %s response", status)
				}
			}
			var names []string
			for _, p := range op.Parameters {
				names = append(names, p.Value.Name)
			}
			if len(names) != len(tt.params) {
				t.Errorf("parameters = %v, want %v", names, tt.params)
			}
			for i := range names {
				if i < len(tt.params) && names[i] != tt.params[i] {
					t.Errorf("parameters = %v, want %v", names, tt.params)
				}
			}
			if tt.body != "" {
				got := op.RequestBody.Value.Content.Get("application/json").Schema.Ref
				if got != "#/components/schemas/"+tt.body {
					t.Errorf("request body = %q, want %s", got, tt.body)
				}
			}
			ok := op.Responses.Value(tt.success).Value
			if content := ok.Content.Get("application/json"); content != nil && content.Example == nil {
				t.Errorf("%s response has no example", tt.success)
			}
		})
	}
	if doc.Paths.Find("/healthz").Get.Security == nil || len(*doc.Paths.Find("/healthz").Get.Security) != 0 {
		t.Error("healthz must need no key")
	}
}

// The examples in the document must pass the same validation as requests.
func TestOpenAPIExamplesAreValidConfigurations(t *testing.T) {
	for name, example := range map[string]jsonObject{"agent": exampleAgent, "draft": exampleDraft} {
		t.Run(name, func(t *testing.T) {
			fields := map[string]json.RawMessage{}
			for k, v := range example {
				if agentResponse.props[k] != nil && !VoiceAgent.Has(k) {
					continue // version metadata
				}
				fields[k], _ = json.Marshal(v)
			}
			if err := VoiceAgent.Validate(fields, Create); err != nil {
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
	for k := range VoiceAgent.props {
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
