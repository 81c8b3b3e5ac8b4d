package httpapi

import (
	"net/http"
	"strconv"

	"github.com/agentry/agentry"
)

// The paths of retell-sdk 4.x that 5.x replaced, served with the shapes
// 4.x expects: lists as plain arrays (of whole versions, paged by the last
// item's id and version; of every phone number or component, unpaged), and
// a publish without a body.

// listAllVersions answers a 4.x list: every version of every resource of
// kind, as an array.
func (s *Server) listAllVersions(kind *agentry.Kind) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		limit := agentry.LegacyDefaultLimit
		if raw := q.Get("limit"); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 || n > agentry.LegacyMaxLimit {
				return agentry.Errorf(agentry.EINVALID, "limit: must be an integer from 1 to %d, got %q", agentry.LegacyMaxLimit, raw)
			}
			limit = n
		}
		var after *agentry.VersionKey
		if key := q.Get("pagination_key"); key != "" {
			after = &agentry.VersionKey{ResourceID: key}
			if raw := q.Get("pagination_key_version"); raw != "" {
				n, err := agentry.ParseVersionNumber(raw)
				if err != nil {
					return agentry.Errorf(agentry.EINVALID, "pagination_key_version: must be a version number (0, 1, 2, ...), got %q", raw)
				}
				after.Number = &n
			}
		} else if q.Get("pagination_key_version") != "" {
			return agentry.Errorf(agentry.EINVALID, "pagination_key_version: given without pagination_key")
		}
		vs, err := s.Service.ListAllVersions(r.Context(), caller(r), kind, after, limit)
		if err != nil {
			return err
		}
		size := 2
		for i := range vs {
			size += 256 + len(vs[i].Config)
		}
		b := make([]byte, 0, size)
		b = append(b, '[')
		for i := range vs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendResponse(b, &vs[i])
		}
		writeRaw(w, http.StatusOK, append(b, ']'))
		return nil
	}
}

// publishLatest answers a 4.x publish: the latest version published, a new
// draft copied from it; 200 with an empty body.
func (s *Server) publishLatest(kind *agentry.Kind) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := s.Service.PublishLatest(r.Context(), caller(r), kind, r.PathValue(kind.IDField)); err != nil {
			return err
		}
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return nil
	}
}

// listAllPhones answers 4.x's list-phone-numbers: every number of the
// workspace, as an array, each with its single-agent fields.
func (s *Server) listAllPhones(w http.ResponseWriter, r *http.Request) error {
	phones, err := s.Service.ListAllPhones(r.Context(), caller(r))
	if err != nil {
		return err
	}
	if err := s.fillSingleAgents(r, phones); err != nil {
		return err
	}
	writeArray(w, phones, 512*len(phones), appendPhone)
	return nil
}

// listAllComponents answers 4.x's list-conversation-flow-components: every
// shared component of the workspace, as an array.
func (s *Server) listAllComponents(w http.ResponseWriter, r *http.Request) error {
	comps, err := s.Service.ListAllComponents(r.Context(), caller(r))
	if err != nil {
		return err
	}
	writeArray(w, comps, 0, appendComponent)
	return nil
}

// writeArray answers items as a JSON array, each encoded in place.
func writeArray[T any](w http.ResponseWriter, items []T, sizeHint int, appendItem func([]byte, *T) []byte) {
	b := append(make([]byte, 0, sizeHint+2), '[')
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendItem(b, &items[i])
	}
	writeRaw(w, http.StatusOK, append(b, ']'))
}
