package httpapi

import "net/http"

// route is one endpoint. missing is the status this endpoint answers for an
// agent or version that does not exist: Retell's older endpoints document 422
// and no 404; the version endpoints document 404.
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

		{method: "POST", path: "/create-agent", missing: old, handle: s.createAgent},
		{method: "GET", path: "/get-agent/{agent_id}", missing: old, handle: s.getAgent},
		{method: "PATCH", path: "/update-agent/{agent_id}", missing: old, handle: s.updateAgent},
		{method: "DELETE", path: "/delete-agent/{agent_id}", missing: old, handle: s.deleteAgent},
		{method: "POST", path: "/v2/list-agents", missing: old, handle: s.listAgents},

		{method: "POST", path: "/create-agent-version/{agent_id}", missing: newer, handle: s.createAgentVersion},
		{method: "POST", path: "/publish-agent-version/{agent_id}", missing: newer, handle: s.publishAgentVersion},
		{method: "DELETE", path: "/delete-agent-version/{agent_id}", missing: newer, handle: s.deleteAgentVersion},
		{method: "GET", path: "/get-agent-versions/{agent_id}", missing: newer, handle: s.getAgentVersions},
		{method: "GET", path: "/list-agent-versions/{agent_id}", missing: newer, handle: s.listAgentVersions},
	}
}
