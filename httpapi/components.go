package httpapi

import (
	"net/http"
	"strconv"

	"github.com/agentry/agentry"
)

// Shared conversation flow components (see component.go in the domain).

func (s *Server) createComponent(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeFields(r)
	if err != nil {
		return err
	}
	comp, err := s.Service.CreateComponent(r.Context(), caller(r), fields)
	if err != nil {
		return err
	}
	writeComponent(w, http.StatusCreated, comp)
	return nil
}

func (s *Server) getComponent(w http.ResponseWriter, r *http.Request) error {
	comp, err := s.Service.GetComponent(r.Context(), caller(r), r.PathValue("conversation_flow_component_id"))
	if err != nil {
		return err
	}
	writeComponent(w, http.StatusOK, comp)
	return nil
}

func (s *Server) updateComponent(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeFields(r)
	if err != nil {
		return err
	}
	comp, err := s.Service.UpdateComponent(r.Context(), caller(r), agentry.UpdateComponentRequest{
		ID: r.PathValue("conversation_flow_component_id"), Patch: fields, IfMatch: r.Header.Get("If-Match")})
	if err != nil {
		return err
	}
	writeComponent(w, http.StatusOK, comp)
	return nil
}

func (s *Server) listComponents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := agentry.ParsePageRequest(q.Get("limit"), q.Get("sort_order"), q.Get("pagination_key"), true)
	if err != nil {
		return err
	}
	res, err := s.Service.ListComponents(r.Context(), caller(r), page)
	if err != nil {
		return err
	}
	writePage(w, res, 0, appendComponent)
	return nil
}

func (s *Server) deleteComponent(w http.ResponseWriter, r *http.Request) error {
	if err := s.Service.DeleteComponent(r.Context(), caller(r), r.PathValue("conversation_flow_component_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getFlowVersionComponents answers what a flow version serves of the shared
// components it uses.
func (s *Server) getFlowVersionComponents(w http.ResponseWriter, r *http.Request) error {
	ref, err := engineVersion(r)
	if err != nil {
		return err
	}
	fc, err := s.Service.FlowComponents(r.Context(), caller(r), agentry.Address{Kind: agentry.ConversationFlow,
		ID: r.PathValue("conversation_flow_id"), Version: ref})
	if err != nil {
		return err
	}
	b := []byte(`{"conversation_flow_id":`)
	b = strconv.AppendQuote(b, fc.Version.ResourceID)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, fc.Version.Number, 10)
	b = append(b, `,"is_published":`...)
	b = strconv.AppendBool(b, fc.Version.Published)
	b = append(b, `,"components":[`...)
	for i := range fc.Components {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendComponent(b, &fc.Components[i])
	}
	writeRaw(w, http.StatusOK, append(b, "]}"...))
	return nil
}

// writeComponent writes ConversationFlowComponentResponse with its ETag.
func writeComponent(w http.ResponseWriter, status int, comp *agentry.Component) {
	w.Header()["Etag"] = []string{agentry.ComponentETag(comp)}
	writeRaw(w, status, appendComponent(make([]byte, 0, 128+len(comp.Config)), comp))
}

// appendComponent appends a component: its id, time and linked flows (when
// known), then its stored fields.
func appendComponent(b []byte, comp *agentry.Component) []byte {
	b = append(b, `{"conversation_flow_component_id":`...)
	b = strconv.AppendQuote(b, comp.ID)
	b = append(b, `,"user_modified_timestamp":`...)
	b = strconv.AppendInt(b, comp.ModifiedAt, 10)
	if comp.LinkedFlowIDs != nil {
		b = append(b, `,"linked_conversation_flow_ids":[`...)
		for i, id := range comp.LinkedFlowIDs {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, id)
		}
		b = append(b, ']')
	}
	return appendConfig(b, comp.Config)
}
