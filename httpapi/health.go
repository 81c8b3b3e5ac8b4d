package httpapi

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/api"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeRaw(w, http.StatusOK, []byte(`{"status":"ok"}`))
	return nil
}

// readyz answers 503 while the database does not answer, or answers but
// cannot write (read-only, full), so a load balancer takes the replica out
// of rotation until it can serve writes again.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		// Logged here as a warning: an outage is logged where requests fail.
		s.logger().Warn("not ready", "request_id", requestID(r), "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Status: "error", Message: "database unreachable"})
		return nil
	}
	if err := s.writable.check(ctx, s.Store, s.probeEvery()); err != nil {
		s.logger().Warn("not ready", "request_id", requestID(r), "err", err)
		message := "database cannot be written"
		if !errors.Is(err, agentry.ErrReadOnly) {
			message = "database unreachable"
		}
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Status: "error", Message: message})
		return nil
	}
	writeRaw(w, http.StatusOK, []byte(`{"status":"ready"}`))
	return nil
}

// DefaultWriteProbeInterval is how long the result of a write probe stands.
const DefaultWriteProbeInterval = 5 * time.Second

func (s *Server) probeEvery() time.Duration {
	if s.WriteProbeInterval > 0 {
		return s.WriteProbeInterval
	}
	return DefaultWriteProbeInterval
}

// writeHealth is what readiness knows of the database's writes: the result
// of the last write probe, or of the last write that failed because the
// database cannot write. A probe runs only when readiness is asked and the
// last result is older than the interval: one tiny commit per interval per
// replica, however often a load balancer asks, and none when nobody does.
type writeHealth struct {
	mu      sync.Mutex
	checked time.Time
	err     error
}

// check returns the write health, probing when the last result is stale.
// Concurrent checks wait for one probe.
func (h *writeHealth) check(ctx context.Context, st agentry.Store, every time.Duration) error {
	p, ok := st.(agentry.WriteProber)
	if !ok {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.checked.IsZero() && time.Since(h.checked) < every {
		return h.err
	}
	h.err, h.checked = p.ProbeWrite(ctx), time.Now()
	return h.err
}

// failed records a request's write that the database refused as unable to
// write: readiness says so at once, until a probe finds otherwise.
func (h *writeHealth) failed(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.err, h.checked = err, time.Now()
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	writeRaw(w, http.StatusOK, api.OpenAPI())
	return nil
}
