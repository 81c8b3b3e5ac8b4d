package e2e

import (
	"encoding/json"
	"slices"
	"testing"
)

// The reference's prose rules hold on every backend, stored and read back
// by a real server: "multi" is kept as its ten locales, a created agent
// reads contact memory and does not update it, and updates need the
// conversation's data stored.
func TestProseRulesOnEveryBackend(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		s := startServer(t, "server", db.dsn)
		id := createAgent(t, s, map[string]any{"language": "multi"})
		got := getVersion(t, s, id, 0)
		var langs []string
		b, _ := json.Marshal(got["language"])
		if json.Unmarshal(b, &langs) != nil || !slices.Equal(langs, []string{"en-US", "es-ES", "fr-FR", "de-DE", "hi-IN", "ru-RU", "pt-PT", "ja-JP", "it-IT", "nl-NL"}) {
			t.Errorf("language stored as %v, want the ten locales of multi", got["language"])
		}
		cm, _ := got["contact_memory_config"].(map[string]any)
		if cm["enable_read"] != true || cm["enable_update"] != false || len(cm) != 2 {
			t.Errorf("contact_memory_config %v, want {enable_read: true, enable_update: false}", got["contact_memory_config"])
		}
		r := s.must(t, 400, "PATCH", "/update-agent/"+id, map[string]any{
			"contact_memory_config": map[string]any{"enable_update": true}, "data_storage_setting": "basic_attributes_only"})
		if !r.isErrorEnvelope() {
			t.Errorf("not the error envelope: %s", r)
		}
		chat := s.must(t, 201, "POST", "/create-chat-agent", map[string]any{
			"response_engine": map[string]any{"type": "custom-llm", "llm_websocket_url": "wss://example.com/llm"}}).object(t)
		s.must(t, 400, "PATCH", "/update-chat-agent/"+chat["agent_id"].(string), map[string]any{"contact_memory_config": map[string]any{"enable_update": true}})
		s.must(t, 200, "PATCH", "/update-chat-agent/"+chat["agent_id"].(string), map[string]any{
			"contact_memory_config": map[string]any{"enable_update": true}, "end_chat_after_silence_ms": 120000})
	})
}
