package httpapi_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentry/agentry/httpapi"
)

// listening is a server started as serve starts it: through
// Server.Listen, with the given read timeouts.
type listening struct {
	*env
	addr string
	log  *logBuffer
}

func newListening(t *testing.T, headerTimeout, readTimeout time.Duration) *listening {
	t.Helper()
	l := &listening{log: &logBuffer{}}
	var srv *httpapi.Server
	l.env = newEnv(t, func(s *httpapi.Server) {
		logTo(l.log)(s)
		srv = s
	})
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Config.ReadHeaderTimeout, ts.Config.ReadTimeout = headerTimeout, readTimeout
	ts.Listener = srv.Listen(ts.Config, ts.Listener)
	ts.Start()
	t.Cleanup(ts.Close)
	l.url, l.addr = ts.URL, ts.Listener.Addr().String()
	return l
}

// exchange sends raw bytes on a new connection and reads one answer. With
// halfClose the client then closes its side, as a client that sent all it
// had does. closed reports whether the server closed the connection after
// the answer.
func (l *listening) exchange(t *testing.T, raw string, halfClose bool) (res *http.Response, body map[string]any, closed bool) {
	t.Helper()
	c, err := net.Dial("tcp", l.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	if halfClose {
		c.(*net.TCPConn).CloseWrite()
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	res, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer to %.60q: %v", raw, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if err := json.Unmarshal(b, &body); err != nil && len(b) > 0 {
		t.Errorf("answer body is not JSON: %q", b)
	}
	// A connection kept alive stays open past this (the server's idle
	// timeout is its read timeout, a second here); a closed one ends now.
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err = br.ReadByte()
	var ne net.Error
	closed = err != nil && !(errors.As(err, &ne) && ne.Timeout())
	return res, body, closed || res.Close
}

// wantEnvelope checks an answer the way wantError does, for raw answers.
func wantEnvelope(t *testing.T, res *http.Response, body map[string]any, status int, message string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("status %d, want %d: %v", res.StatusCode, status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if body["status"] != "error" || !strings.Contains(body["message"].(string), message) {
		t.Errorf("body %v, want the envelope with a message containing %q", body, message)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if !strings.HasPrefix(res.Header.Get("X-Request-Id"), "req_") {
		t.Errorf("X-Request-Id %q", res.Header.Get("X-Request-Id"))
	}
}

// noErrors fails if the server logged anything at ERROR: bad input is the
// client's mistake.
func (l *listening) noErrors(t *testing.T) {
	t.Helper()
	if lines := l.log.lines("level=ERROR"); len(lines) > 0 {
		t.Errorf("bad input was logged as an error:\n%s", strings.Join(lines, "\n"))
	}
}

func TestEveryAnswerIsNotSniffedNorCached(t *testing.T) {
	l := newListening(t, time.Second, time.Second)
	for _, c := range []struct{ method, path, key string }{
		{"GET", "/healthz", ""}, {"GET", "/readyz", ""}, {"POST", "/v2/list-agents", l.keyA},
		{"GET", "/no-such-thing", l.keyA}, {"POST", "/v2/list-agents", ""}, {"GET", "/openapi.json", l.keyA},
	} {
		r := l.do(c.method, c.path, c.key, nil)
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s (%d): X-Content-Type-Options %q, Cache-Control %q", c.method, c.path, r.status,
				r.header.Get("X-Content-Type-Options"), r.header.Get("Cache-Control"))
		}
	}
}

// The request id is the server's; the client's is logged beside it.
func TestClientRequestIDIsLoggedBesideTheServers(t *testing.T) {
	l := newListening(t, time.Second, time.Second)
	r := l.do("GET", "/healthz", "", nil, "X-Request-Id", "trace-123")
	id := r.header.Get("X-Request-Id")
	if !strings.HasPrefix(id, "req_") {
		t.Fatalf("X-Request-Id %q, want the server's own", id)
	}
	if lines := l.log.lines(`msg=request`, "request_id="+id, "client_request_id=trace-123"); len(lines) != 1 {
		t.Errorf("access log does not carry both ids:\n%s", l.log.String())
	}
	// A client id that could forge log fields is not logged at all.
	r = l.do("GET", "/healthz", "", nil, "X-Request-Id", "a b\tc")
	if lines := l.log.lines("request_id=" + r.header.Get("X-Request-Id")); len(lines) != 1 || strings.Contains(lines[0], "client_request_id") {
		t.Errorf("unprintable client id logged: %q", lines)
	}
}

func TestUnsupportedContentEncodingIs415(t *testing.T) {
	l := newListening(t, time.Second, time.Second)
	r := l.do("POST", "/create-agent", l.keyA, []byte("\x1f\x8b not json"), "Content-Encoding", "gzip")
	wantError(t, r, 415, `Content-Encoding "gzip" is not supported`)
	if r := l.do("POST", "/v2/list-agents", l.keyA, []byte(`{}`), "Content-Encoding", "identity"); r.status != 200 {
		t.Errorf("identity: %d %s", r.status, r.body)
	}
}

// A request with both Transfer-Encoding and Content-Length is answered and
// its connection closed; a plain request keeps its connection.
func TestTransferEncodingWithContentLengthClosesTheConnection(t *testing.T) {
	l := newListening(t, time.Second, time.Second)
	auth := "Authorization: Bearer " + l.keyA + "\r\n"
	res, _, closed := l.exchange(t, "POST /v2/list-agents HTTP/1.1\r\nHost: x\r\n"+auth+
		"Content-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", false)
	if res.StatusCode != 200 || !closed || !res.Close {
		t.Errorf("status %d, Connection: close %v, closed %v; want an answer, then the connection closed", res.StatusCode, res.Close, closed)
	}
	res, _, closed = l.exchange(t, "POST /v2/list-agents HTTP/1.1\r\nHost: x\r\n"+auth+"Content-Length: 2\r\n\r\n{}", false)
	if res.StatusCode != 200 || closed {
		t.Errorf("a plain request: status %d, closed %v; want the connection kept", res.StatusCode, closed)
	}
}

// net/http answers these itself, before any handler; they keep the JSON
// envelope.
func TestProtocolErrorsKeepTheEnvelope(t *testing.T) {
	l := newListening(t, time.Second, time.Second)
	for _, c := range []struct {
		name, raw string
		status    int
		message   string
	}{
		{"headers over the limit", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 2*httpapi.MaxHeaderBytes) + "\r\n\r\n",
			431, "request headers: larger than the limit of 16 KiB"},
		{"HTTP version", "GET /healthz HTTP/3.0\r\nHost: x\r\n\r\n", 505, "HTTP version not supported"},
		{"no Host", "GET /healthz HTTP/1.1\r\n\r\n", 400, "malformed request: missing required Host header"},
		{"bad request line", "GET\r\n\r\n", 400, "malformed request"},
		{"unknown transfer coding", "POST /v2/list-agents HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "Transfer-Encoding not supported"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, body, closed := l.exchange(t, c.raw, false)
			wantEnvelope(t, res, body, c.status, c.message)
			if !closed {
				t.Error("connection not closed")
			}
		})
	}
	// Headers that stall past ReadHeaderTimeout: 408, then closed.
	short := newListening(t, 200*time.Millisecond, time.Second)
	res, body, closed := short.exchange(t, "GET /healthz HTTP/1.1\r\nHost: x\r\n", false)
	wantEnvelope(t, res, body, 408, "request headers: not received within the server's header timeout")
	if !closed {
		t.Error("connection not closed after the header timeout")
	}
	l.noErrors(t)
	short.noErrors(t)
}

// A body the client could not deliver is its own mistake: 400 or 408 with
// the envelope, never a 500 nor an ERROR in the log.
func TestUndeliveredBodiesAreClientErrors(t *testing.T) {
	l := newListening(t, time.Second, 300*time.Millisecond)
	head := "POST /create-agent HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + l.keyA + "\r\nContent-Type: application/json\r\n"
	t.Run("shorter than its Content-Length", func(t *testing.T) {
		res, body, closed := l.exchange(t, head+"Content-Length: 100\r\n\r\n{\"voice_id\":", true)
		wantEnvelope(t, res, body, 400, "request body: ended after 12 bytes, before the 100 bytes its Content-Length announced")
		if !closed {
			t.Error("connection not closed")
		}
	})
	t.Run("a bad chunk", func(t *testing.T) {
		res, body, _ := l.exchange(t, head+"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", false)
		wantEnvelope(t, res, body, 400, "request body: could not be read")
	})
	t.Run("a chunked body cut short", func(t *testing.T) {
		res, body, _ := l.exchange(t, head+"Transfer-Encoding: chunked\r\n\r\n20\r\n{\"voice", true)
		wantEnvelope(t, res, body, 400, "request body: could not be read")
	})
	t.Run("a body that stalls", func(t *testing.T) {
		res, body, closed := l.exchange(t, head+"Content-Length: 100\r\n\r\n{\"voice_id\":", false)
		wantEnvelope(t, res, body, 408, "request body: not received within the server's read timeout")
		if !closed {
			t.Error("connection not closed")
		}
	})
	t.Run("a client that hangs up mid-body", func(t *testing.T) {
		c, err := net.Dial("tcp", l.addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, head+"Content-Length: 100\r\n\r\n{\"voice_id\":")
		c.(*net.TCPConn).SetLinger(0) // a reset, as a killed client sends
		c.Close()
		// The server logs the request when it gives up on it.
		deadline := time.Now().Add(5 * time.Second)
		for len(l.log.lines("msg=request", "path=/create-agent")) < 5 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	})
	if lines := l.log.lines("msg=request", "path=/create-agent"); len(lines) != 5 {
		t.Errorf("want 5 requests logged, got:\n%s", strings.Join(lines, "\n"))
	}
	if lines := l.log.lines("msg=request", "path=/create-agent", "status=499"); len(lines) != 1 {
		t.Errorf("the client that hung up is not logged as gone (499):\n%s", l.log.String())
	}
	if lines := l.log.lines("status=500"); len(lines) > 0 {
		t.Errorf("undelivered bodies answered 500:\n%s", strings.Join(lines, "\n"))
	}
	l.noErrors(t)
	if n := len(l.do("POST", "/v2/list-agents", l.keyA, nil).json(t)["items"].([]any)); n != 0 {
		t.Errorf("%d agents were created from bodies never delivered", n)
	}
}
