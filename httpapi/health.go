package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/agentry/agentry/api"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeRaw(w, http.StatusOK, []byte(`{"status":"ok"}`))
	return nil
}

// readyz answers 503 while the database does not answer, so a load balancer
// takes the replica out of rotation until it does.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		// Logged here as a warning: an outage is logged where requests fail.
		s.logger().Warn("not ready", "request_id", requestID(r), "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Status: "error", Message: "database unreachable"})
		return nil
	}
	writeRaw(w, http.StatusOK, []byte(`{"status":"ready"}`))
	return nil
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	writeRaw(w, http.StatusOK, api.OpenAPI())
	return nil
}
