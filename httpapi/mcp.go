package httpapi

import (
	"net/http"

	"github.com/agentry/agentry"
)

// getMCPTools answers with the tools an MCP server of an agent version's
// configuration lists, asked of the server itself.
func (s *Server) getMCPTools(w http.ResponseWriter, r *http.Request) error {
	ref, err := agentVersion(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	req := agentry.MCPToolsRequest{AgentID: r.PathValue("agent_id"), Version: ref, MCPID: q.Get("mcp_id"), ComponentID: q.Get("component_id")}
	if req.MCPID == "" {
		return agentry.Errorf(agentry.EINVALID, "mcp_id: is required (the name of an MCP server in the agent version's configuration)")
	}
	tools, err := s.Service.MCPTools(r.Context(), caller(r), req)
	if err != nil {
		return err
	}
	if tools == nil {
		tools = []agentry.MCPTool{}
	}
	writeJSON(w, http.StatusOK, tools)
	return nil
}
