// Package httpapi is agentry's HTTP adapter: routes, request decoding and
// validation, authentication, the error writer and response encoding. It
// holds no state between requests beyond caches of immutable data.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/api"
)

// MaxBodyBytes is the largest request body accepted (413 above it), except
// for multipart/form-data bodies, which upload files: MaxUploadBytes.
const MaxBodyBytes = 1 << 20

// MaxUploadBytes is the largest multipart/form-data body (413 above it):
// room for a knowledge base file of 50 MiB and the rest of its request.
const MaxUploadBytes = 64 << 20

// Authenticator resolves an API key to the caller it stands for.
type Authenticator interface {
	Authenticate(ctx context.Context, key string) (agentry.Caller, error)
}

// Server serves the API over the services it is given.
type Server struct {
	Service *agentry.Service
	Keys    Authenticator
	// Webhooks manages webhooks; nil means one over Service's store that
	// refuses private addresses.
	Webhooks *agentry.WebhookService
	Store    agentry.Store // for readiness checks
	Logger   *slog.Logger
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
	id     string
	op     *api.Operation // set by wrap: the operation the route serves
	caller agentry.Caller // set by wrap once the key is authenticated
}

func info(r *http.Request) *requestInfo {
	ri, _ := r.Context().Value(ctxRequest).(*requestInfo)
	if ri == nil {
		return &requestInfo{}
	}
	return ri
}

func requestID(r *http.Request) string { return info(r).id }

// caller is who asks: the authenticated key's workspace and the request id.
func caller(r *http.Request) agentry.Caller { return info(r).caller }

// Handler returns the whole API as one http.Handler: a route for each
// operation of api.Operations, served by the handler bound to it. It panics
// if the table and the handlers disagree (a test runs it).
func (s *Server) Handler() http.Handler {
	bound, err := bind(api.Operations, s.handlers())
	if err != nil {
		panic(err)
	}
	if s.Webhooks == nil && s.Service != nil {
		s.Webhooks = &agentry.WebhookService{Store: s.Service.Store, Now: s.Service.Now}
	}
	s.published = newPublishedCache(s.CacheBytes, s.CacheTTL)
	s.keyCache = &keyCache{ttl: s.KeyTTL, now: time.Now}
	s.mux = http.NewServeMux()
	for op, h := range bound {
		s.mux.Handle(op.Method+" "+op.Path, s.wrap(op, h))
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
			s.logger().Error("panic", "request_id", id, "panic", p)
			if !rec.wrote {
				s.writeError(rec, r, fmt.Errorf("panic: %v", p))
			}
		}
		s.logger().LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", id), slog.String("method", r.Method),
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
		s.writeError(w, r, agentry.Errorf(agentry.EMETHOD, "method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
		return
	}
	s.writeError(w, r, agentry.Errorf(agentry.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path))
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

// wrap adds authentication and the body limit to an operation's handler and
// turns its returned error into the error envelope.
func (s *Server) wrap(op *api.Operation, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := info(r)
		ri.op = op
		if !op.Public {
			key, ok := bearer(r)
			if !ok {
				s.writeError(w, r, agentry.Errorf(agentry.EUNAUTHORIZED, "API key is missing or invalid."))
				return
			}
			c, err := s.authenticate(r, key)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			c.RequestID = ri.id
			ri.caller = c
		}
		limit := int64(MaxBodyBytes)
		if op.Body != nil && op.Body.Multipart {
			limit = MaxUploadBytes
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if s.RequestTimeout > 0 {
			ctx, cancel := context.WithTimeout(r.Context(), s.RequestTimeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// authenticate resolves a key to its caller, through the key cache.
func (s *Server) authenticate(r *http.Request, key string) (agentry.Caller, error) {
	if c, ok := s.keyCache.get(key); ok {
		return c, nil
	}
	c, err := s.Keys.Authenticate(r.Context(), key)
	if err == nil {
		s.keyCache.put(key, c)
	}
	return c, err
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
	b, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, agentry.Errorf(agentry.ETOOLARGE, "request body: larger than the limit of %d MiB", tooLarge.Limit>>20)
	}
	return b, err
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
