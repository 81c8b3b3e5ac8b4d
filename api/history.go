package api

import (
	"strings"

	"github.com/agentry/agentry"
)

// The parameters and examples of agentry's change-history extensions (the
// diff, the audit log, webhooks); their operations are in operations.go.

// tagAgentry groups agentry's own endpoints under /agentry/v1/.
const tagAgentry = "agentry"

var (
	// diffRef is the from or to of a diff: any version reference.
	diffRef = func(name, desc string) Param {
		p := versionRef
		p.Name, p.Description = name, desc+" A version number, latest, latest_published or a tag name."
		return p
	}
	webhookID  = Param{Name: "webhook_id", In: "path", Required: true, Description: "The webhook's id.", Schema: map[string]any{"type": "string", "minLength": 1}}
	deliveryID = Param{Name: "delivery_id", In: "path", Required: true, Description: "The delivery's id.", Schema: map[string]any{"type": "string", "minLength": 1}}

	auditFilters = []Param{
		{Name: "object_type", In: "query", Description: "Only entries about objects of this type: " + strings.Join(agentry.ObjectTypes(), ", ") + ".",
			Schema: map[string]any{"type": "string"}},
		{Name: "object_id", In: "query", Description: "Only entries about the object with this id.", Schema: map[string]any{"type": "string"}},
		{Name: "actor", In: "query", Description: "Only entries whose actor has this key prefix or this label.", Schema: map[string]any{"type": "string"}},
		{Name: "action", In: "query", Description: "Only this action (agent_version.published), or the actions starting with a prefix ending in .* (agent_version.*).",
			Schema: map[string]any{"type": "string"}},
		{Name: "since", In: "query", Description: "Only entries at or after this time: milliseconds since the epoch, or RFC 3339.",
			Schema: map[string]any{"type": "string"}},
		{Name: "until", In: "query", Description: "Only entries before this time: milliseconds since the epoch, or RFC 3339.",
			Schema: map[string]any{"type": "string"}},
	}

	deliveryState = Param{Name: "state", In: "query", Description: "Only deliveries in this state.",
		Schema: map[string]any{"type": "string", "enum": []any{"pending", "delivered", "failed"}}}
)

var exampleDiff = map[string]any{
	"agent_id": "agent_3f9c2a7d41b84e0c9a5d6e1f",
	"from": map[string]any{"version": 3, "is_published": true, "base_version": 2, "version_title": "prod", "version_description": nil,
		"last_modification_timestamp": 1764340000000, "engine": map[string]any{"type": "retell-llm", "id": "llm_5c1e8f2a9b7d4e3f", "version": 3}},
	"to": map[string]any{"version": 5, "is_published": false, "base_version": 3, "version_title": nil, "version_description": nil,
		"last_modification_timestamp": 1764340100000, "engine": map[string]any{"type": "retell-llm", "id": "llm_5c1e8f2a9b7d4e3f", "version": 5}},
	"changes": []any{
		map[string]any{"path": "/agent/response_engine/version", "op": "replace", "from": 3, "to": 5},
		map[string]any{"path": "/agent/voice_speed", "op": "replace", "from": 1, "to": 1.2},
		map[string]any{"path": "/engine/states/1/state_prompt", "op": "replace", "from": "Find a free slot.", "to": "Find a slot this week."},
	},
}

var exampleAuditEntry = map[string]any{
	"seq": 42, "timestamp": 1764340000000, "actor": map[string]any{"type": "api_key", "key_prefix": "key_3f9c2a7d", "label": "deploy"},
	"request_id": "req_9a8b7c6d5e4f3a2b", "action": "agent_version.published", "object_type": "agent",
	"object_id": "agent_3f9c2a7d41b84e0c9a5d6e1f", "version": 5,
	"details": map[string]any{"version_title": "launch", "version_description": nil, "engine": map[string]any{"id": "llm_5c1e8f2a9b7d4e3f", "version": 5}},
}

var exampleWebhook = map[string]any{
	"webhook_id": "webhook_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", "url": "https://hooks.example.com/agentry",
	"events": []any{"agent_version.published", "tag.moved"}, "enabled": true, "description": "deploy bot",
	"created_at": 1764340000000, "modified_at": 1764340000000,
}

var exampleWebhookCreated = func() map[string]any {
	m := map[string]any{"secret": "whsec_0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"}
	for k, v := range exampleWebhook {
		m[k] = v
	}
	return m
}()

var exampleDelivery = map[string]any{
	"delivery_id": "delivery_7f6e5d4c3b2a19080f1e2d3c4b5a6978", "webhook_id": exampleWebhook["webhook_id"],
	"event_id": "evt_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "event": "agent_version.published", "state": "delivered",
	"created_at": 1764340000000, "attempt_count": 2, "finished_at": 1764340005400, "last_status_code": 200, "last_error": "",
	"attempts": []any{
		map[string]any{"attempt": 1, "timestamp": 1764340000100, "status_code": 503, "error": "answered 503; only 2xx counts as delivered", "duration_ms": 41},
		map[string]any{"attempt": 2, "timestamp": 1764340005350, "status_code": 200, "error": "", "duration_ms": 38},
	},
	"payload": map[string]any{"event_id": "evt_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "event": "agent_version.published",
		"timestamp": 1764340000000, "data": exampleAuditEntry},
}
