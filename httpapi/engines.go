package httpapi

import (
	"net/http"

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
		limit, desc, after := pageParts(page)
		akey := keyOf("list-engines", caller(r).Workspace, kind.Name, limit, desc, after)
		hit, stamp, cacheable := s.answers.get(r.Context(), akey)
		if hit != nil {
			writeRaw(w, http.StatusOK, hit.body)
			return nil
		}
		res, err := s.Service.ListEngines(r.Context(), caller(r), kind, page)
		if err != nil {
			return err
		}
		size := 0
		for i := range res.Items {
			size += 128 + len(res.Items[i].Config)
		}
		s.writeBytesAnswer(w, encodePage(res, size, appendResponse), akey, stamp, cacheable)
		return nil
	}
}
