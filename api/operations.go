package api

import (
	"net/http"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Tags group the operations in the document.
const (
	tagAgents     = "Voice agents"
	tagVersions   = "Agent versions"
	tagChatAgents = "Chat agents"
	tagLLMs       = "Retell LLMs"
	tagFlows      = "Conversation flows"
	tagServer     = "Server"
	tagLegacy     = "Retell SDK 4.x (deprecated)"
)

// Statuses by their role in the table.
const (
	old   = http.StatusUnprocessableEntity // Retell's older endpoints: a missing resource is 422
	newer = http.StatusNotFound            // endpoints whose reference documents 404
	get   = http.MethodGet
	post  = http.MethodPost
	patch = http.MethodPatch
	del   = http.MethodDelete
)

var (
	llmID  = idParam(agentry.RetellLLM)
	flowID = idParam(agentry.ConversationFlow)
)

// Operations is the whole API, in the order of the document.
var Operations = []Operation{
	// Voice agents.
	{ID: "createAgent", Method: post, Path: "/create-agent", Tag: tagAgents, Summary: "Create an agent; its version 0 is a draft.",
		Body: &Body{Object: schema.VoiceAgent, Required: true, Create: true}, Errors: []int{old},
		Status: 201, Response: One(schema.AgentResponse), Example: exampleAgent},
	{ID: "getAgent", Method: get, Path: "/get-agent/{agent_id}", Tag: tagAgents, Summary: "Get one version of an agent.",
		Missing: old, Params: with(agentID, versionRef),
		Status: 200, Response: One(schema.AgentResponse), Example: exampleAgent},
	{ID: "updateAgent", Method: patch, Path: "/update-agent/{agent_id}", Tag: tagAgents, Summary: "Change fields of a draft; null clears a nullable field.",
		Missing: old, Params: with(agentID, versionRef), Body: &Body{Object: schema.VoiceAgent, Required: true},
		Errors: []int{http.StatusPreconditionFailed}, Status: 200, Response: One(schema.AgentResponse), Example: exampleAgent},
	{ID: "listAgents", Method: post, Path: "/v2/list-agents", Tag: tagAgents, Summary: "List agents, one item per agent.",
		Params: paging, Body: &Body{Object: schema.ListAgents},
		Status: 200, Response: PageOf("AgentListResponse", schema.AgentListItem), Example: exampleAgentList},
	{ID: "deleteAgent", Method: del, Path: "/delete-agent/{agent_id}", Tag: tagAgents, Summary: "Delete an agent and all its versions.",
		Missing: old, Params: with(agentID), Status: 204},

	// Versions, of voice and chat agents alike.
	{ID: "createAgentVersion", Method: post, Path: "/create-agent-version/{agent_id}", Tag: tagVersions, Summary: "Copy a version into a new draft.",
		Missing: newer, Params: with(agentID), Body: &Body{Object: schema.CreateAgentVersion, Required: true}, Errors: []int{old},
		Status: 201, Response: One(schema.AgentResponse), Example: exampleDraft},
	{ID: "deleteAgentVersion", Method: del, Path: "/delete-agent-version/{agent_id}", Tag: tagVersions, Summary: "Delete one version.",
		Missing: newer, Params: with(agentID, versionNumber), Status: 204},
	{ID: "getAgentVersions", Method: get, Path: "/get-agent-versions/{agent_id}", Tag: tagVersions, Summary: "Get every version of an agent, in ascending order.",
		Missing: newer, Params: with(agentID), Status: 200, Response: ArrayOf(schema.AgentResponse), Example: []any{exampleAgent}},
	{ID: "listAgentVersions", Method: get, Path: "/list-agent-versions/{agent_id}", Tag: tagVersions, Summary: "List summaries of an agent's versions.",
		Missing: newer, Params: with(agentID, paging),
		Status: 200, Response: PageOf("AgentVersionListResponse", schema.AgentVersionSummary), Example: exampleVersionList},
	{ID: "publishAgentVersion", Method: post, Path: "/publish-agent-version/{agent_id}", Tag: tagVersions, Summary: "Publish a draft in place.",
		Missing: newer, Params: with(agentID), Body: &Body{Object: schema.PublishAgentVersion, Required: true},
		Errors: []int{http.StatusPreconditionFailed, old}, Status: 200},

	// Chat agents.
	{ID: "createChatAgent", Method: post, Path: "/create-chat-agent", Tag: tagChatAgents, Summary: "Create a chat agent; its version 0 is a draft.",
		Body: &Body{Object: schema.ChatAgent, Required: true, Create: true}, Errors: []int{old},
		Status: 201, Response: One(schema.ChatAgentResponse), Example: exampleChatAgent},
	{ID: "getChatAgent", Method: get, Path: "/get-chat-agent/{agent_id}", Tag: tagChatAgents, Summary: "Get one version of a chat agent.",
		Missing: old, Params: with(agentID, versionRef),
		Status: 200, Response: One(schema.ChatAgentResponse), Example: exampleChatAgent},
	{ID: "updateChatAgent", Method: patch, Path: "/update-chat-agent/{agent_id}", Tag: tagChatAgents, Summary: "Change fields of a chat agent draft; null clears a nullable field.",
		Missing: old, Params: with(agentID, versionRef), Body: &Body{Object: schema.ChatAgent, Required: true},
		Errors: []int{http.StatusPreconditionFailed}, Status: 200, Response: One(schema.ChatAgentResponse), Example: exampleChatAgent},
	{ID: "deleteChatAgent", Method: del, Path: "/delete-chat-agent/{agent_id}", Tag: tagChatAgents, Summary: "Delete a chat agent and all its versions.",
		Missing: old, Params: with(agentID), Status: 204},
	{ID: "getChatAgentVersions", Method: get, Path: "/get-chat-agent-versions/{agent_id}", Tag: tagChatAgents, Summary: "Get every version of a chat agent, in ascending order.",
		Missing: newer, Params: with(agentID), Status: 200, Response: ArrayOf(schema.ChatAgentResponse), Example: []any{exampleChatAgent}},

	// Retell LLMs.
	{ID: "createRetellLLM", Method: post, Path: "/create-retell-llm", Tag: tagLLMs, Summary: "Create a Retell LLM; its version 0 is a draft.",
		Body: &Body{Object: schema.RetellLLM, Required: true, Create: true}, Status: 201, Response: One(schema.RetellLLMResponse), Example: exampleLLM},
	{ID: "getRetellLLM", Method: get, Path: "/get-retell-llm/{llm_id}", Tag: tagLLMs, Summary: "Get one version of a Retell LLM.",
		Missing: old, Params: with(llmID, engineVersion("A version number; absent means the latest version.")),
		Status: 200, Response: One(schema.RetellLLMResponse), Example: exampleLLM},
	{ID: "updateRetellLLM", Method: patch, Path: "/update-retell-llm/{llm_id}", Tag: tagLLMs,
		Summary: "Change fields of a draft version; null clears a nullable field. Published versions never change.",
		Missing: old, Params: with(llmID, engineVersion("The draft to change; absent means the latest draft.")),
		Body: &Body{Object: schema.RetellLLM, Required: true}, Errors: []int{http.StatusPreconditionFailed},
		Status: 200, Response: One(schema.RetellLLMResponse), Example: exampleLLM},
	{ID: "listRetellLLMs", Method: get, Path: "/v2/list-retell-llms", Tag: tagLLMs, Summary: "List Retell LLMs, each as its latest version.",
		Params: paging, Status: 200, Response: PageOf("RetellLLMListResponse", schema.RetellLLMResponse),
		Example: map[string]any{"has_more": false, "items": []any{exampleLLM}}},
	{ID: "deleteRetellLLM", Method: del, Path: "/delete-retell-llm/{llm_id}", Tag: tagLLMs,
		Summary: "Delete a Retell LLM and all its versions; refused while an agent version uses it, unless force_delete is true.",
		Missing: old, Params: with(llmID, forceDelete), Status: 204},

	// Conversation flows.
	{ID: "createConversationFlow", Method: post, Path: "/create-conversation-flow", Tag: tagFlows, Summary: "Create a conversation flow; its version 0 is a draft.",
		Body:   &Body{Object: schema.ConversationFlow, Required: true, Create: true},
		Status: 201, Response: One(schema.ConversationFlowResponse), Example: exampleFlow},
	{ID: "getConversationFlow", Method: get, Path: "/get-conversation-flow/{conversation_flow_id}", Tag: tagFlows, Summary: "Get one version of a conversation flow.",
		Missing: newer, Params: with(flowID, engineVersion("A version number; absent means the latest version.")),
		Status: 200, Response: One(schema.ConversationFlowResponse), Example: exampleFlow},
	{ID: "updateConversationFlow", Method: patch, Path: "/update-conversation-flow/{conversation_flow_id}", Tag: tagFlows,
		Summary: "Change fields of a draft version; null clears a nullable field. Published versions never change.",
		Missing: old, Params: with(flowID, engineVersion("The draft to change; absent means the latest draft.")),
		Body: &Body{Object: schema.ConversationFlow, Required: true}, Errors: []int{http.StatusPreconditionFailed},
		Status: 200, Response: One(schema.ConversationFlowResponse), Example: exampleFlow},
	{ID: "listConversationFlows", Method: get, Path: "/v2/list-conversation-flows", Tag: tagFlows, Summary: "List conversation flows, each as its latest version.",
		Params: paging, Status: 200, Response: PageOf("ConversationFlowListResponse", schema.ConversationFlowResponse),
		Example: map[string]any{"has_more": false, "items": []any{exampleFlow}}},
	{ID: "deleteConversationFlow", Method: del, Path: "/delete-conversation-flow/{conversation_flow_id}", Tag: tagFlows,
		Summary: "Delete a conversation flow and all its versions; refused while an agent version uses it, unless force_delete is true.",
		Missing: newer, Params: with(flowID, forceDelete), Status: 204},

	// retell-sdk 4.x: paths that 5.x replaced, served with the shapes 4.x
	// expects (docs/API.md, "Retell SDK 4.x").
	{ID: "listAgentsLegacy", Method: get, Path: "/list-agents", Tag: tagLegacy, Deprecated: true,
		Summary: "Every version of every voice agent, as one array (4.x; use POST /v2/list-agents).",
		Params:  legacyPaging, Status: 200, Response: ArrayOf(schema.AgentResponse), Example: []any{exampleAgent}},
	{ID: "listChatAgentsLegacy", Method: get, Path: "/list-chat-agents", Tag: tagLegacy, Deprecated: true,
		Summary: "Every version of every chat agent, as one array (4.x; use POST /v2/list-agents).",
		Params:  legacyPaging, Status: 200, Response: ArrayOf(schema.ChatAgentResponse), Example: []any{exampleChatAgent}},
	{ID: "listRetellLLMsLegacy", Method: get, Path: "/list-retell-llms", Tag: tagLegacy, Deprecated: true,
		Summary: "Every version of every Retell LLM, as one array (4.x; use GET /v2/list-retell-llms).",
		Params:  legacyPaging, Status: 200, Response: ArrayOf(schema.RetellLLMResponse), Example: []any{exampleLLM}},
	{ID: "listConversationFlowsLegacy", Method: get, Path: "/list-conversation-flows", Tag: tagLegacy, Deprecated: true,
		Summary: "Every version of every conversation flow, as one array (4.x; use GET /v2/list-conversation-flows).",
		Params:  legacyPaging, Status: 200, Response: ArrayOf(schema.ConversationFlowResponse), Example: []any{exampleFlow}},
	{ID: "publishAgent", Method: post, Path: "/publish-agent/{agent_id}", Tag: tagLegacy, Deprecated: true,
		Summary: "Publish the latest version of a voice agent and copy it into a new draft (4.x; use publish-agent-version).",
		Missing: old, Params: with(agentID), Status: 200},
	{ID: "publishChatAgent", Method: post, Path: "/publish-chat-agent/{agent_id}", Tag: tagLegacy, Deprecated: true,
		Summary: "Publish the latest version of a chat agent and copy it into a new draft (4.x; use publish-agent-version).",
		Missing: old, Params: with(agentID), Status: 200},

	// The server itself.
	{ID: "healthz", Method: get, Path: "/healthz", Tag: tagServer, Summary: "Say whether the server is up.", Public: true,
		Status: 200, Response: Literal(statusSchema("ok")), Example: map[string]any{"status": "ok"}},
	{ID: "readyz", Method: get, Path: "/readyz", Tag: tagServer, Summary: "Say whether the server can serve requests: its database answers.", Public: true,
		Errors: []int{http.StatusServiceUnavailable}, Status: 200, Response: Literal(statusSchema("ready")), Example: map[string]any{"status": "ready"}},
	{ID: "getOpenAPI", Method: get, Path: "/openapi.json", Tag: tagServer, Summary: "This document.",
		Status: 200, Response: Literal(map[string]any{"type": "object"}), Example: map[string]any{"openapi": "3.0.3"}},
}

// statusSchema is the schema of {"status": value}.
func statusSchema(value string) map[string]any {
	return map[string]any{"type": "object", "required": []any{"status"},
		"properties": map[string]any{"status": map[string]any{"type": "string", "enum": []any{value}}}}
}
