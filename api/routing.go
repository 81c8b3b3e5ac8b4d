package api

// The tags, parameters and examples of the phone number and routing
// operations (issue 10).

const tagPhones = "Phone numbers"

var (
	phoneNumber = Param{Name: "phone_number", In: "path", Required: true,
		Description: "The number (E.164, or the pseudo number it was imported as).",
		Schema:      map[string]any{"type": "string", "minLength": 1}}
	tagParam = Param{Name: "tag", In: "path", Required: true, Description: "The tag's name.",
		Schema: map[string]any{"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,19}$"}}
	reasonParam = Param{Name: "reason", In: "query", Description: "Why, for the history.",
		Schema: map[string]any{"type": "string", "maxLength": 1000}}

	// versionFilters are agentry's filters of list-agent-versions.
	versionFilters = []Param{
		{Name: "agentry_published_only", In: "query", Description: "agentry: list only published versions.",
			Schema: map[string]any{"type": "boolean"}},
		{Name: "agentry_tag", In: "query", Description: "agentry: list only the version that this tag holds.",
			Schema: map[string]any{"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,19}$"}},
	}
)

var examplePhone = map[string]any{
	"phone_number": "+14155550123", "phone_number_type": "retell-twilio", "phone_number_pretty": "+1 (415) 555-0123",
	"area_code": 415, "nickname": "Front desk", "last_modification_timestamp": 1764340000000,
	"inbound_agents": []any{
		map[string]any{"agent_id": "agent_3f9c2a7d41b84e0c9a5d6e1f", "agent_version": "prod", "weight": 0.9},
		map[string]any{"agent_id": "agent_3f9c2a7d41b84e0c9a5d6e1f", "agent_version": "canary", "weight": 0.1},
	},
	// retell-sdk 4.x's single-agent fields: the heaviest entry, at the
	// version its tag names now.
	"inbound_agent_id": "agent_3f9c2a7d41b84e0c9a5d6e1f", "inbound_agent_version": 3,
}

var exampleTag = map[string]any{
	"name": "prod", "version": 3, "dynamic_variables": map[string]any{"region": "eu"}, "published_only": true,
	"seq": 7, "assigned_at": 1764340000000, "created_at": 1764330000000, "modified_at": 1764340000000,
}

var exampleTagHistory = map[string]any{"has_more": false, "items": []any{map[string]any{
	"seq": 7, "action": "move", "version_before": 2, "version_after": 3,
	"dynamic_variables_before": map[string]any{"region": "eu"}, "dynamic_variables_after": map[string]any{"region": "eu"},
	"published_only_before": true, "published_only_after": true, "revert_of": nil,
	"actor":  map[string]any{"key_prefix": "key_1a2b3c4d", "label": "deploy-bot", "request_id": "req_5e6f7a8b9c0d1e2f"},
	"reason": "release 3", "timestamp": 1764340000000,
}}}

var exampleResolution = map[string]any{
	"agent_id": "agent_3f9c2a7d41b84e0c9a5d6e1f", "agent_version": 3, "agent_tag": "prod",
	"dynamic_variables": map[string]any{"region": "eu"}, "is_published": true, "channel": "voice",
	"phone_number": "+14155550123", "direction": "inbound", "routing_mode": "sticky", "entry": 0,
}

var exampleRoutingMode = map[string]any{"phone_number": "+14155550123", "mode": "sticky"}
