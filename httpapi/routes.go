package httpapi

import (
	"fmt"
	"net/http"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/api"
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

		// retell-sdk 4.x's paths that 5.x replaced.
		"listAgentsLegacy":            s.listAllVersions(agentry.VoiceAgent),
		"listChatAgentsLegacy":        s.listAllVersions(agentry.ChatAgent),
		"listRetellLLMsLegacy":        s.listAllVersions(agentry.RetellLLM),
		"listConversationFlowsLegacy": s.listAllVersions(agentry.ConversationFlow),
		"publishAgent":                s.publishLatest(agentry.VoiceAgent),
		"publishChatAgent":            s.publishLatest(agentry.ChatAgent),

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
