package httpapi

import (
	"net/http"
	"strconv"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Response engines: Retell LLMs and conversation flows. Both are versioned
// like agents (see engine.go in the domain); one set of handlers serves both,
// specialised by an engine value.

// engine describes one kind of response engine for its handlers.
type engine struct {
	kind   string         // agentry.KindRetellLLM or agentry.KindConversationFlow
	idPath string         // the path parameter naming it
	config *schema.Object // the field rules of its configuration
	// createOnly lists fields that can only be set at creation: an update
	// ignores them, as the reference documents.
	createOnly string
}

var (
	retellLLM = engine{kind: agentry.KindRetellLLM, idPath: "llm_id", config: schema.RetellLLM,
		createOnly: "is_transfer_llm"}
	conversationFlow = engine{kind: agentry.KindConversationFlow, idPath: "conversation_flow_id",
		config: schema.ConversationFlow, createOnly: "is_transfer_cf"}
)

// checkConfig is the service's whole-configuration check: the cross-item
// rules of engines (unique names, references that resolve).
func checkConfig(channel string, config agentry.Fields) error {
	return schema.CheckIntegrity(channel, config)
}

// engineVersionRef parses the version parameter of an engine endpoint: a
// version number, or latest. Engines have no tags.
func engineVersionRef(r *http.Request) (agentry.VersionRef, error) {
	raw := r.URL.Query().Get("version")
	ref, err := agentry.ParseVersionRef(raw)
	if err != nil || ref.Kind == agentry.RefTag {
		return ref, agentry.Errorf(agentry.EINVALID, "version: must be a non-negative integer (a version number), got %q", raw)
	}
	return ref, nil
}

func (s *Server) createEngine(e engine) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		fields, err := decode(r, e.config, schema.Create)
		if err != nil {
			return err
		}
		v, err := s.Agents.CreateEngine(r.Context(), workspace(r), e.kind, fields)
		if err != nil {
			return err
		}
		writeVersion(w, http.StatusCreated, v)
		return nil
	}
}

func (s *Server) getEngine(e engine) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		ref, err := engineVersionRef(r)
		if err != nil {
			return err
		}
		return s.getVersion(w, r, e.kind, r.PathValue(e.idPath), ref)
	}
}

func (s *Server) updateEngine(e engine) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		ref, err := engineVersionRef(r)
		if err != nil {
			return err
		}
		patch, err := decode(r, e.config, schema.Update)
		if err != nil {
			return err
		}
		delete(patch, e.createOnly)
		v, err := s.Agents.UpdateVersion(r.Context(), workspace(r), e.kind, r.PathValue(e.idPath), ref, patch, r.Header.Get("If-Match"))
		if err != nil {
			return err
		}
		writeVersion(w, http.StatusOK, v)
		return nil
	}
}

func (s *Server) listEngines(e engine) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		page, err := agentry.ParsePageRequest(q.Get("limit"), q.Get("sort_order"), q.Get("pagination_key"), true)
		if err != nil {
			return err
		}
		res, err := s.Agents.ListEngines(r.Context(), workspace(r), e.kind, page)
		if err != nil {
			return err
		}
		size := 64
		for i := range res.Items {
			size += 128 + len(res.Items[i].Config)
		}
		b := make([]byte, 0, size)
		b = append(b, `{"items":[`...)
		for i := range res.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendResponse(b, &res.Items[i])
		}
		b = append(b, `],"has_more":`...)
		b = strconv.AppendBool(b, res.HasMore)
		if res.NextKey != "" {
			b = append(b, `,"pagination_key":`...)
			b = strconv.AppendQuote(b, res.NextKey)
		}
		writeRaw(w, http.StatusOK, append(b, '}'))
		return nil
	}
}

func (s *Server) deleteEngine(e engine) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		force := false
		if raw := r.URL.Query().Get("force_delete"); raw != "" {
			var err error
			if force, err = strconv.ParseBool(raw); err != nil {
				return agentry.Errorf(agentry.EINVALID, "force_delete: must be true or false, got %q", raw)
			}
		}
		id := r.PathValue(e.idPath)
		if err := s.Agents.DeleteEngine(r.Context(), workspace(r), e.kind, id, force); err != nil {
			return err
		}
		s.published.deleteAgent(workspace(r), id)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
