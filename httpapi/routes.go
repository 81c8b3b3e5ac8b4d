package httpapi

import "net/http"

// route is one endpoint. missing is the status this endpoint answers for an
// agent, engine or version that does not exist: Retell's older endpoints
// document 422 and no 404; the version endpoints and the get and delete of a
// conversation flow document 404.
type route struct {
	method, path string
	public       bool
	missing      int
	handle       func(http.ResponseWriter, *http.Request) error
}

// routes is the whole API on one screen.
func (s *Server) routes() []route {
	const old, newer = http.StatusUnprocessableEntity, http.StatusNotFound
	return []route{
		{method: "GET", path: "/healthz", public: true, handle: s.healthz},
		{method: "GET", path: "/readyz", public: true, handle: s.readyz},
		{method: "GET", path: "/openapi.json", handle: s.openapi},

		{method: "POST", path: "/create-agent", missing: old, handle: s.createAgent(voiceAgents)},
		{method: "GET", path: "/get-agent/{agent_id}", missing: old, handle: s.getAgent(voiceAgents)},
		{method: "PATCH", path: "/update-agent/{agent_id}", missing: old, handle: s.updateAgent(voiceAgents)},
		{method: "DELETE", path: "/delete-agent/{agent_id}", missing: old, handle: s.deleteAgent(voiceAgents)},
		{method: "POST", path: "/v2/list-agents", missing: old, handle: s.listAgents},

		{method: "POST", path: "/create-agent-version/{agent_id}", missing: newer, handle: s.createAgentVersion},
		{method: "POST", path: "/publish-agent-version/{agent_id}", missing: newer, handle: s.publishAgentVersion},
		{method: "DELETE", path: "/delete-agent-version/{agent_id}", missing: newer, handle: s.deleteAgentVersion},
		{method: "GET", path: "/get-agent-versions/{agent_id}", missing: newer, handle: s.getAgentVersions(voiceAgents)},
		{method: "GET", path: "/list-agent-versions/{agent_id}", missing: newer, handle: s.listAgentVersions},

		{method: "POST", path: "/create-chat-agent", missing: old, handle: s.createAgent(chatAgents)},
		{method: "GET", path: "/get-chat-agent/{agent_id}", missing: old, handle: s.getAgent(chatAgents)},
		{method: "PATCH", path: "/update-chat-agent/{agent_id}", missing: old, handle: s.updateAgent(chatAgents)},
		{method: "DELETE", path: "/delete-chat-agent/{agent_id}", missing: old, handle: s.deleteAgent(chatAgents)},
		{method: "GET", path: "/get-chat-agent-versions/{agent_id}", missing: newer, handle: s.getAgentVersions(chatAgents)},

		{method: "POST", path: "/create-retell-llm", missing: old, handle: s.createEngine(retellLLM)},
		{method: "GET", path: "/get-retell-llm/{llm_id}", missing: old, handle: s.getEngine(retellLLM)},
		{method: "PATCH", path: "/update-retell-llm/{llm_id}", missing: old, handle: s.updateEngine(retellLLM)},
		{method: "GET", path: "/v2/list-retell-llms", missing: old, handle: s.listEngines(retellLLM)},
		{method: "DELETE", path: "/delete-retell-llm/{llm_id}", missing: old, handle: s.deleteEngine(retellLLM)},

		{method: "POST", path: "/create-conversation-flow", missing: old, handle: s.createEngine(conversationFlow)},
		{method: "GET", path: "/get-conversation-flow/{conversation_flow_id}", missing: newer, handle: s.getEngine(conversationFlow)},
		{method: "PATCH", path: "/update-conversation-flow/{conversation_flow_id}", missing: old, handle: s.updateEngine(conversationFlow)},
		{method: "GET", path: "/v2/list-conversation-flows", missing: old, handle: s.listEngines(conversationFlow)},
		{method: "DELETE", path: "/delete-conversation-flow/{conversation_flow_id}", missing: newer, handle: s.deleteEngine(conversationFlow)},
	}
}
