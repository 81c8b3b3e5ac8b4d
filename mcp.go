package agentry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
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
// identified by its name (mcp_id). component_id names a component of the
// flow: a local one by its conversation_flow_component_id, id,
// component_id or name, or a shared one the flow version uses by its id or
// name (see mcpComponent).

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
		comp, which, err := s.mcpComponent(ctx, engine, doc.Components, req.ComponentID, where)
		if err != nil {
			return nil, err
		}
		where = which + " of " + where
		servers = nil
		if raw := comp["mcps"]; raw != nil {
			if err := json.Unmarshal(raw, &servers); err != nil {
				return nil, Errorf(EINVALID, "%s: mcps is not a list of MCP servers", where)
			}
		}
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

// mcpComponent finds the component id names in engine version ev: among
// its local components (components) and, for a conversation flow, the
// shared components the version serves (servedComponents: a published
// version's snapshots, a draft's components as they are now, and those
// they use). An id matches before a name, and a local component before a
// shared one. It returns the component's fields and how messages name it;
// where names ev in messages.
func (s *Service) mcpComponent(ctx context.Context, ev *Version, local []map[string]json.RawMessage, id, where string) (map[string]json.RawMessage, string, error) {
	var shared []Component
	if ev.Kind == ConversationFlow {
		err := s.Store.View(ctx, func(tx Tx) (err error) {
			shared, err = servedComponents(tx, ev)
			return err
		})
		if err != nil {
			return nil, "", err
		}
	}
	sharedFields := make([]map[string]json.RawMessage, len(shared))
	for i, c := range shared {
		if err := json.Unmarshal(c.Config, &sharedFields[i]); err != nil {
			return nil, "", fmt.Errorf("decode shared component %s: %w", c.ID, err)
		}
	}
	// A local component copied from a deleted shared one keeps its id as
	// component_id (component_flows.go).
	if c := findComponent(local, id, "conversation_flow_component_id", "id", "component_id"); c != nil {
		return c, fmt.Sprintf("component %q", id), nil
	}
	for i, c := range shared {
		if c.ID == id {
			return sharedFields[i], "shared component " + c.ID, nil
		}
	}
	if c := findComponent(local, id, "name"); c != nil {
		return c, fmt.Sprintf("component %q", id), nil
	}
	for i, c := range shared {
		if findComponent(sharedFields[i:i+1], id, "name") != nil {
			return sharedFields[i], fmt.Sprintf("shared component %s (%q)", c.ID, id), nil
		}
	}
	var have []string
	for _, c := range local {
		for _, field := range []string{"conversation_flow_component_id", "id", "component_id", "name"} {
			var v string
			if json.Unmarshal(c[field], &v) == nil && v != "" {
				have = append(have, strconv.Quote(v))
				break
			}
		}
	}
	for _, c := range shared {
		have = append(have, c.ID)
	}
	list := "it has none"
	if len(have) > 0 {
		list = "it has " + strings.Join(have, ", ")
	}
	return nil, "", Errorf(ENOTFOUND, "%s has no component %q (component_id is a local component's id or name, or the id or name of a shared component the version uses; %s)", where, id, list)
}

// findComponent returns the component whose first field of fields (in
// that order) is id.
func findComponent(components []map[string]json.RawMessage, id string, fields ...string) map[string]json.RawMessage {
	for _, field := range fields {
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
