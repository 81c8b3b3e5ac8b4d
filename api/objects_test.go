package api

import "testing"

// Multipart operations are documented as multipart/form-data with their file
// fields as binary strings; the content reads as bytes.
func TestMultipartAndBytesInTheDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	for _, path := range []string{"/create-knowledge-base", "/add-knowledge-base-sources/{knowledge_base_id}", "/clone-voice", "/create-asset"} {
		body := doc.Paths.Find(path).Post.RequestBody.Value
		if body.Content.Get("application/json") != nil || body.Content.Get("multipart/form-data") == nil {
			t.Errorf("%s: body media types %v, want multipart/form-data only", path, body.Content)
		}
	}
	files := doc.Components.Schemas["KnowledgeBaseRequest"].Value.Properties["knowledge_base_files"].Value.Items.Value
	if files.Type.Slice()[0] != "string" || files.Format != "binary" {
		t.Errorf("knowledge_base_files items = %+v, want binary strings", files)
	}
	if doc.Paths.Find("/create-conversation-flow-component").Post.RequestBody.Value.Content.Get("application/json") == nil {
		t.Error("JSON bodies stay JSON")
	}
	ok := doc.Paths.Find("/agentry/v1/assets/{asset_id}/content").Get.Responses.Value("200").Value
	if c := ok.Content.Get("*/*"); c == nil || c.Schema.Value.Format != "binary" {
		t.Errorf("asset content answer %+v, want binary", ok.Content)
	}
	if doc.Paths.Find("/repair-agent/{agent_id}").Post.Responses.Value("409") == nil {
		t.Error("repair-agent does not document its 409")
	}
}
