package gitops

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/agentry/agentry"
)

// The endpoints of Retell's API that pull, plan and apply use, by kind.

// agentAPI is the channel-specific endpoints of an agent kind.
type agentAPI struct {
	get, versions, create, update, del string
}

var agentAPIs = map[*agentry.Kind]agentAPI{
	agentry.VoiceAgent: {"/get-agent/", "/get-agent-versions/", "/create-agent", "/update-agent/", "/delete-agent/"},
	agentry.ChatAgent:  {"/get-chat-agent/", "/get-chat-agent-versions/", "/create-chat-agent", "/update-chat-agent/", "/delete-chat-agent/"},
}

// engineAPI is the endpoints of a response engine kind.
type engineAPI struct{ get, create, update string }

var engineAPIs = map[*agentry.Kind]engineAPI{
	agentry.RetellLLM:        {"/get-retell-llm/", "/create-retell-llm", "/update-retell-llm/"},
	agentry.ConversationFlow: {"/get-conversation-flow/", "/create-conversation-flow", "/update-conversation-flow/"},
}

// channelKinds maps list-agents' channel to the agent kind.
var channelKinds = map[string]*agentry.Kind{"voice": agentry.VoiceAgent, "chat": agentry.ChatAgent}

// listAgents returns every agent of the workspace (voice and chat), oldest
// first: {agent_id, agent_name, channel, tags}.
func (c *Client) listAgents(ctx context.Context) ([]object, error) {
	return c.listPages(ctx, http.MethodPost, "/v2/list-agents")
}

// getAgent returns an agent's latest version (version nil) or version n.
func (c *Client) getAgent(ctx context.Context, k *agentry.Kind, id string, n *int64) (object, string, error) {
	var q map[string][]string
	if n != nil {
		q = versionQuery(*n)
	}
	return c.getObject(ctx, agentAPIs[k].get+esc(id), q)
}

// agentVersions returns every version of an agent, ascending.
func (c *Client) agentVersions(ctx context.Context, k *agentry.Kind, id string) ([]object, error) {
	r, err := c.do(ctx, request{method: http.MethodGet, path: agentAPIs[k].versions + esc(id)})
	if err != nil {
		return nil, err
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(r.body, &raw); err != nil {
		return nil, fmt.Errorf("GET %s%s: the answer is not a list of versions", agentAPIs[k].versions, id)
	}
	out := make([]object, 0, len(raw))
	for _, b := range raw {
		m, err := decodeObject(b)
		if err != nil {
			return nil, fmt.Errorf("GET %s%s: a version is not an object", agentAPIs[k].versions, id)
		}
		out = append(out, m)
	}
	return out, nil
}

// getEngine returns version n of an engine (nil: the latest).
func (c *Client) getEngine(ctx context.Context, k *agentry.Kind, id string, n *int64) (object, string, error) {
	var q map[string][]string
	if n != nil {
		q = versionQuery(*n)
	}
	return c.getObject(ctx, engineAPIs[k].get+esc(id), q)
}

// branch makes a new draft of an agent from version base.
func (c *Client) branch(ctx context.Context, id string, base int64) (object, string, error) {
	return c.send(ctx, http.MethodPost, "/create-agent-version/"+esc(id), nil, object{"base_version": base}, "")
}

// publish publishes draft n of an agent with a title and description.
func (c *Client) publish(ctx context.Context, id string, n int64, title, description, ifMatch string) error {
	body := object{"version": n}
	if title != "" {
		body["version_title"] = title
	}
	if description != "" {
		body["version_description"] = description
	}
	_, _, err := c.send(ctx, http.MethodPost, "/publish-agent-version/"+esc(id), nil, body, ifMatch)
	return err
}

// capabilities says which of agentry's extensions a server has.
type capabilities struct {
	// tags: GET /agentry/v1/agents/{agent_id}/tags, and GET, PUT and DELETE
	// of /agentry/v1/agents/{agent_id}/tags/{tag}.
	tags bool
	// routing: GET and PUT /agentry/v1/phone-numbers/{phone_number}/routing.
	routing bool
	// content: GET /agentry/v1/knowledge-bases/{knowledge_base_id}/sources/{source_id}/content,
	// the stored text or file of a knowledge base source.
	content bool
}

var (
	tagListPath = regexp.MustCompile(`^/agentry/v1/agents/\{[^}/]+\}/tags$`)
	tagPath     = regexp.MustCompile(`^/agentry/v1/agents/\{[^}/]+\}/tags/\{[^}/]+\}$`)
	routingPath = regexp.MustCompile(`^/agentry/v1/phone-numbers/\{[^}/]+\}/routing$`)
	contentPath = regexp.MustCompile(`^/agentry/v1/knowledge-bases/\{[^}/]+\}/sources/\{[^}/]+\}/content$`)
)

// extensions finds out, once, which extensions the server has, from the
// OpenAPI document agentry serves at /openapi.json (a server without one,
// such as Retell, has none).
func (c *Client) extensions(ctx context.Context) capabilities {
	if c.caps != nil {
		return *c.caps
	}
	c.caps = &capabilities{}
	r, err := c.do(ctx, request{method: http.MethodGet, path: "/openapi.json"})
	if err != nil {
		return *c.caps
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if json.Unmarshal(r.body, &doc) != nil {
		return *c.caps
	}
	has := func(re *regexp.Regexp, methods ...string) bool {
		for p, ops := range doc.Paths {
			if !re.MatchString(p) {
				continue
			}
			for _, m := range methods {
				if _, ok := ops[m]; !ok {
					return false
				}
			}
			return true
		}
		return false
	}
	c.caps.tags = has(tagListPath, "get") && has(tagPath, "get", "put", "delete")
	c.caps.routing = has(routingPath, "get", "put")
	c.caps.content = has(contentPath, "get")
	return *c.caps
}

// errNoExtension says that a file needs an extension the server lacks.
func errNoExtension(what, endpoint string) error {
	return fmt.Errorf("%s need agentry's extension %s, which this server does not serve (it answers 404 there): apply to an agentry server, or leave them out of the files", what, endpoint)
}

func varsObject(vars map[string]string) object {
	m := object{}
	for k, v := range vars {
		m[k] = v
	}
	return m
}
