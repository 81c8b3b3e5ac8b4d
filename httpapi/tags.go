package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Tags: agentry's extension endpoints under /agentry/v1/agents/{agent_id}/tags
// (DESIGN §6). Every change goes through the service's writeTag; these
// handlers decode, check shapes and encode.

// tagState is AgentryTag.
type tagState struct {
	Name             string            `json:"name"`
	Version          *int64            `json:"version,omitempty"`
	DynamicVariables map[string]string `json:"dynamic_variables"`
	PublishedOnly    bool              `json:"published_only"`
	Seq              int64             `json:"seq"`
	AssignedAt       int64             `json:"assigned_at,omitempty"`
	CreatedAt        int64             `json:"created_at"`
	ModifiedAt       int64             `json:"modified_at"`
}

func tagOf(t *agentry.Tag) tagState {
	vars := t.Variables
	if vars == nil {
		vars = map[string]string{}
	}
	return tagState{Name: t.Name, Version: t.Version, DynamicVariables: vars, PublishedOnly: t.PublishedOnly,
		Seq: t.Seq, AssignedAt: t.AssignedAt, CreatedAt: t.CreatedAt, ModifiedAt: t.ModifiedAt}
}

// writeTag answers with one tag and its ETag.
func writeTag(w http.ResponseWriter, t *agentry.Tag) {
	w.Header()["Etag"] = []string{agentry.TagETag(t)}
	writeJSON(w, http.StatusOK, tagOf(t))
}

func (s *Server) listAgentTags(w http.ResponseWriter, r *http.Request) error {
	tags, err := s.Service.Tags(r.Context(), caller(r), r.PathValue("agent_id"))
	if err != nil {
		return err
	}
	out := struct {
		Tags map[string]tagState `json:"tags"`
	}{Tags: map[string]tagState{}}
	for i := range tags {
		out.Tags[tags[i].Name] = tagOf(&tags[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getAgentTag(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Service.GetTag(r.Context(), caller(r), r.PathValue("agent_id"), r.PathValue("tag"))
	if err != nil {
		return err
	}
	writeTag(w, t)
	return nil
}

func (s *Server) putAgentTag(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeRequest(r, schema.PutTag)
	if err != nil {
		return err
	}
	req := agentry.PutTagRequest{AgentID: r.PathValue("agent_id"), Name: r.PathValue("tag"), IfMatch: r.Header.Get("If-Match")}
	if string(fields["version"]) != "null" {
		n, err := wholeNumber(fields["version"])
		if err != nil {
			return err
		}
		req.Version = &n
	}
	if raw, ok := fields["dynamic_variables"]; ok {
		req.Variables = map[string]string{}
		_ = json.Unmarshal(raw, &req.Variables)
	}
	if raw, ok := fields["published_only"]; ok {
		var b bool
		_ = json.Unmarshal(raw, &b)
		req.PublishedOnly = &b
	}
	_ = json.Unmarshal(fields["reason"], &req.Reason)
	t, _, err := s.Service.PutTag(r.Context(), caller(r), req)
	if err != nil {
		return err
	}
	writeTag(w, t)
	return nil
}

func (s *Server) deleteAgentTag(w http.ResponseWriter, r *http.Request) error {
	req := agentry.DeleteTagRequest{AgentID: r.PathValue("agent_id"), Name: r.PathValue("tag"), IfMatch: r.Header.Get("If-Match")}
	if q := r.URL.Query(); q.Has("reason") {
		reason := q.Get("reason")
		if len(reason) > 1000 {
			return agentry.Errorf(agentry.EINVALID, "reason: must be at most 1000 characters")
		}
		req.Reason = &reason
	}
	if _, err := s.Service.DeleteTag(r.Context(), caller(r), req); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) revertAgentTag(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeRequest(r, schema.RevertTag)
	if err != nil {
		return err
	}
	req := agentry.RevertTagRequest{AgentID: r.PathValue("agent_id"), Name: r.PathValue("tag"), IfMatch: r.Header.Get("If-Match")}
	if req.Seq, err = wholeNumber(fields["seq"]); err != nil {
		return err
	}
	_ = json.Unmarshal(fields["reason"], &req.Reason)
	t, _, err := s.Service.RevertTag(r.Context(), caller(r), req)
	if err != nil {
		return err
	}
	writeTag(w, t)
	return nil
}

// historyEntry is AgentryTagHistoryEntry.
type historyEntry struct {
	Seq                    int64             `json:"seq"`
	Action                 string            `json:"action"`
	VersionBefore          *int64            `json:"version_before"`
	VersionAfter           *int64            `json:"version_after"`
	DynamicVariablesBefore map[string]string `json:"dynamic_variables_before"`
	DynamicVariablesAfter  map[string]string `json:"dynamic_variables_after"`
	PublishedOnlyBefore    bool              `json:"published_only_before"`
	PublishedOnlyAfter     bool              `json:"published_only_after"`
	RevertOf               *int64            `json:"revert_of"`
	Actor                  actor             `json:"actor"`
	Reason                 *string           `json:"reason"`
	Timestamp              int64             `json:"timestamp"`
}

type actor struct {
	KeyPrefix string `json:"key_prefix"`
	Label     string `json:"label"`
	RequestID string `json:"request_id"`
}

// stateVariables are a history state's variables: null where the tag did
// not exist, {} at least where it did.
func stateVariables(s agentry.TagState) map[string]string {
	if !s.Exists {
		return nil
	}
	if s.Variables == nil {
		return map[string]string{}
	}
	return s.Variables
}

func (s *Server) listAgentTagHistory(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := agentry.ParsePageRequest(q.Get("limit"), q.Get("sort_order"), q.Get("pagination_key"), true)
	if err != nil {
		return err
	}
	res, err := s.Service.TagHistory(r.Context(), caller(r), r.PathValue("agent_id"), r.PathValue("tag"), page)
	if err != nil {
		return err
	}
	out := listResponse[historyEntry]{Items: make([]historyEntry, len(res.Items)), HasMore: res.HasMore, PaginationKey: res.NextKey}
	for i, e := range res.Items {
		out.Items[i] = historyEntry{Seq: e.Seq, Action: e.Action, VersionBefore: e.Before.Version, VersionAfter: e.After.Version,
			DynamicVariablesBefore: stateVariables(e.Before), DynamicVariablesAfter: stateVariables(e.After),
			PublishedOnlyBefore: e.Before.PublishedOnly, PublishedOnlyAfter: e.After.PublishedOnly, RevertOf: e.RevertOf,
			Actor: actor{e.Actor.KeyPrefix, e.Actor.Label, e.RequestID}, Reason: e.Reason, Timestamp: e.At}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
