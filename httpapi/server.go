// Package httpapi is agentry's HTTP adapter: routes, request decoding and
// validation, authentication, the error writer and response encoding. It
// holds no state between requests beyond caches of immutable data.
package httpapi

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/api"
	"github.com/agentry/agentry/schema"
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
	// AnswerCacheBytes bounds the cache of answers that can change (drafts,
	// list pages), kept while the store's change stamp holds (answerCache);
	// 0 turns it off, and a store that is no agentry.Stamper has none.
	AnswerCacheBytes int
	// KeyTTL is how long a key's workspace is remembered (0: every request
	// reads the database); a revoked key is refused everywhere within it.
	KeyTTL time.Duration
	// RequestTimeout bounds each request's work, database included, so a
	// database that stops answering mid-query gives a 503, not a hang
	// (0: no bound).
	RequestTimeout time.Duration
	// WriteProbeInterval is how long /readyz trusts the result of a write
	// probe before it probes again (0: DefaultWriteProbeInterval).
	WriteProbeInterval time.Duration
	// AccessLog, when set, is where the server writes each request's access
	// log line itself (accesslog.go), in the format of slog's text handler,
	// or its JSON handler with AccessLogJSON: the writer Logger's handler
	// writes to, given as well so that the line costs less. Each line is
	// one Write. Without it, the line goes through Logger.
	AccessLog     io.Writer
	AccessLogJSON bool
	// Strict refuses undeclared fields in request bodies that are not
	// configurations (serve --strict); configurations follow the service's
	// Rules, which cmd wires with the same setting.
	Strict bool

	mux       *http.ServeMux
	published *publishedCache
	answers   *answerCache
	keyCache  *keyCache
	writable  writeHealth
}

type ctxKey int

const ctxRequest ctxKey = 0

// requestInfo is what a request carries through its context: one value
// set once by serve, so that the hot path copies the request only once.
type requestInfo struct {
	id     string
	op     *api.Operation // set by wrap: the operation the route serves
	caller agentry.Caller // set by wrap once the key is authenticated
	strict bool           // undeclared body fields are refused, not ignored
	// ignored names the body fields accepted and left out, for the
	// Agentry-Ignored-Fields header and the warning log line.
	ignored []string
	// close asks that the connection be closed after the answer.
	close bool
}

// markClose asks that r's connection be closed after the answer.
func markClose(r *http.Request) { info(r).close = true }

func info(r *http.Request) *requestInfo {
	ri, _ := r.Context().Value(ctxRequest).(*requestInfo)
	if ri == nil {
		return &requestInfo{}
	}
	return ri
}

func requestID(r *http.Request) string { return info(r).id }

// noteIgnored records body fields that were accepted and left out; the
// answer names them in Agentry-Ignored-Fields and the log in a warning.
func noteIgnored(r *http.Request, fields []string) {
	if len(fields) > 0 {
		ri := info(r)
		ri.ignored = append(ri.ignored, fields...)
	}
}

// unknownFields is what undeclared fields of request bodies mean for r.
func unknownFields(r *http.Request) schema.Unknown {
	if info(r).strict {
		return schema.Refuse
	}
	return schema.Ignore
}

// IgnoredFieldsHeader names the request body fields that were accepted and
// left out, as a comma-separated list of paths.
const IgnoredFieldsHeader = "Agentry-Ignored-Fields"

// maxIgnoredNames bounds the names the header lists; the list then ends
// with "...".
const maxIgnoredNames = 100

// ignoredList renders names for the header and the log.
func ignoredList(names []string) string {
	if len(names) > maxIgnoredNames {
		names = append(names[:maxIgnoredNames:maxIgnoredNames], "...")
	}
	return strings.Join(names, ", ")
}

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
	if st, ok := s.Service.Store.(agentry.Stamper); ok {
		s.answers = newAnswerCache(st, s.AnswerCacheBytes)
	}
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

// serve gives every request its id, the headers every answer carries and
// its access-log line, and hands it to the mux.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	// The id is always the server's own, so that a log line can be trusted
	// to name one request; a client's X-Request-Id is logged beside it.
	id := newRequestID()
	h := w.Header()
	h["X-Request-Id"] = []string{id}
	// Answers are JSON to be read by programs: never sniffed as something
	// else by a browser, never kept by a cache (they carry workspace data).
	h["X-Content-Type-Options"] = nosniff
	h["Cache-Control"] = noStore
	if len(r.TransferEncoding) > 0 {
		// net/http drops a Content-Length sent beside Transfer-Encoding
		// before any handler sees the request, so the two cannot be told
		// apart here: a request with a transfer coding is answered, then
		// its connection closed, so that one that carried both (a request
		// smuggling attempt) never shares a connection with the next.
		h.Set("Connection", "close")
	}
	ri := &requestInfo{id: id, strict: s.Strict}
	// The request's timeout runs from here: authentication and the work.
	var deadline time.Time
	if s.RequestTimeout > 0 {
		deadline = start.Add(s.RequestTimeout)
	}
	ctx, end := newRequestCtx(r.Context(), ri, deadline)
	defer end() // after the access log line, deferred below
	r = r.WithContext(ctx)
	rec := &recorder{ResponseWriter: w, status: http.StatusOK, info: ri}
	defer func() {
		if p := recover(); p != nil {
			s.logger().Error("panic", "request_id", id, "panic", p)
			if !rec.wrote {
				s.writeError(rec, r, fmt.Errorf("panic: %v", p))
			}
		}
		if len(ri.ignored) > 0 {
			s.logger().LogAttrs(r.Context(), slog.LevelWarn, "ignored unknown fields", slog.String("request_id", id),
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("fields", ignoredList(ri.ignored)))
		}
		now := time.Now()
		s.logAccess(r.Context(), &accessLine{at: now, requestID: id, method: r.Method, path: r.URL.Path,
			status: rec.status, bytes: rec.bytes, durationMS: float64(now.Sub(start).Microseconds()) / 1000,
			clientRequestID: clientRequestID(r)})
	}()
	if err := checkEncoding(r); err != nil {
		s.writeError(rec, r, err)
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// unrouted is the catch-all pattern: it matches every method and path.
const unrouted = "/"

// unrouted answers a request no route takes: 405 with Allow when another
// method is served on the path, 404 otherwise, both with the error envelope;
// the 404 of one of Retell's paths that agentry does not serve says so
// (unserved.go).
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	if allow := s.allowed(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.writeError(w, r, agentry.Errorf(agentry.EMETHOD, "method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
		return
	}
	if msg := unservedMessage(r); msg != "" {
		s.writeError(w, r, &agentry.Error{Code: agentry.ENOTFOUND, Message: msg})
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
		if r.Body != http.NoBody { // net/http's body of a request that has none
			r.Body = http.MaxBytesReader(w, r.Body, limit)
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

// clientRequestID is the client's own X-Request-Id, for the log: at most 64
// printable ASCII characters, or "".
func clientRequestID(r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	if len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < '!' || c > '~' }) {
		return ""
	}
	return id
}

// newRequestID is "req_" and 16 hex digits. It names a request in the logs
// and is no secret, so the runtime's fast random source does (crypto/rand
// and the hex encoding took 1% of a cached read's CPU); 64 random bits make
// two equal ids in one log unlikely past billions of requests.
func newRequestID() string {
	var raw [8]byte
	binary.BigEndian.PutUint64(raw[:], rand.Uint64())
	var b [20]byte
	copy(b[:], "req_")
	hex.Encode(b[4:], raw[:])
	return string(b[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"status":"error","message":"An unexpected server error occurred."}`)
	}
	writeRaw(w, status, b)
}

// Values of headers that most answers carry, one slice each for all of
// them: net/http copies a header's values before it writes them, and a
// value is replaced (Header.Set) or appended to (Header.Add, which with no
// room left copies), never changed in place. Three allocations fewer per
// answer.
var (
	nosniff  = []string{"nosniff"}
	noStore  = []string{"no-store"}
	jsonType = []string{"application/json"}
)

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = jsonType
	// A known length: net/http would otherwise chunk any body over 2 KiB.
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// recorder remembers the status and size of a response for the access log,
// and adds the headers that depend on what the handler found.
type recorder struct {
	http.ResponseWriter
	info   *requestInfo
	status int
	bytes  int
	wrote  bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
		r.headers()
	}
	r.ResponseWriter.WriteHeader(status)
}

// headers adds Agentry-Ignored-Fields when fields were ignored, and
// Connection: close when the request's framing cannot be trusted.
func (r *recorder) headers() {
	if r.info == nil {
		return
	}
	if len(r.info.ignored) > 0 {
		r.Header().Set(IgnoredFieldsHeader, ignoredList(r.info.ignored))
	}
	if r.info.close {
		r.Header().Set("Connection", "close")
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.headers()
	}
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}
