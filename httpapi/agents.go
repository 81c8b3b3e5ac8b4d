package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// decode reads the body as one JSON object and validates it against obj.
func decode(r *http.Request, obj *schema.Object, mode schema.Mode) (agentry.Fields, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	fields, err := schema.DecodeObject(body)
	if err != nil {
		return nil, err
	}
	if err := obj.Validate(fields, mode); err != nil {
		return nil, err
	}
	return agentry.Fields(fields), nil
}

// agentKind describes one channel of agents for its handlers: voice agents
// and chat agents have their own create, get, update, delete and
// get-versions endpoints, alike but for the channel and its field rules.
// A chat agent is not found through a voice endpoint, nor the other way.
type agentKind struct {
	channel string
	config  *schema.Object
}

var (
	voiceAgents = agentKind{channel: agentry.ChannelVoice, config: schema.VoiceAgent}
	chatAgents  = agentKind{channel: agentry.ChannelChat, config: schema.ChatAgent}
)

func (s *Server) createAgent(k agentKind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		fields, err := decode(r, k.config, schema.Create)
		if err != nil {
			return err
		}
		v, err := s.Agents.CreateAgent(r.Context(), workspace(r), k.channel, fields)
		if err != nil {
			return err
		}
		writeVersion(w, http.StatusCreated, v)
		return nil
	}
}

func (s *Server) getAgent(k agentKind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		ref, err := agentry.ParseVersionRef(r.URL.Query().Get("version"))
		if err != nil {
			return err
		}
		return s.getVersion(w, r, k.channel, r.PathValue("agent_id"), ref)
	}
}

func (s *Server) updateAgent(k agentKind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		ref, err := agentry.ParseVersionRef(r.URL.Query().Get("version"))
		if err != nil {
			return err
		}
		patch, err := decode(r, k.config, schema.Update)
		if err != nil {
			return err
		}
		v, err := s.Agents.UpdateVersion(r.Context(), workspace(r), k.channel, r.PathValue("agent_id"), ref, patch, r.Header.Get("If-Match"))
		if err != nil {
			return err
		}
		writeVersion(w, http.StatusOK, v)
		return nil
	}
}

func (s *Server) deleteAgent(k agentKind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.Agents.DeleteAgent(r.Context(), workspace(r), k.channel, r.PathValue("agent_id")); err != nil {
			return err
		}
		s.published.deleteAgent(workspace(r), r.PathValue("agent_id"))
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// getAgentVersions answers with every version of an agent, ascending.
func (s *Server) getAgentVersions(k agentKind) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		vs, err := s.Agents.Versions(r.Context(), workspace(r), k.channel, r.PathValue("agent_id"))
		if err != nil {
			return err
		}
		buf := make([]byte, 0, 512*len(vs)+2)
		buf = append(buf, '[')
		for i := range vs {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendResponse(buf, &vs[i])
		}
		buf = append(buf, ']')
		writeRaw(w, http.StatusOK, buf)
		return nil
	}
}

// getVersion answers a get of one version of an agent or engine of the given
// channel or kind, from the published cache when the reference is a number
// (the hot path: what a starting call asks for).
func (s *Server) getVersion(w http.ResponseWriter, r *http.Request, channel, agentID string, ref agentry.VersionRef) error {
	ws := workspace(r)
	var key string
	if ref.Kind == agentry.RefNumber {
		key = cacheKey(ws, channel, agentID, ref.Number)
		if body, etag, ok := s.published.get(key); ok {
			w.Header()["Etag"] = []string{etag}
			writeRaw(w, http.StatusOK, body)
			return nil
		}
	}
	v, err := s.Agents.GetVersion(r.Context(), ws, channel, agentID, ref)
	if err != nil {
		return err
	}
	body, etag := appendResponse(make([]byte, 0, 256+len(v.Config)), v), agentry.ETag(v)
	if v.Published {
		s.published.put(cacheKey(ws, channel, agentID, v.Number), ws, agentID, body, etag)
	}
	w.Header()["Etag"] = []string{etag}
	writeRaw(w, http.StatusOK, body)
	return nil
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := agentry.ParsePageRequest(q.Get("limit"), q.Get("sort_order"), q.Get("pagination_key"), true)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var filter agentry.AgentFilter
	if len(body) > 0 {
		fields, err := schema.DecodeObject(body)
		if err != nil {
			return err
		}
		if err := schema.ListAgents.Validate(fields, schema.Create); err != nil {
			return err
		}
		var req struct {
			FilterCriteria *struct {
				Channel *struct {
					Value string `json:"value"`
				} `json:"channel"`
				Query string `json:"query"`
			} `json:"filter_criteria"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return agentry.Errorf(agentry.EINVALID, "request body: %v", err)
		}
		if fc := req.FilterCriteria; fc != nil {
			filter.Search = fc.Query
			if fc.Channel != nil {
				filter.Channel = fc.Channel.Value
			}
		}
	}
	res, err := s.Agents.ListAgents(r.Context(), workspace(r), filter, page)
	if err != nil {
		return err
	}
	out := listResponse[agentListItem]{Items: make([]agentListItem, len(res.Items)), HasMore: res.HasMore, PaginationKey: res.NextKey}
	for i, a := range res.Items {
		out.Items[i] = agentListItem{AgentID: a.ID, AgentName: a.Name, Channel: a.Channel, UserModifiedTimestamp: a.ModifiedAt, Tags: struct{}{}}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) createAgentVersion(w http.ResponseWriter, r *http.Request) error {
	fields, err := decode(r, schema.CreateAgentVersion, schema.Create)
	if err != nil {
		return err
	}
	base, err := wholeNumber(fields["base_version"])
	if err != nil {
		return err
	}
	v, err := s.Agents.CreateVersion(r.Context(), workspace(r), r.PathValue("agent_id"), base)
	if err != nil {
		return err
	}
	writeVersion(w, http.StatusCreated, v)
	return nil
}

func (s *Server) publishAgentVersion(w http.ResponseWriter, r *http.Request) error {
	fields, err := decode(r, schema.PublishAgentVersion, schema.Create)
	if err != nil {
		return err
	}
	number, err := wholeNumber(fields["version"])
	if err != nil {
		return err
	}
	var title, description *string
	_ = json.Unmarshal(fields["version_title"], &title)
	_ = json.Unmarshal(fields["version_description"], &description)
	if err := s.Agents.Publish(r.Context(), workspace(r), r.PathValue("agent_id"), number, title, description, r.Header.Get("If-Match")); err != nil {
		return err
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

// wholeNumber reads a version number the schema has already checked: an
// integer, possibly written as 3.0 or 3e0.
func wholeNumber(raw json.RawMessage) (int64, error) {
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, fmt.Errorf("decode validated number %s: %w", raw, err)
	}
	return int64(f), nil
}

func (s *Server) deleteAgentVersion(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("version")
	if raw == "" {
		return agentry.Errorf(agentry.EINVALID, "version: is required (the number of the version to delete)")
	}
	n, err := agentry.ParseVersionNumber(raw)
	if err != nil {
		return err
	}
	if err := s.Agents.DeleteVersion(r.Context(), workspace(r), r.PathValue("agent_id"), n); err != nil {
		return err
	}
	s.published.deleteVersion(workspace(r), r.PathValue("agent_id"), n)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listAgentVersions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := agentry.ParsePageRequest(q.Get("limit"), q.Get("sort_order"), q.Get("pagination_key"), true)
	if err != nil {
		return err
	}
	res, err := s.Agents.ListVersions(r.Context(), workspace(r), r.PathValue("agent_id"), page)
	if err != nil {
		return err
	}
	out := listResponse[versionSummary]{Items: make([]versionSummary, len(res.Items)), HasMore: res.HasMore, PaginationKey: res.NextKey}
	for i, v := range res.Items {
		out.Items[i] = versionSummary{Version: v.Number, IsPublished: v.Published, VersionTitle: v.Title,
			VersionDescription: v.Description, BaseVersion: v.BaseVersion, LastModificationTimestamp: v.ModifiedAt}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
