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
	tagConsole    = "Console"
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

	// Tests: test case definitions, batch tests and their runs; apps; MCP tools.
	{ID: "createTestCaseDefinition", Method: post, Path: "/create-test-case-definition", Tag: tagTests,
		Summary: "Create a test case definition for a Retell LLM or a conversation flow.",
		Body:    &Body{Object: schema.TestCaseDefinitionInput, Required: true, Create: true}, Errors: []int{old},
		Status: 201, Response: One(schema.TestCaseDefinitionResponse), Example: exampleTestCase},
	{ID: "getTestCaseDefinition", Method: get, Path: "/get-test-case-definition/{test_case_definition_id}", Tag: tagTests,
		Summary: "Get a test case definition.", Missing: newer, Params: with(testCaseID),
		Status: 200, Response: One(schema.TestCaseDefinitionResponse), Example: exampleTestCase},
	{ID: "updateTestCaseDefinition", Method: http.MethodPut, Path: "/update-test-case-definition/{test_case_definition_id}", Tag: tagTests,
		Summary: "Change the fields of a test case definition that the body sends.", Missing: newer, Params: with(testCaseID),
		Body: &Body{Object: schema.TestCaseDefinitionInput, Required: true}, Errors: []int{old},
		Status: 200, Response: One(schema.TestCaseDefinitionResponse), Example: exampleTestCase},
	{ID: "deleteTestCaseDefinition", Method: del, Path: "/delete-test-case-definition/{test_case_definition_id}", Tag: tagTests,
		Summary: "Delete a test case definition; the runs that ran it keep their snapshots.", Missing: newer, Params: with(testCaseID), Status: 204},
	{ID: "listTestCaseDefinitions", Method: get, Path: "/v2/list-test-case-definitions", Tag: tagTests,
		Summary: "List the test case definitions of one engine, by creation.", Params: with(engineFilter, paging),
		Status: 200, Response: PageOf("TestCaseDefinitionListResponse", schema.TestCaseDefinitionResponse),
		Example: map[string]any{"has_more": false, "items": []any{exampleTestCase}}},
	{ID: "createBatchTest", Method: post, Path: "/create-batch-test", Tag: tagTests,
		Summary: "Run test case definitions against an engine version; the runs execute in the background through the test runner.",
		Body:    &Body{Object: schema.CreateBatchTest, Required: true}, Errors: []int{old},
		Status: 201, Response: One(schema.TestCaseBatchJob), Example: exampleBatch},
	{ID: "getBatchTest", Method: get, Path: "/get-batch-test/{test_case_batch_job_id}", Tag: tagTests,
		Summary: "Get a batch test: in_progress until every run has finished, then complete.", Missing: newer, Params: with(batchID),
		Status: 200, Response: One(schema.TestCaseBatchJob), Example: exampleBatch},
	{ID: "listBatchTests", Method: get, Path: "/v2/list-batch-tests", Tag: tagTests,
		Summary: "List the batch tests of one engine version, by creation.", Params: with(engineFilter, batchVersion, paging),
		Status: 200, Response: PageOf("TestCaseBatchJobListResponse", schema.TestCaseBatchJob),
		Example: map[string]any{"has_more": false, "items": []any{exampleBatch}}},
	{ID: "getTestRun", Method: get, Path: "/get-test-run/{test_case_job_id}", Tag: tagTests,
		Summary: "Get one run of a batch test.", Missing: newer, Params: with(testRunID),
		Status: 200, Response: One(schema.TestCaseJob), Example: exampleRun},
	{ID: "listTestRuns", Method: get, Path: "/v2/list-test-runs/{test_case_batch_job_id}", Tag: tagTests,
		Summary: "List the runs of a batch test, in the order of its test_case_definition_ids.", Missing: newer, Params: with(batchID, runPaging),
		Status: 200, Response: PageOf("TestCaseJobListResponse", schema.TestCaseJob),
		Example: map[string]any{"has_more": false, "items": []any{exampleRun}}},

	{ID: "createApp", Method: post, Path: "/create-app", Tag: tagApps,
		Summary: "Create an app: the connection app tools run against. Secrets are accepted and never stored.",
		Body:    &Body{Object: schema.CreateApp, Required: true}, Status: 201, Response: One(schema.AppResponse), Example: exampleApp},
	{ID: "getApp", Method: get, Path: "/get-app/{app_id}", Tag: tagApps, Summary: "Get an app.", Missing: newer, Params: with(appID),
		Status: 200, Response: One(schema.AppResponse), Example: exampleApp},
	{ID: "updateApp", Method: patch, Path: "/update-app/{app_id}", Tag: tagApps,
		Summary: "Change the fields of an app that the body sends; new credentials or tenant metadata make it not_connected.",
		Missing: newer, Params: with(appID), Body: &Body{Object: schema.UpdateApp, Required: true},
		Status: 200, Response: One(schema.AppResponse), Example: exampleApp},
	{ID: "deleteApp", Method: del, Path: "/delete-app/{app_id}", Tag: tagApps,
		Summary: "Delete an app; refused while app tools use it, unless force_delete is true.", Missing: newer,
		Params: with(appID, appForceDelete), Status: 204},
	{ID: "listApps", Method: get, Path: "/list-apps", Tag: tagApps, Summary: "List the workspace's apps, by creation.", Params: paging,
		Status: 200, Response: PageOf("AppListResponse", schema.AppResponse), Example: map[string]any{"has_more": false, "items": []any{exampleApp}}},
	{ID: "listAppUsages", Method: get, Path: "/list-app-usages/{app_id}", Tag: tagApps,
		Summary: "List the agents whose app tools use an app, most recently configured first.", Missing: newer, Params: with(appID, paging),
		Status: 200, Response: One(schema.AppUsagePage), Example: exampleAppUsages},
	{ID: "testAppAuth", Method: post, Path: "/test-app-auth/{app_id}", Tag: tagApps,
		Summary: "Say whether the app holds credentials, and record it as its connection_status; no provider is called.",
		Missing: newer, Params: with(appID), Status: 200, Response: Literal(successSchema), Example: map[string]any{"success": true}},
	{ID: "getAppToolSchema", Method: post, Path: "/get-app-tool-schema/{app_id}", Tag: tagApps,
		Summary: "One round of an app tool template's input schema, replayed from the app tools configured for it.",
		Missing: newer, Params: with(appID), Body: &Body{Object: schema.GetAppToolSchema, Required: true},
		Status: 200, Response: One(schema.AppToolSchemaResponse), Example: exampleToolSchema},

	{ID: "getMCPTools", Method: get, Path: "/get-mcp-tools/{agent_id}", Tag: tagMCP,
		Summary: "Ask an MCP server of an agent version's configuration for its tools.",
		Missing: old, Params: with(agentID, versionRef, mcpParams),
		Status: 200, Response: ArrayOf(schema.MCPToolDefinition), Example: exampleMCPTools},
	// The console: the web UI's files, embedded in the binary (package console).
	// Not an API operation, so not in the document; GET /console redirects here.
	{ID: "getConsole", Method: get, Path: "/console/", Tag: tagConsole, Summary: "The web console: its page and its assets.",
		Public: true, Undocumented: true, Status: 200},
	// agentry's change history (DESIGN.md §6): the diff of two versions, the
	// audit log, webhooks and their deliveries.
	{ID: "getAgentDiff", Method: get, Path: "/agentry/v1/agents/{agent_id}/diff", Tag: tagAgentry,
		Summary: "Compare two versions of an agent (voice or chat), the pinned engines' configurations included.",
		Missing: newer, Params: with(agentID, diffRef("from", "The old side; absent, latest_published."), diffRef("to", "The new side; absent, latest.")),
		Status: 200, Response: One(schema.DiffResponse), Example: exampleDiff},
	{ID: "listAuditEntries", Method: get, Path: "/agentry/v1/audit", Tag: tagAgentry, Summary: "List the workspace's audit log, newest first.",
		Params: with(auditFilters, paging), Status: 200, Response: PageOf("AuditListResponse", schema.AuditEntry),
		Example: map[string]any{"has_more": false, "items": []any{exampleAuditEntry}}},
	{ID: "createWebhook", Method: post, Path: "/agentry/v1/webhooks", Tag: tagAgentry, Summary: "Create a webhook; the answer shows its secret, once.",
		Body: &Body{Object: schema.CreateWebhook, Required: true}, Status: 201, Response: One(schema.WebhookCreated), Example: exampleWebhookCreated},
	{ID: "listWebhooks", Method: get, Path: "/agentry/v1/webhooks", Tag: tagAgentry, Summary: "List the workspace's webhooks, without secrets.",
		Params: paging, Status: 200, Response: PageOf("WebhookListResponse", schema.WebhookResponse),
		Example: map[string]any{"has_more": false, "items": []any{exampleWebhook}}},
	{ID: "getWebhook", Method: get, Path: "/agentry/v1/webhooks/{webhook_id}", Tag: tagAgentry, Summary: "Get a webhook, without its secret.",
		Missing: newer, Params: with(webhookID), Status: 200, Response: One(schema.WebhookResponse), Example: exampleWebhook},
	{ID: "updateWebhook", Method: patch, Path: "/agentry/v1/webhooks/{webhook_id}", Tag: tagAgentry,
		Summary: "Change a webhook's url, events, description or enabled flag, or rotate its secret.",
		Missing: newer, Params: with(webhookID), Body: &Body{Object: schema.UpdateWebhook, Required: true},
		Status: 200, Response: One(schema.WebhookResponse), Example: exampleWebhook},
	{ID: "deleteWebhook", Method: del, Path: "/agentry/v1/webhooks/{webhook_id}", Tag: tagAgentry,
		Summary: "Delete a webhook and its deliveries, pending ones included.", Missing: newer, Params: with(webhookID), Status: 204},
	{ID: "listWebhookDeliveries", Method: get, Path: "/agentry/v1/webhooks/{webhook_id}/deliveries", Tag: tagAgentry,
		Summary: "List a webhook's deliveries with their attempts, newest first.", Missing: newer, Params: with(webhookID, deliveryState, paging),
		Status: 200, Response: PageOf("WebhookDeliveryListResponse", schema.WebhookDelivery),
		Example: map[string]any{"has_more": false, "items": []any{exampleDelivery}}},
	{ID: "retryWebhookDelivery", Method: post, Path: "/agentry/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", Tag: tagAgentry,
		Summary: "Queue a delivery again, due now, with a fresh retry window.", Missing: newer, Params: with(webhookID, deliveryID),
		Status: 200, Response: One(schema.WebhookDelivery), Example: exampleDelivery},
	// The objects versions point at: knowledge bases, shared flow components,
	// voices, assets; repair-agent; the account answers; and agentry's own
	// reads of the content the answers point at.
	{ID: "createKnowledgeBase", Method: post, Path: "/create-knowledge-base", Tag: tagKnowledgeBases,
		Summary: "Create a knowledge base with its first sources (multipart/form-data); it is in_progress until indexed.",
		Body:    &Body{Object: schema.KnowledgeBaseCreate, Required: true, Multipart: true}, Errors: []int{unsupported},
		Status: 201, Response: One(schema.KnowledgeBaseResponse), Example: exampleKnowledgeBase},
	{ID: "getKnowledgeBase", Method: get, Path: "/get-knowledge-base/{knowledge_base_id}", Tag: tagKnowledgeBases, Summary: "Get a knowledge base.",
		Missing: old, Params: with(knowledgeBaseID), Status: 200, Response: One(schema.KnowledgeBaseResponse), Example: exampleKnowledgeBase},
	{ID: "listKnowledgeBases", Method: get, Path: "/list-knowledge-bases", Tag: tagKnowledgeBases, Summary: "List every knowledge base, newest first.",
		Status: 200, Response: ArrayOf(schema.KnowledgeBaseResponse), Example: []any{exampleKnowledgeBase}},
	{ID: "deleteKnowledgeBase", Method: del, Path: "/delete-knowledge-base/{knowledge_base_id}", Tag: tagKnowledgeBases,
		Summary: "Delete a knowledge base; refused while a version or a shared component uses it.",
		Missing: old, Params: with(knowledgeBaseID), Errors: []int{invalid}, Status: 204},
	{ID: "addKnowledgeBaseSources", Method: post, Path: "/add-knowledge-base-sources/{knowledge_base_id}", Tag: tagKnowledgeBases,
		Summary: "Add sources (multipart/form-data); the knowledge base is refreshing_in_progress until they are indexed.",
		Missing: old, Params: with(knowledgeBaseID), Body: &Body{Object: schema.KnowledgeBaseAddSources, Required: true, Multipart: true},
		Errors: []int{unsupported}, Status: 201, Response: One(schema.KnowledgeBaseResponse), Example: exampleKnowledgeBase},
	{ID: "deleteKnowledgeBaseSource", Method: del, Path: "/delete-knowledge-base-source/{knowledge_base_id}/source/{source_id}", Tag: tagKnowledgeBases,
		Summary: "Delete one source of a knowledge base.", Missing: old, Params: with(knowledgeBaseID, sourceID),
		Status: 200, Response: One(schema.KnowledgeBaseResponse), Example: exampleKnowledgeBase},

	{ID: "createConversationFlowComponent", Method: post, Path: "/create-conversation-flow-component", Tag: tagComponents,
		Summary: "Create a shared conversation flow component.",
		Body:    &Body{Object: schema.ConversationFlowComponent, Required: true, Create: true}, Errors: []int{newer},
		Status: 201, Response: One(schema.ConversationFlowComponentResponse), Example: exampleComponent},
	{ID: "getConversationFlowComponent", Method: get, Path: "/get-conversation-flow-component/{conversation_flow_component_id}", Tag: tagComponents,
		Summary: "Get a shared conversation flow component.", Missing: newer, Params: with(componentID),
		Status: 200, Response: One(schema.ConversationFlowComponentResponse), Example: exampleComponent},
	{ID: "updateConversationFlowComponent", Method: patch, Path: "/update-conversation-flow-component/{conversation_flow_component_id}", Tag: tagComponents,
		Summary: "Change fields of a shared component; the drafts that use it see the change, published versions never do.",
		Missing: newer, Params: with(componentID), Body: &Body{Object: schema.ConversationFlowComponent, Required: true},
		Errors: []int{http.StatusPreconditionFailed}, Status: 200, Response: One(schema.ConversationFlowComponentResponse), Example: exampleComponent},
	{ID: "listConversationFlowComponents", Method: get, Path: "/v2/list-conversation-flow-components", Tag: tagComponents,
		Summary: "List shared conversation flow components.", Params: paging,
		Status: 200, Response: PageOf("ConversationFlowComponentListResponse", schema.ConversationFlowComponentResponse),
		Example: map[string]any{"has_more": false, "items": []any{exampleComponent}}},
	{ID: "deleteConversationFlowComponent", Method: del, Path: "/delete-conversation-flow-component/{conversation_flow_component_id}", Tag: tagComponents,
		Summary: "Delete a shared component after copying it into every draft that uses it as a local component.",
		Missing: newer, Params: with(componentID), Errors: []int{invalid}, Status: 204},

	{ID: "listVoices", Method: get, Path: "/list-voices", Tag: tagVoices, Summary: "List the built-in voices, then the workspace's own.",
		Status: 200, Response: ArrayOf(schema.VoiceResponse), Example: []any{exampleVoice}},
	{ID: "getVoice", Method: get, Path: "/get-voice/{voice_id}", Tag: tagVoices, Summary: "Get a voice.",
		Missing: old, Params: with(voiceID), Status: 200, Response: One(schema.VoiceResponse), Example: exampleVoice},
	{ID: "cloneVoice", Method: post, Path: "/clone-voice", Tag: tagVoices, Summary: "Record a voice cloned from audio samples (multipart/form-data).",
		Body: &Body{Object: schema.CloneVoice, Required: true, Multipart: true}, Errors: []int{unsupported},
		Status: 201, Response: One(schema.VoiceResponse), Example: exampleVoice},
	{ID: "addCommunityVoice", Method: post, Path: "/add-community-voice", Tag: tagVoices, Summary: "Add a provider's community voice to the workspace.",
		Body: &Body{Object: schema.AddCommunityVoice, Required: true}, Status: 200, Response: One(schema.VoiceResponse), Example: exampleVoice},
	{ID: "searchCommunityVoice", Method: post, Path: "/search-community-voice", Tag: tagVoices, Summary: "Search the built-in community voice library.",
		Body: &Body{Object: schema.SearchCommunityVoice, Required: true}, Status: 200, Response: One(schema.SearchCommunityVoiceResponse),
		Example: map[string]any{"voices": []any{map[string]any{"provider_voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel",
			"description": "Calm young American woman for narration and conversation"}}}},

	{ID: "createAsset", Method: post, Path: "/create-asset", Tag: tagAssets, Summary: "Upload an image or audio file (multipart/form-data, at most 10 MiB).",
		Body: &Body{Object: schema.CreateAsset, Required: true, Multipart: true}, Errors: []int{unsupported},
		Status: 201, Response: One(schema.AssetResponse), Example: exampleAsset},

	{ID: "repairAgent", Method: post, Path: "/repair-agent/{agent_id}", Tag: tagRepair,
		Summary: "Remove references to objects that no longer exist from a draft and the draft engine version it pins; a published version is a 409.",
		Missing: old, Params: with(agentID, versionRef), Errors: []int{conflict}, Status: 200, Response: repairAnswer, Example: exampleAgent},

	{ID: "getConcurrency", Method: get, Path: "/get-concurrency", Tag: tagAccount, Summary: "The configured concurrency; agentry places no calls.",
		Status: 200, Response: One(schema.ConcurrencyResponse), Example: exampleConcurrency},
	{ID: "getApiKeyInfo", Method: get, Path: "/get-api-key-info", Tag: tagAccount, Summary: "The calling key's workspace and label.",
		Status: 200, Response: One(schema.APIKeyInfoResponse), Example: map[string]any{"org_id": "ws_5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b", "org_name": "default", "api_key_name": "ci"}},

	{ID: "getKnowledgeBaseSourceContent", Method: get, Path: "/agentry/v1/knowledge-bases/{knowledge_base_id}/sources/{source_id}/content", Tag: tagStored,
		Summary: "The bytes of a document source, or the text of a text source, as stored.", Missing: newer, Params: with(knowledgeBaseID, sourceID),
		Status: 200, Response: Bytes()},
	{ID: "getAssetContent", Method: get, Path: "/agentry/v1/assets/{asset_id}/content", Tag: tagStored,
		Summary: "The bytes of an asset, as uploaded.", Missing: newer, Params: with(assetID), Status: 200, Response: Bytes()},
	{ID: "getConversationFlowVersionComponents", Method: get, Path: "/agentry/v1/conversation-flows/{conversation_flow_id}/components", Tag: tagStored,
		Summary: "The shared components a flow version serves: a published version's as they were when it was published.",
		Missing: newer, Params: with(flowID, engineVersion("A version number; absent means the latest version.")),
		Status: 200, Response: One(schema.FlowVersionComponents),
		Example: map[string]any{"conversation_flow_id": "conversation_flow_9a2b4c6d8e0f", "version": 1, "is_published": true, "components": []any{exampleComponent}}},
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
	{ID: "listPhoneNumbersLegacy", Method: get, Path: "/list-phone-numbers", Tag: tagLegacy, Deprecated: true,
		Summary: "Every phone number of the workspace, as one array, newest first (4.x; use GET /v2/list-phone-numbers).",
		Status:  200, Response: ArrayOf(schema.PhoneNumberResponse), Example: []any{examplePhone}},
	{ID: "listConversationFlowComponentsLegacy", Method: get, Path: "/list-conversation-flow-components", Tag: tagLegacy, Deprecated: true,
		Summary: "Every shared conversation flow component of the workspace, as one array, newest first (4.x; use GET /v2/list-conversation-flow-components).",
		Status:  200, Response: ArrayOf(schema.ConversationFlowComponentResponse), Example: []any{exampleComponent}},

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
