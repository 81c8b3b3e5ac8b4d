package schema

import (
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestObjectsMatchReference extends the drift test to the bodies and
// answers of knowledge bases, shared components, voices, assets and the
// account endpoints: the named schemas of the reference and the inline ones
// of its operations.
func TestObjectsMatchReference(t *testing.T) {
	doc := loadReference(t)
	named := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	body := func(path, method, media string) *openapi3.Schema {
		return doc.Paths.Find(path).GetOperation(method).RequestBody.Value.Content.Get(media).Schema.Value
	}
	answer := func(path, method, status string) *openapi3.Schema {
		return doc.Paths.Find(path).GetOperation(method).Responses.Value(status).Value.Content.Get("application/json").Schema.Value
	}
	const multipart = "multipart/form-data"
	for _, tt := range []struct {
		name     string
		ours     *Object
		theirs   *openapi3.Schema
		required []string // a configuration's create requirements, which its component leaves out
	}{
		{"KnowledgeBaseRequest", KnowledgeBaseCreate, named("KnowledgeBaseRequest"), nil},
		{"KnowledgeBaseAddSourcesRequest", KnowledgeBaseAddSources, named("KnowledgeBaseAddSourcesRequest"), nil},
		{"KnowledgeBaseResponse", KnowledgeBaseResponse, named("KnowledgeBaseResponse"), nil},
		{"ConversationFlowComponent", ConversationFlowComponent, named("ConversationFlowComponent"), []string{"name", "nodes"}},
		{"ConversationFlowComponentResponse", ConversationFlowComponentResponse, named("ConversationFlowComponentResponse"), nil},
		{"VoiceResponse", VoiceResponse, named("VoiceResponse"), nil},
		{"CloneVoiceRequest", CloneVoice, body("/clone-voice", "POST", multipart), nil},
		{"AddCommunityVoiceRequest", AddCommunityVoice, body("/add-community-voice", "POST", "application/json"), nil},
		{"SearchCommunityVoiceRequest", SearchCommunityVoice, body("/search-community-voice", "POST", "application/json"), nil},
		{"SearchCommunityVoiceResponse", SearchCommunityVoiceResponse, answer("/search-community-voice", "POST", "200"), nil},
		{"CreateAssetRequest", CreateAsset, body("/create-asset", "POST", multipart), nil},
		{"Asset", AssetResponse, named("Asset"), nil},
		{"ConcurrencyResponse", ConcurrencyResponse, answer("/get-concurrency", "GET", "200"), nil},
		{"ApiKeyInfoResponse", APIKeyInfoResponse, answer("/get-api-key-info", "GET", "200"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ours := ourShape(ref(tt.ours))
			if tt.required != nil {
				if !slices.Equal(ours.required, sorted(tt.required)) {
					t.Errorf("create requires %v, want %v", ours.required, tt.required)
				}
				ours.required = nil
			}
			var unexpected []string
			seen := map[string]bool{}
			for _, d := range compare(tt.name, ours, refShape(tt.theirs)) {
				seen[d] = true
				if !deliberate[d] {
					unexpected = append(unexpected, d)
				}
			}
			if len(unexpected) > 0 {
				t.Errorf("differs from the reference:\n%s", strings.Join(unexpected, "\n"))
			}
			for d := range deliberate {
				if strings.HasPrefix(d, tt.name+".") && !seen[d] {
					t.Errorf("listed deviation no longer occurs (remove it): %s", d)
				}
			}
			for r := range proseRules {
				if strings.HasPrefix(r, tt.name+".") && !proseSeen[r] {
					t.Errorf("listed prose rule is not applied or the reference now states it (update the list): %s", r)
				}
			}
		})
	}
	// What create-conversation-flow-component requires is stated in its own schema.
	create := refShape(named("CreateConversationFlowComponentRequest"))
	if got := ourShape(ref(ConversationFlowComponent)).required; !slices.Equal(got, create.required) {
		t.Errorf("ConversationFlowComponent requires %v on create, reference %v", got, create.required)
	}
}
