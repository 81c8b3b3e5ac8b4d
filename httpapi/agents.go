package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Agents (voice and chat): their gets, lists and the version endpoints. A
// chat agent is not found through a voice endpoint, nor the other way; the
// version endpoints serve both.

func (s *Server) getAgent(kind *agentry.Kind) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ref, err := agentVersion(r)
		if err != nil {
			return err
		}
		return s.getVersion(w, r, agentry.Address{Kind: kind, ID: r.PathValue(kind.IDField), Version: ref})
	}
}

// getAgentVersions answers with every version of an agent, ascending.
func (s *Server) getAgentVersions(kind *agentry.Kind) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		vs, err := s.Service.Versions(r.Context(), caller(r), kind, r.PathValue(kind.IDField))
		if err != nil {
			return err
		}
		routes, err := s.Service.AgentRoutesOf(r.Context(), caller(r), r.PathValue(kind.IDField))
		if err != nil {
			return err
		}
		buf := make([]byte, 0, 512*len(vs)+2)
		buf = append(buf, '[')
		for i := range vs {
			if i > 0 {
				buf = append(buf, ',')
			}
			// The response without its closing }, then assigned_tags.
			buf = appendResponse(buf, &vs[i])
			buf = appendTags(buf[:len(buf)-1], routes.AssignedTags(vs[i].Number))
		}
		buf = append(buf, ']')
		writeRaw(w, http.StatusOK, buf)
		return nil
	}
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
		fields, err = checkRequest(r, schema.ListAgents, fields)
		if err != nil {
			return err
		}
		// Read from the checked fields, where ignored ones are left out:
		// encoding/json would match a key such as "Query" to a member.
		var req struct {
			FilterCriteria *struct {
				Channel *struct {
					Value string `json:"value"`
				} `json:"channel"`
				Query string `json:"query"`
			} `json:"filter_criteria"`
			PublishedOnly bool   `json:"agentry_published_only"`
			Tag           string `json:"agentry_tag"`
		}
		for name, into := range map[string]any{"filter_criteria": &req.FilterCriteria,
			"agentry_published_only": &req.PublishedOnly, "agentry_tag": &req.Tag} {
			if raw, ok := fields[name]; ok {
				if err := json.Unmarshal(raw, into); err != nil {
					return agentry.Errorf(agentry.EINVALID, "%s: %v", name, err)
				}
			}
		}
		if filter.PublishedOnly, filter.Tag = req.PublishedOnly, req.Tag; req.Tag != "" {
			if _, err := agentry.ParseTagName(req.Tag); err != nil {
				return agentry.Errorf(agentry.EINVALID, "agentry_tag: %q is not a tag name", req.Tag)
			}
		}
		if fc := req.FilterCriteria; fc != nil {
			filter.Search = fc.Query
			if fc.Channel != nil {
				// The schema allows only the agent kinds' names here.
				filter.Kind = agentry.KindNamed(fc.Channel.Value)
			}
		}
	}
	kindName := ""
	if filter.Kind != nil {
		kindName = filter.Kind.Name
	}
	limit, desc, after := pageParts(page)
	akey := keyOf("list-agents", caller(r).Workspace, kindName, filter.Search,
		strconv.FormatBool(filter.PublishedOnly), filter.Tag, limit, desc, after)
	hit, stamp, cacheable := s.answers.get(r.Context(), akey)
	if hit != nil {
		writeRaw(w, http.StatusOK, hit.body)
		return nil
	}
	res, err := s.Service.ListAgents(r.Context(), caller(r), filter, page)
	if err != nil {
		return err
	}
	s.writeBytesAnswer(w, agentPageBytes(res), akey, stamp, cacheable)
	return nil
}

func (s *Server) createAgentVersion(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeRequest(r, schema.CreateAgentVersion)
	if err != nil {
		return err
	}
	base, err := wholeNumber(fields["base_version"])
	if err != nil {
		return err
	}
	v, err := s.Service.Branch(r.Context(), caller(r), agentry.BranchRequest{AgentID: r.PathValue("agent_id"), Base: base})
	if err != nil {
		return err
	}
	writeVersion(w, http.StatusCreated, v, nil) // no tag can hold a version just made
	return nil
}

func (s *Server) publishAgentVersion(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeRequest(r, schema.PublishAgentVersion)
	if err != nil {
		return err
	}
	req := agentry.PublishRequest{AgentID: r.PathValue("agent_id"), IfMatch: r.Header.Get("If-Match")}
	if req.Version, err = wholeNumber(fields["version"]); err != nil {
		return err
	}
	_ = json.Unmarshal(fields["version_title"], &req.Title)
	_ = json.Unmarshal(fields["version_description"], &req.Description)
	if err := s.Service.Publish(r.Context(), caller(r), req); err != nil {
		return err
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) deleteAgentVersion(w http.ResponseWriter, r *http.Request) error {
	raw, err := versionParam(r)
	if err != nil {
		return err
	}
	if raw == "" {
		return agentry.Errorf(agentry.EINVALID, "version: is required (the number of the version to delete)")
	}
	n, err := agentry.ParseVersionNumber(raw)
	if err != nil {
		return err
	}
	req := agentry.DeleteVersionRequest{AgentID: r.PathValue("agent_id"), Version: n}
	if err := s.Service.DeleteVersion(r.Context(), caller(r), req); err != nil {
		return err
	}
	s.published.deleteVersion(caller(r).Workspace, req.AgentID, n)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listAgentVersions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := agentry.ParsePageRequest(q.Get("limit"), q.Get("sort_order"), q.Get("pagination_key"), true)
	if err != nil {
		return err
	}
	filter, err := versionFilter(q)
	if err != nil {
		return err
	}
	limit, desc, after := pageParts(page)
	akey := keyOf("list-agent-versions", caller(r).Workspace, r.PathValue("agent_id"),
		strconv.FormatBool(filter.PublishedOnly), filter.Tag, limit, desc, after)
	hit, stamp, cacheable := s.answers.get(r.Context(), akey)
	if hit != nil {
		writeRaw(w, http.StatusOK, hit.body)
		return nil
	}
	res, err := s.Service.ListVersionsWhere(r.Context(), caller(r), r.PathValue("agent_id"), filter, page)
	if err != nil {
		return err
	}
	out := listResponse[versionSummary]{Items: make([]versionSummary, len(res.Items)), HasMore: res.HasMore, PaginationKey: res.NextKey}
	for i, v := range res.Items {
		out.Items[i] = versionSummary{Version: v.Number, IsPublished: v.Published, VersionTitle: v.Title,
			VersionDescription: v.Description, BaseVersion: v.BaseVersion, LastModificationTimestamp: v.ModifiedAt}
	}
	return s.writeAnswer(w, out, akey, stamp, cacheable)
}

// versionFilter reads agentry's filters of list-agent-versions.
func versionFilter(q url.Values) (agentry.VersionFilter, error) {
	var f agentry.VersionFilter
	if raw := q.Get("agentry_published_only"); raw != "" {
		var err error
		if f.PublishedOnly, err = strconv.ParseBool(raw); err != nil {
			return f, agentry.Errorf(agentry.EINVALID, "agentry_published_only: must be true or false, got %q", raw)
		}
	}
	if f.Tag = q.Get("agentry_tag"); f.Tag != "" {
		if _, err := agentry.ParseTagName(f.Tag); err != nil {
			return f, agentry.Errorf(agentry.EINVALID, "agentry_tag: %q is not a tag name", f.Tag)
		}
	}
	return f, nil
}

// writeAnswer encodes a list page, answers with it and, when the read was
// stamped, keeps its bytes in the answer cache under key.
func (s *Server) writeAnswer(w http.ResponseWriter, out any, key string, stamp agentry.Stamp, cacheable bool) error {
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	s.writeBytesAnswer(w, b, key, stamp, cacheable)
	return nil
}

// writeBytesAnswer answers with an encoded page and, when the read was
// stamped, keeps it in the answer cache under key.
func (s *Server) writeBytesAnswer(w http.ResponseWriter, b []byte, key string, stamp agentry.Stamp, cacheable bool) {
	if cacheable {
		s.answers.put(key, stamp, &answer{body: b})
	}
	writeRaw(w, http.StatusOK, b)
}
