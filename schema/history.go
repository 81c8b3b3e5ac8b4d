package schema

import "github.com/agentry/agentry"

// The bodies and answers of agentry's change-history extensions: the diff
// of two versions, the audit log and webhooks (DESIGN.md §6). They are
// agentry's own, so the reference has nothing to compare them with.

// eventName is one subscribable event, or "*" for all.
var eventName = enum(append(agentry.SubscribableEvents(), agentry.AllEvents)...).
	about("An event of the catalogue (docs/API.md), or * for every event, present and future.")

var webhookURL = str().length(1, agentry.MaxWebhookURLLength).
	about("Where deliveries are POSTed: http or https; loopback and private addresses only with serve --webhook-allow-private.")

// CreateWebhook is the body of POST /agentry/v1/webhooks.
var CreateWebhook = object("CreateWebhookRequest", props{
	"url":         webhookURL,
	"events":      array(eventName).count(1, 0).distinct(),
	"description": str().length(0, 500),
	"enabled":     boolean().about("Default true; a disabled webhook queues nothing, and what it had queued waits."),
}, "url", "events").about("A webhook: where to send which events.")

// UpdateWebhook is the body of PATCH /agentry/v1/webhooks/{webhook_id}: the
// fields to change.
var UpdateWebhook = object("UpdateWebhookRequest", props{
	"url":           webhookURL,
	"events":        array(eventName).count(1, 0).distinct(),
	"description":   str().length(0, 500),
	"enabled":       boolean(),
	"rotate_secret": boolean().about("Issue a new secret; the answer shows it, once. The old one stops signing at once."),
}).about("The fields to change; absent fields are left as they are.")

var webhookProps = props{
	"webhook_id":  str(),
	"url":         str(),
	"events":      array(str()),
	"enabled":     boolean(),
	"description": str(),
	"created_at":  integer().about("Milliseconds since the epoch."),
	"modified_at": integer().about("Milliseconds since the epoch."),
}

// WebhookResponse is a webhook as get, list and update answer it: never
// with its secret (update shows a rotated one once).
var WebhookResponse = object("WebhookResponse", withSecret(webhookProps, false),
	"webhook_id", "url", "events", "enabled", "description", "created_at", "modified_at")

// WebhookCreated is the answer of a create: the webhook and its secret,
// shown this once.
var WebhookCreated = object("WebhookCreatedResponse", withSecret(webhookProps, true),
	"webhook_id", "url", "events", "enabled", "description", "created_at", "modified_at", "secret")

func withSecret(p props, secret bool) props {
	out := props{}
	for k, v := range p {
		out[k] = v
	}
	if secret {
		out["secret"] = str().about("whsec_ and 64 hex characters: the HMAC-SHA256 key of Agentry-Signature. Shown only here.")
	} else {
		out["secret"] = str().about("Only in the answer of an update that rotated the secret.")
	}
	return out
}

var deliveryAttempt = object("WebhookDeliveryAttempt", props{
	"attempt":     integer().atLeast(1),
	"timestamp":   integer().about("When the attempt started, milliseconds since the epoch."),
	"status_code": integer().about("The receiver's HTTP status; 0 when no answer came."),
	"error":       str().about("Why the attempt failed; empty when it succeeded."),
	"duration_ms": integer(),
}, "attempt", "timestamp", "status_code", "error", "duration_ms")

// WebhookDelivery is one event on its way to one webhook, with its attempts.
var WebhookDelivery = object("WebhookDeliveryResponse", props{
	"delivery_id":      str(),
	"webhook_id":       str(),
	"event_id":         str().about("The same in every delivery and retry of one event: drop duplicates by it."),
	"event":            str(),
	"state":            enum(agentry.DeliveryPending, agentry.DeliveryDelivered, agentry.DeliveryFailed),
	"created_at":       integer(),
	"attempt_count":    integer(),
	"next_attempt_at":  integer().about("When a pending delivery is due; absent otherwise."),
	"finished_at":      integer().about("When it was delivered or given up; absent while pending."),
	"last_status_code": integer(),
	"last_error":       str(),
	"attempts":         array(ref(deliveryAttempt)),
	"payload":          anyValue().about("The JSON body sent, exactly: {event_id, event, timestamp, data}."),
}, "delivery_id", "webhook_id", "event_id", "event", "state", "created_at", "attempt_count", "attempts", "payload")

var actorObject = object("AuditActor", props{
	"type":       enum(agentry.ActorAPIKey, agentry.ActorOperator),
	"key_prefix": str().about("The calling key's public prefix; absent for an operator's command."),
	"label":      str().about("The key's label, or the operator's command and user."),
}, "type", "label")

// AuditEntry is one entry of the audit log.
var AuditEntry = object("AuditEntry", props{
	"seq":         integer().about("Grows with every entry: the order of the log."),
	"timestamp":   integer().about("Milliseconds since the epoch."),
	"actor":       ref(actorObject),
	"request_id":  str(),
	"action":      str().about("An event of the catalogue: agent_version.published, tag.moved, ..."),
	"object_type": str(),
	"object_id":   str(),
	"version":     integer().about("The version the change made or touched, where one applies."),
	"paths":       array(str()).about("For updates: the top-level fields the patch set, as JSON Pointers."),
	"details":     mapOf(anyValue()).about("More about the change: base version, engine version, tag states, ..."),
}, "seq", "timestamp", "actor", "request_id", "action", "object_type", "object_id")

var diffEngine = object("DiffEngine", props{
	"type":    str(),
	"id":      str(),
	"version": integer(),
	"missing": boolean().about("The pinned engine version no longer exists; the document's engine is null."),
}, "type", "id", "version")

var diffSide = object("DiffVersion", props{
	"version":                     integer(),
	"is_published":                boolean(),
	"base_version":                integer().null(),
	"version_title":               str().null(),
	"version_description":         str().null(),
	"last_modification_timestamp": integer(),
	"engine":                      ref(diffEngine).null().about("The engine version it pins; null for custom-llm."),
}, "version", "is_published", "base_version", "version_title", "version_description", "last_modification_timestamp", "engine")

var diffChange = object("DiffChange", props{
	"path": str().about("A JSON Pointer into {agent, engine}, valid when the change applies."),
	"op":   enum("add", "remove", "replace"),
	"from": anyValue().about("The value removed or replaced."),
	"to":   anyValue().about("The value added or put in place."),
}, "path", "op")

// DiffResponse is the answer of GET /agentry/v1/agents/{agent_id}/diff.
var DiffResponse = object("DiffResponse", props{
	"agent_id": str(),
	"from":     ref(diffSide),
	"to":       ref(diffSide),
	"changes":  array(ref(diffChange)).about("Applied in order to from's document, they give to's."),
}, "agent_id", "from", "to", "changes")
