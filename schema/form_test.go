package schema

import (
	"encoding/json"
	"strings"
	"testing"
)

// The parts of a multipart body become the fields of its object as the
// official SDK means them.
func TestFormFields(t *testing.T) {
	for _, c := range []struct {
		name  string
		texts map[string][]string
		files map[string][]string
		want  string // the fields as JSON, or "error: ..."
	}{
		{"SDK encoding", map[string][]string{
			"knowledge_base_name":  {"FAQ"},
			"knowledge_base_texts": {`[{"title":"t","text":"x"}]`},
			"knowledge_base_urls":  {`["https://a.example"]`},
			"enable_auto_refresh":  {"true"},
			"max_chunk_size":       {"1200"},
		}, map[string][]string{"knowledge_base_files": {"a.pdf", "b.txt"}},
			`{"enable_auto_refresh":true,"knowledge_base_files":["a.pdf","b.txt"],"knowledge_base_name":"FAQ",` +
				`"knowledge_base_texts":[{"title":"t","text":"x"}],"knowledge_base_urls":["https://a.example"],"max_chunk_size":1200}`},
		{"one part per item", map[string][]string{"knowledge_base_name": {"k"}, "knowledge_base_urls": {"https://a.example", "https://b.example"}}, nil,
			`{"knowledge_base_name":"k","knowledge_base_urls":["https://a.example","https://b.example"]}`},
		{"a name that looks like JSON stays a string", map[string][]string{"knowledge_base_name": {"123"}}, nil, `{"knowledge_base_name":"123"}`},
		{"a number that is not one", map[string][]string{"max_chunk_size": {"big"}}, nil, `{"max_chunk_size":"big"}`},
		{"unknown fields pass through to be named", map[string][]string{"nmae": {"x"}}, map[string][]string{"blob": {"f"}}, `{"blob":"f","nmae":"x"}`},
		{"file for a text field", nil, map[string][]string{"knowledge_base_name": {"n.txt"}}, "error: knowledge_base_name: must be a text field"},
		{"text for a file field", map[string][]string{"knowledge_base_files": {"x"}}, nil, "error: knowledge_base_files: must be a file part"},
		{"repeated scalar", map[string][]string{"knowledge_base_name": {"a", "b"}}, nil, "error: knowledge_base_name: sent 2 times"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := FormFields(KnowledgeBaseCreate, c.texts, c.files)
			if want, ok := strings.CutPrefix(c.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("error %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var a, b any
			raw, _ := json.Marshal(got)
			json.Unmarshal(raw, &a)
			json.Unmarshal([]byte(c.want), &b)
			if ja, jb := mustJSON(a), mustJSON(b); ja != jb {
				t.Errorf("fields %s, want %s", ja, jb)
			}
		})
	}
	one, err := FormFields(CreateAsset, nil, map[string][]string{"file": {"a.png", "b.png"}})
	if err == nil || !strings.Contains(err.Error(), "file: takes one file") {
		t.Errorf("two files for one: %v %v", one, err)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
