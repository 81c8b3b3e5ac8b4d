package schema

// The version and list request bodies, and the shapes agentry answers with.

// CreateAgentVersion is the body of create-agent-version.
var CreateAgentVersion = object("CreateAgentVersionRequest", props{
	"base_version": versionNumber().about("The version the new draft copies."),
}, "base_version").about("Branches a new draft from an existing version.").sealed()

// PublishAgentVersion is the body of publish-agent-version.
var PublishAgentVersion = object("PublishAgentVersionRequest", props{
	"version":             versionNumber().about("The draft to publish."),
	"version_title":       str(),
	"version_description": str(),
}, "version").about("Publishes a draft in place.")

var agentListFilter = object("AgentListFilter", props{
	"channel": ref(object("", props{
		"type":  enum("string"),
		"op":    enum("eq"),
		"value": enum("voice", "chat"),
	}, "type", "op", "value")),
	"query": str().about("Matches a case-insensitive part of the name or a part of the agent id."),
}).about("Filters that must all hold.")

// ListAgents is the optional body of v2/list-agents.
var ListAgents = object("ListAgentsRequest", props{
	"filter_criteria": ref(agentListFilter),
	// agentry's extensions (docs/API.md).
	"agentry_published_only": boolean().about("agentry: list only agents that have a published version."),
	"agentry_tag":            tagName.about("agentry: list only agents whose tag of this name is assigned to a version."),
})

// versionMeta are the fields every stored agent version carries besides its
// configuration.
var versionMeta = props{
	"agent_id":                    str().about("The agent's id."),
	"version":                     integer().atLeast(0),
	"is_published":                boolean(),
	"base_version":                integer().atLeast(0).null().about("The version this draft was copied from; null for version 0."),
	"version_title":               str().null(),
	"version_description":         str().null(),
	"last_modification_timestamp": integer().about("Milliseconds since the epoch."),
	"assigned_tags":               array(str()).about("The tags that hold this version, most recently assigned (the preferred tag) first."),
}

// AgentResponse is one version of a voice agent: its metadata and every
// configuration field that has a value.
var AgentResponse = withMeta(VoiceAgent, "AgentResponse", "One version of a voice agent.", versionMeta)

// AgentVersionSummary is one item of list-agent-versions.
var AgentVersionSummary = object("AgentVersionSummary", props{
	"version":                     integer(),
	"is_published":                boolean(),
	"last_modification_timestamp": integer(),
	"base_version":                integer(),
	"version_title":               str(),
	"version_description":         str(),
}, "version", "is_published", "last_modification_timestamp")

var agentRootTagState = object("AgentRootTagState", props{
	"version":           integer().atLeast(0),
	"dynamic_variables": stringMap,
})

// AgentListItem is one item of list-agents.
var AgentListItem = object("AgentListItemResponse", props{
	"agent_id":                str(),
	"agent_name":              str(),
	"channel":                 enum("voice", "chat"),
	"user_modified_timestamp": integer(),
	"tags":                    mapOf(ref(agentRootTagState)),
}, "agent_id", "agent_name", "channel", "user_modified_timestamp", "tags")

// ErrorBody is the body of every error answer.
var ErrorBody = object("Error", props{
	"status":  enum("error"),
	"message": str(),
}, "status", "message")

// Page is a list response of items: the envelope of every list endpoint.
func Page(name string, item *Object) *Object {
	return object(name, props{
		"items":          array(ref(item)),
		"has_more":       boolean(),
		"pagination_key": str().about("Pass back to get the next page; absent on the last page."),
	}, "items", "has_more")
}

// withMeta returns o extended by meta, every meta field required: the shape
// of a stored version in responses.
func withMeta(o *Object, name, desc string, meta props) *Object {
	r := o.extend(name, meta)
	for k := range meta {
		r.required[k] = true
	}
	return r.about(desc)
}

// engineMeta are the fields every stored engine version carries besides its
// configuration; idField is llm_id or conversation_flow_id.
func engineMeta(idField, idDesc string) props {
	return props{
		idField:                       str().about(idDesc),
		"version":                     integer().atLeast(0),
		"is_published":                boolean().about("Published versions never change; publishing an agent version publishes the engine version it pins."),
		"last_modification_timestamp": integer().about("Milliseconds since the epoch."),
	}
}

// RetellLLMResponse is one version of a Retell LLM.
var RetellLLMResponse = withMeta(RetellLLM, "RetellLLMResponse", "One version of a Retell LLM.",
	engineMeta("llm_id", "The Retell LLM's id."))

// ConversationFlowResponse is one version of a conversation flow.
var ConversationFlowResponse = withMeta(ConversationFlow, "ConversationFlowResponse", "One version of a conversation flow.",
	engineMeta("conversation_flow_id", "The conversation flow's id."))

// ChatAgentResponse is one version of a chat agent.
var ChatAgentResponse = withMeta(ChatAgent, "ChatAgentResponse", "One version of a chat agent.", versionMeta)
