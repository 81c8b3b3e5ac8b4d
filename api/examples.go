package api

// Examples of the document's success answers.

var exampleAgent = map[string]any{
	"agent_id": "agent_3f9c2a7d41b84e0c9a5d6e1f", "version": 0, "is_published": false,
	"base_version": nil, "version_title": nil, "version_description": nil,
	"last_modification_timestamp": 1764340000000, "assigned_tags": []any{"prod"},
	"agent_name":      "Front desk",
	"voice_id":        "retell-Cimo",
	"language":        "en-US",
	"response_engine": map[string]any{"type": "retell-llm", "llm_id": "llm_5c1e8f2a9b7d4e3f", "version": 0},
}

var exampleDraft = map[string]any{
	"agent_id": "agent_3f9c2a7d41b84e0c9a5d6e1f", "version": 2, "is_published": false,
	"base_version": 1, "version_title": nil, "version_description": nil,
	"last_modification_timestamp": 1764340100000, "assigned_tags": []any{},
	"voice_id":        "retell-Cimo",
	"response_engine": map[string]any{"type": "retell-llm", "llm_id": "llm_5c1e8f2a9b7d4e3f", "version": 1},
}

var exampleAgentList = map[string]any{"has_more": false, "items": []any{map[string]any{
	"agent_id": "agent_3f9c2a7d41b84e0c9a5d6e1f", "agent_name": "Front desk", "channel": "voice",
	"user_modified_timestamp": 1764340000000, "tags": map[string]any{},
}}}

var exampleVersionList = map[string]any{"has_more": false, "items": []any{
	map[string]any{"version": 1, "is_published": true, "base_version": 0, "version_title": "Launch",
		"last_modification_timestamp": 1764340050000},
	map[string]any{"version": 0, "is_published": false, "last_modification_timestamp": 1764340000000},
}}

var exampleLLM = map[string]any{
	"llm_id": "llm_5c1e8f2a9b7d4e3f", "version": 0, "is_published": false,
	"last_modification_timestamp": 1764340000000,
	"model":                       "gpt-5.6-terra",
	"start_speaker":               "agent",
	"general_prompt":              "You answer the front desk of a dental practice.",
	"states": []any{
		map[string]any{"name": "greeting", "state_prompt": "Greet the caller.",
			"edges": []any{map[string]any{"destination_state_name": "booking", "description": "The caller wants an appointment."}}},
		map[string]any{"name": "booking", "state_prompt": "Find a free slot."},
	},
	"starting_state": "greeting",
}

var exampleFlow = map[string]any{
	"conversation_flow_id": "conversation_flow_9a2b4c6d8e0f", "version": 0, "is_published": false,
	"last_modification_timestamp": 1764340000000,
	"start_speaker":               "agent",
	"model_choice":                map[string]any{"type": "cascading", "model": "gpt-5.6-terra"},
	"start_node_id":               "start",
	"nodes": []any{
		map[string]any{"id": "start", "type": "conversation",
			"instruction": map[string]any{"type": "prompt", "text": "Greet the caller."},
			"edges": []any{map[string]any{"id": "e1", "destination_node_id": "bye",
				"transition_condition": map[string]any{"type": "prompt", "prompt": "The caller is done."}}}},
		map[string]any{"id": "bye", "type": "end"},
	},
}

var exampleChatAgent = map[string]any{
	"agent_id": "agent_7d1e3f5a9b2c4d6e8f0a1b2c", "version": 0, "is_published": false,
	"base_version": nil, "version_title": nil, "version_description": nil,
	"last_modification_timestamp": 1764340000000, "assigned_tags": []any{},
	"agent_name":      "Web chat",
	"response_engine": map[string]any{"type": "retell-llm", "llm_id": "llm_5c1e8f2a9b7d4e3f", "version": 0},
}
