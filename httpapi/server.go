// Package httpapi is agentry's HTTP adapter: routes, request decoding and
// validation, authentication, the error writer and response encoding. It
// holds no state between requests beyond caches of immutable data.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agentry/agentry"
)

// MaxBodyBytes is the largest request body accepted (413 above it).
const MaxBodyBytes = 1 << 20

// Authenticator resolves an API key to its workspace ID.
type Authenticator interface {
	Authenticate(ctx context.Context, key string) (string, error)
}

// Server serves the API over the services it is given.
type Server struct {
	Agents *agentry.AgentService
	Keys   Authenticator
	Store  agentry.Store // for readiness checks
	Logger *slog.Logger
	// CacheBytes bounds the cache of published versions' encoded responses
	// (0 turns it off). CacheTTL bounds an entry's age (0: no expiry), which is
	// how long a deletion through another replica may go unseen here.
	CacheBytes int
	CacheTTL   time.Duration
	// KeyTTL is how long a key's workspace is remembered (0: every request
	// reads the database); a revoked key is refused everywhere within it.
	KeyTTL time.Duration
	// RequestTimeout bounds each request's work, database included, so a
	// database that stops answering mid-query gives a 503, not a hang
	// (0: no bound).
	RequestTimeout time.Duration

	mux       *http.ServeMux
	published *publishedCache
	keyCache  *keyCache
}

type ctxKey int

const ctxRequest ctxKey = 0

// requestInfo is what a request carries through its context: one value
// set once by serve, so that the hot path copies the request only once.
type requestInfo struct {
	id        string
	workspace string // set by wrap once the key is authenticated
}

func info(r *http.Request) *requestInfo {
	ri, _ := r.Context().Value(ctxRequest).(*requestInfo)
	if ri == nil {
		return &requestInfo{}
	}
	return ri
}

func requestID(r *http.Request) string { return info(r).id }

func workspace(r *http.Request) string { return info(r).workspace }

// Handler returns the whole API as one http.Handler.
func (s *Server) Handler() http.Handler {
	// The cross-item rules of engine configurations need the configuration
	// as a patch leaves it, which only the service sees.
	if s.Agents != nil && s.Agents.Check == nil {
		s.Agents.Check = checkConfig
	}
	s.published = newPublishedCache(s.CacheBytes, s.CacheTTL)
	s.keyCache = &keyCache{ttl: s.KeyTTL, now: time.Now}
	s.mux = http.NewServeMux()
	for _, rt := range s.routes() {
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	// Every request no route takes lands here, so the mux matches each
	// request once and its plain-text 404 and 405 never reach a client.
	s.mux.HandleFunc(unrouted, s.unrouted)
	return http.HandlerFunc(s.serve)
}

// serve gives every request its id and its access-log line, and hands it to
// the mux.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < '!' || c > '~' }) {
		id = newRequestID()
	}
	w.Header().Set("X-Request-Id", id)
	r = r.WithContext(context.WithValue(r.Context(), ctxRequest, &requestInfo{id: id}))
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			s.log(r).Error("panic", "request_id", id, "panic", p)
			if !rec.wrote {
				s.writeError(rec, r, agentry.Errorf(agentry.EINTERNAL, "panic"), http.StatusNotFound)
			}
		}
		s.log(r).LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", rec.status), slog.Int("bytes", rec.bytes),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000))
	}()
	s.mux.ServeHTTP(rec, r)
}

// unrouted is the catch-all pattern: it matches every method and path.
const unrouted = "/"

// unrouted answers a request no route takes: 405 with Allow when another
// method is served on the path, 404 otherwise, both with the error envelope.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	if allow := s.allowed(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.writeError(w, r, &httpError{http.StatusMethodNotAllowed, "method " + r.Method + " is not allowed on " + r.URL.Path + "; allowed: " + strings.Join(allow, ", ")}, 0)
		return
	}
	s.writeError(w, r, &httpError{http.StatusNotFound, "no such endpoint: " + r.Method + " " + r.URL.Path}, 0)
}

// allowed lists the methods that some route accepts on r's path.
func (s *Server) allowed(r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" && p != unrouted {
			allow = append(allow, m)
		}
	}
	if slices.Contains(allow, http.MethodGet) {
		allow = append(allow, http.MethodHead)
	}
	return allow
}

// wrap adds authentication and the body limit to a route's handler and turns
// its returned error into the error envelope.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !rt.public {
			key, ok := bearer(r)
			if !ok {
				s.writeError(w, r, agentry.Errorf(agentry.EUNAUTHORIZED, "API key is missing or invalid."), rt.missing)
				return
			}
			ws, err := s.authenticate(r, key)
			if err != nil {
				s.writeError(w, r, err, rt.missing)
				return
			}
			info(r).workspace = ws
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		if s.RequestTimeout > 0 {
			ctx, cancel := context.WithTimeout(r.Context(), s.RequestTimeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		if err := rt.handle(w, r); err != nil {
			s.writeError(w, r, err, rt.missing)
		}
	})
}

// authenticate resolves a key to its workspace, through the key cache.
func (s *Server) authenticate(r *http.Request, key string) (string, error) {
	if ws, ok := s.keyCache.get(key); ok {
		return ws, nil
	}
	ws, err := s.Keys.Authenticate(r.Context(), key)
	if err == nil {
		s.keyCache.put(key, ws)
	}
	return ws, err
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, key, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	key = strings.TrimSpace(key)
	return key, key != ""
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "req_" + hex.EncodeToString(b)
}

// readBody reads the whole (size-limited) request body.
func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(r.Body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"status":"error","message":"An unexpected server error occurred."}`)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	// A known length: net/http would otherwise chunk any body over 2 KiB.
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// recorder remembers the status and size of a response for the access log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}
