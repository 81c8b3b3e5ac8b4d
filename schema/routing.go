package schema

// agentry's routing extensions (DESIGN §6): the bodies and answers of the
// tag, resolve and routing-mode endpoints under /agentry/v1/.

var tagName = str().match(`^[a-z][a-z0-9_-]{0,19}$`)

// PutTag is the body of PUT /agentry/v1/agents/{agent_id}/tags/{tag}.
var PutTag = object("AgentryPutTagRequest", props{
	"version":           integer().atLeast(0).null().about("The version the tag points at; null unassigns it (it then names the latest version)."),
	"dynamic_variables": stringMap.about("Replace the tag's dynamic variables; absent keeps them."),
	"published_only":    boolean().about("Accept only published versions; absent keeps the tag's setting (false for a new tag)."),
	"reason":            str().length(0, 1000).about("Why, for the history."),
}, "version").about("Creates, moves or unassigns a tag.")

// RevertTag is the body of POST …/tags/{tag}/revert.
var RevertTag = object("AgentryRevertTagRequest", props{
	"seq":    integer().atLeast(1).about("The history entry whose before-state the tag returns to."),
	"reason": str().length(0, 1000),
}, "seq")

// TagState is one tag as the tag endpoints answer it.
var TagState = object("AgentryTag", props{
	"name":              tagName,
	"version":           integer().atLeast(0).about("Absent while the tag is unassigned."),
	"dynamic_variables": stringMap,
	"published_only":    boolean(),
	"seq":               integer().about("The tag's latest history entry; its ETag is \"<agent_id>.<name>.<seq>\"."),
	"assigned_at":       integer().about("When the tag took its version (ms); absent while unassigned."),
	"created_at":        integer(),
	"modified_at":       integer(),
}, "name", "dynamic_variables", "published_only", "seq", "created_at", "modified_at")

// TagList is the answer of GET …/tags.
var TagList = object("AgentryTagList", props{
	"tags": mapOf(ref(TagState)),
}, "tags")

var actor = object("AgentryActor", props{
	"key_prefix": str().about("The public prefix of the key that made the change; never the key."),
	"label":      str(),
	"request_id": str(),
}, "key_prefix", "label", "request_id")

// TagHistoryEntry is one entry of a tag's history.
var TagHistoryEntry = object("AgentryTagHistoryEntry", props{
	"seq":                      integer(),
	"action":                   enum("create", "move", "delete", "revert"),
	"version_before":           integer().null(),
	"version_after":            integer().null(),
	"dynamic_variables_before": stringMap.null().about("null when the tag did not exist before the entry."),
	"dynamic_variables_after":  stringMap.null().about("null when the tag does not exist after the entry."),
	"published_only_before":    boolean(),
	"published_only_after":     boolean(),
	"revert_of":                integer().null().about("The entry whose before-state a revert restored."),
	"actor":                    ref(actor),
	"reason":                   str().null(),
	"timestamp":                integer(),
}, "seq", "action", "version_before", "version_after", "dynamic_variables_before", "dynamic_variables_after",
	"published_only_before", "published_only_after", "revert_of", "actor", "reason", "timestamp")

// Resolve is the body of POST /agentry/v1/resolve: a phone number and a
// direction, or an agent and a reference.
var Resolve = object("AgentryResolveRequest", props{
	"phone_number":  str().length(1, 0),
	"direction":     enum("inbound", "outbound", "inbound_sms", "outbound_sms"),
	"from_number":   str().about("The caller; the counterpart of inbound traffic."),
	"to_number":     str().about("The callee; the counterpart of outbound traffic."),
	"agent_id":      str().length(1, 0),
	"agent_version": agentVersionRef.about("A version number, latest, latest_published or a tag; absent means latest."),
}).about("Either phone_number and direction (with from_number or to_number), or agent_id (with agent_version).")

// Resolution is the answer of resolve.
var Resolution = object("AgentryResolution", props{
	"agent_id":          str(),
	"agent_version":     integer(),
	"agent_tag":         str().null().about("The requested tag, else the version's most recently assigned tag."),
	"dynamic_variables": stringMap,
	"is_published":      boolean(),
	"channel":           enum("voice", "chat"),
	"phone_number":      str(),
	"direction":         enum("inbound", "outbound", "inbound_sms", "outbound_sms"),
	"routing_mode":      enum("random", "sticky"),
	"entry":             integer().about("The index of the list entry that was picked."),
}, "agent_id", "agent_version", "agent_tag", "dynamic_variables", "is_published", "channel")

var routingMode = enum("random", "sticky").about("random: each call picks an entry by weight (Retell's way, the default); sticky: the same counterpart number gets the same entry while the weights stand.")

// RoutingModeRequest is the body of PUT …/phone-numbers/{phone_number}/routing.
var RoutingModeRequest = object("AgentryRoutingModeRequest", props{"mode": routingMode}, "mode")

// RoutingMode is the answer of the routing-mode endpoints.
var RoutingMode = object("AgentryRoutingMode", props{
	"phone_number": str(),
	"mode":         routingMode,
}, "phone_number", "mode")
