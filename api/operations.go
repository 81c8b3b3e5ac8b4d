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
		Missing: newer, Params: with(agentID, paging, versionFilters),
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

	// Phone numbers (issue 10): Retell's six operations, as the reference and
	// the SDK define them. A missing number is 422 on all of them; an agent,
	// version or tag a binding names that does not exist is 422 as well.
	{ID: "createPhoneNumber", Method: post, Path: "/create-phone-number", Tag: tagPhones, Summary: "Buy a number (agentry invents one) and bind agents.",
		Body: &Body{Object: schema.CreatePhoneNumber, Required: true}, Errors: []int{old},
		Status: 201, Response: One(schema.PhoneNumberResponse), Example: examplePhone},
	{ID: "importPhoneNumber", Method: post, Path: "/import-phone-number", Tag: tagPhones, Summary: "Import a number of your own telephony and bind agents.",
		Body: &Body{Object: schema.ImportPhoneNumber, Required: true}, Errors: []int{old},
		Status: 201, Response: One(schema.PhoneNumberResponse), Example: examplePhone},
	{ID: "getPhoneNumber", Method: get, Path: "/get-phone-number/{phone_number}", Tag: tagPhones, Summary: "Get a phone number.",
		Missing: old, Params: with(phoneNumber), Status: 200, Response: One(schema.PhoneNumberResponse), Example: examplePhone},
	{ID: "updatePhoneNumber", Method: patch, Path: "/update-phone-number/{phone_number}", Tag: tagPhones, Summary: "Change a number's bindings and fields; null clears a nullable field.",
		Missing: old, Params: with(phoneNumber), Body: &Body{Object: schema.UpdatePhoneNumber, Required: true},
		Status: 200, Response: One(schema.PhoneNumberResponse), Example: examplePhone},
	{ID: "listPhoneNumbers", Method: get, Path: "/v2/list-phone-numbers", Tag: tagPhones, Summary: "List phone numbers.",
		Params: paging, Status: 200, Response: PageOf("PhoneNumberListResponse", schema.PhoneNumberResponse),
		Example: map[string]any{"has_more": false, "items": []any{examplePhone}}},
	{ID: "deletePhoneNumber", Method: del, Path: "/delete-phone-number/{phone_number}", Tag: tagPhones, Summary: "Delete a phone number.",
		Missing: old, Params: with(phoneNumber), Status: 204},

	// agentry's routing extensions (issue 10, DESIGN §6): tags, resolve and
	// routing modes. A missing agent, tag or number is 404.
	{ID: "listAgentTags", Method: get, Path: "/agentry/v1/agents/{agent_id}/tags", Tag: tagAgentry, Summary: "Get every tag of an agent.",
		Missing: newer, Params: with(agentID), Status: 200, Response: One(schema.TagList), Example: map[string]any{"tags": map[string]any{"prod": exampleTag}}},
	{ID: "getAgentTag", Method: get, Path: "/agentry/v1/agents/{agent_id}/tags/{tag}", Tag: tagAgentry, Summary: "Get one tag, with its ETag.",
		Missing: newer, Params: with(agentID, tagParam), Status: 200, Response: One(schema.TagState), Example: exampleTag},
	{ID: "putAgentTag", Method: http.MethodPut, Path: "/agentry/v1/agents/{agent_id}/tags/{tag}", Tag: tagAgentry,
		Summary: "Create, move or unassign a tag; every change is a history entry. If-Match: the tag's ETag.",
		Missing: newer, Params: with(agentID, tagParam), Body: &Body{Object: schema.PutTag, Required: true},
		Errors: []int{http.StatusPreconditionFailed, old}, Status: 200, Response: One(schema.TagState), Example: exampleTag},
	{ID: "deleteAgentTag", Method: del, Path: "/agentry/v1/agents/{agent_id}/tags/{tag}", Tag: tagAgentry,
		Summary: "Delete a tag (its history stays); refused while a phone number binds it.",
		Missing: newer, Params: with(agentID, tagParam, reasonParam), Errors: []int{http.StatusPreconditionFailed}, Status: 204},
	{ID: "listAgentTagHistory", Method: get, Path: "/agentry/v1/agents/{agent_id}/tags/{tag}/history", Tag: tagAgentry,
		Summary: "List a tag's history, newest first.", Missing: newer, Params: with(agentID, tagParam, paging),
		Status: 200, Response: PageOf("AgentryTagHistory", schema.TagHistoryEntry), Example: exampleTagHistory},
	{ID: "revertAgentTag", Method: post, Path: "/agentry/v1/agents/{agent_id}/tags/{tag}/revert", Tag: tagAgentry,
		Summary: "Give a tag back its state from before a history entry, as a new entry.",
		Missing: newer, Params: with(agentID, tagParam), Body: &Body{Object: schema.RevertTag, Required: true},
		Errors: []int{http.StatusPreconditionFailed, old}, Status: 200, Response: One(schema.TagState), Example: exampleTag},
	{ID: "resolve", Method: post, Path: "/agentry/v1/resolve", Tag: tagAgentry,
		Summary: "Say what would serve a call now: for a phone number and direction, or for an agent and a version reference.",
		Missing: newer, Body: &Body{Object: schema.Resolve, Required: true},
		Status: 200, Response: One(schema.Resolution), Example: exampleResolution},
	{ID: "getRoutingMode", Method: get, Path: "/agentry/v1/phone-numbers/{phone_number}/routing", Tag: tagAgentry,
		Summary: "Get how a number picks among its agents.", Missing: newer, Params: with(phoneNumber),
		Status: 200, Response: One(schema.RoutingMode), Example: exampleRoutingMode},
	{ID: "putRoutingMode", Method: http.MethodPut, Path: "/agentry/v1/phone-numbers/{phone_number}/routing", Tag: tagAgentry,
		Summary: "Set how a number picks among its agents: random (the default) or sticky.", Missing: newer, Params: with(phoneNumber),
		Body: &Body{Object: schema.RoutingModeRequest, Required: true}, Status: 200, Response: One(schema.RoutingMode), Example: exampleRoutingMode},

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
