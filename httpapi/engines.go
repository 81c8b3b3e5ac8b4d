package httpapi

import (
	"net/http"
	"strconv"

	"github.com/agentry/agentry"
)

// Response engines: Retell LLMs and conversation flows, versioned like
// agents (see engine.go in the domain). Their create, update and delete are
// the generic ones of resources.go.

func (s *Server) getEngine(kind *agentry.Kind) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ref, err := engineVersion(r)
		if err != nil {
			return err
		}
		return s.getVersion(w, r, agentry.Address{Kind: kind, ID: r.PathValue(kind.IDField), Version: ref})
	}
}

func (s *Server) listEngines(kind *agentry.Kind) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		page, err := agentry.ParsePageRequest(q.Get("limit"), q.Get("sort_order"), q.Get("pagination_key"), true)
		if err != nil {
			return err
		}
		res, err := s.Service.ListEngines(r.Context(), caller(r), kind, page)
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
