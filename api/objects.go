package api

import (
	"net/http"

	"github.com/agentry/agentry"
)

// The tags, parameters and examples of the operations on the objects that
// versions point at (knowledge bases, shared flow components, voices,
// assets), of repair-agent and of the account answers.

const (
	tagKnowledgeBases = "Knowledge bases"
	tagComponents     = "Conversation flow components"
	tagVoices         = "Voices"
	tagAssets         = "Assets"
	tagRepair         = "Agent repair"
	tagAccount        = "Account"
	tagStored         = tagAgentry
)

const (
	conflict    = http.StatusConflict
	unsupported = http.StatusUnsupportedMediaType
	invalid     = http.StatusBadRequest
)

func pathParam(name, desc string) Param {
	return Param{Name: name, In: "path", Required: true, Description: desc, Schema: map[string]any{"type": "string", "minLength": 1}}
}

var (
	knowledgeBaseID = pathParam("knowledge_base_id", "The knowledge base's id.")
	sourceID        = pathParam("source_id", "The source's id.")
	componentID     = pathParam("conversation_flow_component_id", "The shared component's id.")
	voiceID         = pathParam("voice_id", "The voice's id.")
	assetID         = pathParam("asset_id", "The asset's id.")
)

// repairAnswer is the version repaired: an AgentResponse or a
// ChatAgentResponse, by the agent's channel.
var repairAnswer = Literal(map[string]any{"anyOf": []any{
	map[string]any{"$ref": "#/components/schemas/AgentResponse"},
	map[string]any{"$ref": "#/components/schemas/ChatAgentResponse"},
}})

var exampleKnowledgeBase = map[string]any{
	"knowledge_base_id": "knowledge_base_9b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e", "knowledge_base_name": "Clinic FAQ",
	"status": "complete", "max_chunk_size": 2000, "min_chunk_size": 400, "enable_auto_refresh": false,
	"knowledge_base_sources": []any{
		map[string]any{"type": "text", "source_id": "source_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", "title": "Opening hours",
			"content_url": "http://127.0.0.1:8080/agentry/v1/knowledge-bases/knowledge_base_9b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e/sources/source_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d/content"},
		map[string]any{"type": "url", "source_id": "source_2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e", "url": "https://www.example.com/faq"},
	},
}

var exampleComponent = map[string]any{
	"conversation_flow_component_id": "component_4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b",
	"user_modified_timestamp":        1764340000000,
	"linked_conversation_flow_ids":   []any{"conversation_flow_9a2b4c6d8e0f"},
	"name":                           "Collect contact details",
	"start_node_id":                  "ask",
	"nodes": []any{
		map[string]any{"id": "ask", "type": "conversation",
			"instruction": map[string]any{"type": "prompt", "text": "Ask for the caller's name and phone number."}},
	},
}

var exampleVoice = map[string]any{
	"voice_id": "retell-Cimo", "voice_name": "Cimo", "provider": "platform", "gender": "female",
	"accent": "American", "age": "Young", "preview_audio_url": "https://retell-utils-public.s3.us-west-2.amazonaws.com/cimo.mp3",
}

var exampleAsset = map[string]any{
	"asset_id": "asset_0f1e2d3c4b5a69788796a5b4c3d2e1f0", "file_name": "hold.mp3", "content_type": "audio/mpeg",
	"file_size": 48213, "created_timestamp": 1764340000000,
	"url": "http://127.0.0.1:8080/agentry/v1/assets/asset_0f1e2d3c4b5a69788796a5b4c3d2e1f0/content",
}

var exampleConcurrency = map[string]any{
	"current_concurrency": 0, "concurrency_limit": agentry.DefaultConcurrencyLimit, "base_concurrency": agentry.DefaultConcurrencyLimit,
	"purchased_concurrency": 0, "concurrency_purchase_limit": 0, "remaining_purchase_limit": 0,
	"reserved_inbound_concurrency": 0, "concurrency_burst_enabled": false, "concurrency_burst_limit": 0,
}
