package agentry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// MCP servers are configured in a response engine's mcps (a Retell LLM's or
// a conversation flow's) or in a conversation flow component's. get-mcp-tools
// finds one in the configuration of an agent version (through the engine
// version it pins) and asks the server itself for its tools, over the MCP
// streamable HTTP transport (the outbound adapter implements MCPClient).
//
// The reference's MCP object has no id field, only a name: an MCP server is
// identified by its name (mcp_id). A local component of a flow is
// identified by its conversation_flow_component_id, its id or its name
// (component_id), the first of these that it has.

// MCPClient lists the tools of an MCP server.
type MCPClient interface {
	// ListTools asks the server for every tool it offers. An error means
	// the server gave no usable answer; its message is shown to the client,
	// so it must hold no secret (no header value, no query string).
	ListTools(ctx context.Context, server MCPServer) ([]MCPTool, error)
}

// MCPServer is an MCP server as a configuration gives it.
type MCPServer struct {
	Name    string            `json:"name"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Query   map[string]string `json:"query_params"`
	// TimeoutMS bounds the whole exchange; 0 means DefaultMCPTimeout.
	TimeoutMS int64 `json:"timeout_ms"`
}

// DefaultMCPTimeout is the reference's default timeout_ms.
const DefaultMCPTimeout = 120 * time.Second

// Timeout is how long the exchange with the server may take.
func (m MCPServer) Timeout() time.Duration {
	if m.TimeoutMS > 0 {
		return time.Duration(m.TimeoutMS) * time.Millisecond
	}
	return DefaultMCPTimeout
}

// MCPTool is one tool an MCP server lists (MCPToolDefinition).
type MCPTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"inputSchema"`
}

// MCPToolsRequest asks for the tools of one MCP server of an agent version.
type MCPToolsRequest struct {
	AgentID string
	Version VersionRef // RefNone: the latest version
	MCPID   string
	// ComponentID, when set, names the flow component whose mcps hold the
	// server.
	ComponentID string
}

// MCPTools finds the MCP server req names in the agent version's
// configuration and returns the tools the server lists.
func (s *Service) MCPTools(ctx context.Context, c Caller, req MCPToolsRequest) ([]MCPTool, error) {
	agent, err := s.Get(ctx, c, Address{Kind: AnyAgent, ID: req.AgentID, Version: req.Version})
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("agent %s version %d", agent.ResourceID, agent.Number)
	if agent.EngineID == "" || agent.EngineVersion == nil {
		return nil, Errorf(ENOTFOUND, "%s has no MCP servers: its response engine is not a Retell LLM or a conversation flow", where)
	}
	kind := RetellLLM
	if strings.HasPrefix(agent.EngineID, ConversationFlow.IDPrefix) {
		kind = ConversationFlow
	}
	engine, err := s.Get(ctx, c, Address{Kind: kind, ID: agent.EngineID, Version: VersionRef{Form: RefNumber, Number: *agent.EngineVersion}})
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(ENOTFOUND, "%s pins %s %s version %d, which no longer exists", where, kind.Noun, agent.EngineID, *agent.EngineVersion)
	} else if err != nil {
		return nil, err
	}
	where = fmt.Sprintf("%s %s version %d (pinned by %s)", kind.Noun, engine.ResourceID, engine.Number, where)
	var doc struct {
		MCPs       []MCPServer                  `json:"mcps"`
		Components []map[string]json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(engine.Config, &doc); err != nil {
		return nil, fmt.Errorf("decode %s: %w", where, err)
	}
	servers := doc.MCPs
	if req.ComponentID != "" {
		comp := findComponent(doc.Components, req.ComponentID)
		if comp == nil {
			return nil, Errorf(ENOTFOUND, "%s has no component %q", where, req.ComponentID)
		}
		servers = nil
		if raw := comp["mcps"]; raw != nil {
			if err := json.Unmarshal(raw, &servers); err != nil {
				return nil, Errorf(EINVALID, "component %q of %s: mcps is not a list of MCP servers", req.ComponentID, where)
			}
		}
		where = fmt.Sprintf("component %q of %s", req.ComponentID, where)
	}
	var server *MCPServer
	var names []string
	for i := range servers {
		names = append(names, fmt.Sprintf("%q", servers[i].Name))
		if servers[i].Name == req.MCPID && server == nil {
			server = &servers[i]
		}
	}
	if server == nil {
		have := "it has none"
		if len(names) > 0 {
			have = "it has " + strings.Join(names, ", ")
		}
		return nil, Errorf(ENOTFOUND, "%s has no MCP server named %q (mcp_id is the server's name; %s)", where, req.MCPID, have)
	}
	if s.MCP == nil {
		return nil, fmt.Errorf("agentry: Service.MCP is not set")
	}
	tools, err := s.MCP.ListTools(ctx, *server)
	if err != nil {
		return nil, &Error{Code: EUPSTREAM, Err: err,
			Message: fmt.Sprintf("MCP server %q (%s) of %s did not list its tools: %s", server.Name, safeURL(server.URL), where, err)}
	}
	return tools, nil
}

// findComponent returns the local component whose
// conversation_flow_component_id, id or name is id.
func findComponent(components []map[string]json.RawMessage, id string) map[string]json.RawMessage {
	for _, field := range []string{"conversation_flow_component_id", "id", "name"} {
		for _, c := range components {
			var v string
			if json.Unmarshal(c[field], &v) == nil && v == id {
				return c
			}
		}
	}
	return nil
}

// safeURL shows a URL without what may carry a secret: user information
// and the query string.
func safeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "an unparsable URL"
	}
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}
