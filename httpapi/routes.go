package httpapi

import (
	"fmt"
	"net/http"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/api"
	"github.com/agentry/agentry/console"
)

// handler serves one operation; an error it returns becomes the error
// answer.
type handler func(http.ResponseWriter, *http.Request) error

// handlers binds a handler to each operation of api.Operations by its ID.
// The table says what each operation is; this says who serves it.
func (s *Server) handlers() map[string]handler {
	return map[string]handler{
		"createAgent": s.create(agentry.VoiceAgent),
		"getAgent":    s.getAgent(agentry.VoiceAgent),
		"updateAgent": s.update(agentry.VoiceAgent, agentVersion),
		"listAgents":  s.listAgents,
		"deleteAgent": s.delete(agentry.VoiceAgent),

		"createAgentVersion":  s.createAgentVersion,
		"deleteAgentVersion":  s.deleteAgentVersion,
		"getAgentVersions":    s.getAgentVersions(agentry.VoiceAgent),
		"listAgentVersions":   s.listAgentVersions,
		"publishAgentVersion": s.publishAgentVersion,

		"createChatAgent":      s.create(agentry.ChatAgent),
		"getChatAgent":         s.getAgent(agentry.ChatAgent),
		"updateChatAgent":      s.update(agentry.ChatAgent, agentVersion),
		"deleteChatAgent":      s.delete(agentry.ChatAgent),
		"getChatAgentVersions": s.getAgentVersions(agentry.ChatAgent),

		"createRetellLLM": s.create(agentry.RetellLLM),
		"getRetellLLM":    s.getEngine(agentry.RetellLLM),
		"updateRetellLLM": s.update(agentry.RetellLLM, engineVersion),
		"listRetellLLMs":  s.listEngines(agentry.RetellLLM),
		"deleteRetellLLM": s.delete(agentry.RetellLLM),

		"createConversationFlow": s.create(agentry.ConversationFlow),
		"getConversationFlow":    s.getEngine(agentry.ConversationFlow),
		"updateConversationFlow": s.update(agentry.ConversationFlow, engineVersion),
		"listConversationFlows":  s.listEngines(agentry.ConversationFlow),
		"deleteConversationFlow": s.delete(agentry.ConversationFlow),

		"createTestCaseDefinition": s.createTestCaseDefinition,
		"getTestCaseDefinition":    s.getTestCaseDefinition,
		"updateTestCaseDefinition": s.updateTestCaseDefinition,
		"deleteTestCaseDefinition": s.deleteTestCaseDefinition,
		"listTestCaseDefinitions":  s.listTestCaseDefinitions,
		"createBatchTest":          s.createBatchTest,
		"getBatchTest":             s.getBatchTest,
		"listBatchTests":           s.listBatchTests,
		"getTestRun":               s.getTestRun,
		"listTestRuns":             s.listTestRuns,
		"createApp":                s.createApp,
		"getApp":                   s.getApp,
		"updateApp":                s.updateApp,
		"deleteApp":                s.deleteApp,
		"listApps":                 s.listApps,
		"listAppUsages":            s.listAppUsages,
		"testAppAuth":              s.testAppAuth,
		"getAppToolSchema":         s.getAppToolSchema,
		"getMCPTools":              s.getMCPTools,
		// The console's files (package console); public, like the page that asks
		// for the key.
		"getConsole": console.Serve,
		// agentry's change history: diff, audit log, webhooks.
		"getAgentDiff":                         s.getAgentDiff,
		"listAuditEntries":                     s.listAuditEntries,
		"createWebhook":                        s.createWebhook,
		"listWebhooks":                         s.listWebhooks,
		"getWebhook":                           s.getWebhook,
		"updateWebhook":                        s.updateWebhook,
		"deleteWebhook":                        s.deleteWebhook,
		"listWebhookDeliveries":                s.listWebhookDeliveries,
		"retryWebhookDelivery":                 s.retryWebhookDelivery,
		"createKnowledgeBase":                  s.createKnowledgeBase,
		"getKnowledgeBase":                     s.getKnowledgeBase,
		"listKnowledgeBases":                   s.listKnowledgeBases,
		"deleteKnowledgeBase":                  s.deleteKnowledgeBase,
		"addKnowledgeBaseSources":              s.addKnowledgeBaseSources,
		"deleteKnowledgeBaseSource":            s.deleteKnowledgeBaseSource,
		"createConversationFlowComponent":      s.createComponent,
		"getConversationFlowComponent":         s.getComponent,
		"updateConversationFlowComponent":      s.updateComponent,
		"listConversationFlowComponents":       s.listComponents,
		"deleteConversationFlowComponent":      s.deleteComponent,
		"listVoices":                           s.listVoices,
		"getVoice":                             s.getVoice,
		"cloneVoice":                           s.cloneVoice,
		"addCommunityVoice":                    s.addCommunityVoice,
		"searchCommunityVoice":                 s.searchCommunityVoice,
		"createAsset":                          s.createAsset,
		"repairAgent":                          s.repairAgent,
		"getConcurrency":                       s.getConcurrency,
		"getApiKeyInfo":                        s.getAPIKeyInfo,
		"getKnowledgeBaseSourceContent":        s.getKnowledgeBaseSourceContent,
		"getAssetContent":                      s.getAssetContent,
		"getConversationFlowVersionComponents": s.getFlowVersionComponents,
		// Phone numbers and agentry's routing extensions (issue 10).
		"createPhoneNumber":   s.createPhoneNumber,
		"importPhoneNumber":   s.importPhoneNumber,
		"getPhoneNumber":      s.getPhoneNumber,
		"updatePhoneNumber":   s.updatePhoneNumber,
		"listPhoneNumbers":    s.listPhoneNumbers,
		"deletePhoneNumber":   s.deletePhoneNumber,
		"listAgentTags":       s.listAgentTags,
		"getAgentTag":         s.getAgentTag,
		"putAgentTag":         s.putAgentTag,
		"deleteAgentTag":      s.deleteAgentTag,
		"listAgentTagHistory": s.listAgentTagHistory,
		"revertAgentTag":      s.revertAgentTag,
		"resolve":             s.resolve,
		"getRoutingMode":      s.getRoutingMode,
		"putRoutingMode":      s.putRoutingMode,
		// retell-sdk 4.x's paths that 5.x replaced.
		"listAgentsLegacy":            s.listAllVersions(agentry.VoiceAgent),
		"listChatAgentsLegacy":        s.listAllVersions(agentry.ChatAgent),
		"listRetellLLMsLegacy":        s.listAllVersions(agentry.RetellLLM),
		"listConversationFlowsLegacy": s.listAllVersions(agentry.ConversationFlow),
		"publishAgent":                s.publishLatest(agentry.VoiceAgent),
		"publishChatAgent":            s.publishLatest(agentry.ChatAgent),
		// retell-sdk 4.x's unpaged lists of the objects versions point at.
		"listPhoneNumbersLegacy":               s.listAllPhones,
		"listConversationFlowComponentsLegacy": s.listAllComponents,

		"healthz":    s.healthz,
		"readyz":     s.readyz,
		"getOpenAPI": s.openapi,
	}
}

// bind pairs each operation with its handler. It fails when an operation
// has no handler or a handler no operation, so the table and the code
// cannot drift apart.
func bind(ops []api.Operation, hs map[string]handler) (map[*api.Operation]handler, error) {
	out := make(map[*api.Operation]handler, len(ops))
	for i := range ops {
		h, ok := hs[ops[i].ID]
		if !ok {
			return nil, fmt.Errorf("httpapi: operation %s (%s %s) has no handler", ops[i].ID, ops[i].Method, ops[i].Path)
		}
		out[&ops[i]] = h
	}
	if len(out) != len(hs) {
		for id := range hs {
			found := false
			for i := range ops {
				found = found || ops[i].ID == id
			}
			if !found {
				return nil, fmt.Errorf("httpapi: handler %s serves no operation of the table", id)
			}
		}
	}
	return out, nil
}
