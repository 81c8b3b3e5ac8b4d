package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// MaxHeaderBytes bounds the request line and headers of one request (net/http
// allows a little more for its own buffering, and answers 431 beyond). Real
// requests carry a few hundred bytes; net/http's default is 1 MiB.
const MaxHeaderBytes = 16 << 10

// Listen prepares hs to serve the API on ln and returns the listener to
// serve on. It bounds request headers (MaxHeaderBytes) and keeps the JSON
// error envelope on the answers that net/http writes itself, before any
// handler runs: a malformed request (400), headers over the limit (431), an
// unsupported transfer coding (501) or HTTP version (505), all of which it
// writes as plain text straight to the connection; and headers that do not
// arrive within ReadHeaderTimeout, where it closes the connection without a
// word (here: 408 first).
func (s *Server) Listen(hs *http.Server, ln net.Listener) net.Listener {
	hs.MaxHeaderBytes = MaxHeaderBytes
	prev := hs.ConnState
	hs.ConnState = func(c net.Conn, state http.ConnState) {
		if pc, ok := c.(*protoConn); ok {
			pc.state.Store(int32(state))
			if state == http.StateIdle {
				pc.pending.Store(0)
			}
		}
		if prev != nil {
			prev(c, state)
		}
	}
	return &protoListener{Listener: ln, s: s}
}

type protoListener struct {
	net.Listener
	s *Server
}

func (l *protoListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &protoConn{Conn: c, s: l.s}, nil
}

// protoConn is one client connection as net/http sees it, watched for the
// answers net/http writes itself.
type protoConn struct {
	net.Conn
	s *Server
	// state is the http.ConnState net/http last reported: StateActive while
	// a handler serves a request (whose body errors the handler answers).
	state atomic.Int32
	// pending counts the bytes read since the connection was last idle:
	// more than none means a request has begun.
	pending  atomic.Int64
	answered atomic.Bool
}

func (c *protoConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	active := http.ConnState(c.state.Load()) == http.StateActive
	if n > 0 && !active {
		c.pending.Add(int64(n))
	}
	// A deadline that passes while a request's headers are arriving is
	// ReadHeaderTimeout; with nothing pending it is the idle timeout of a
	// kept-alive connection, which needs no answer.
	if err != nil && !active && c.pending.Load() > 0 && errors.Is(err, os.ErrDeadlineExceeded) {
		c.answer(http.StatusRequestTimeout, "request headers: not received within the server's header timeout")
	}
	return n, err
}

// CloseWrite half-closes the connection when the one underneath can, as
// net/http does before it hangs up on a client still sending (431).
func (c *protoConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// goErrorHeaders is how net/http's own error answers follow their status
// line; no answer of a handler here has them (every one is JSON).
var goErrorHeaders = []byte("\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n")

func (c *protoConn) Write(b []byte) (int, error) {
	if status, text, ok := goErrorAnswer(b); ok {
		c.answer(status, protocolMessage(status, text))
		return len(b), nil
	}
	return c.Conn.Write(b)
}

// goErrorAnswer recognises an error answer that net/http writes itself and
// returns its status and the text after the code.
func goErrorAnswer(b []byte) (status int, text string, ok bool) {
	line, rest, found := bytes.Cut(b, []byte("\r\n"))
	if !found || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) || len(line) < 12 ||
		!bytes.HasPrefix(rest, goErrorHeaders[2:]) {
		return 0, "", false
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, "", false
	}
	return status, string(bytes.TrimSpace(line[12:])), true
}

// protocolMessage words net/http's error answers as agentry's messages.
func protocolMessage(status int, text string) string {
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		return fmt.Sprintf("request headers: larger than the limit of %d KiB", MaxHeaderBytes>>10)
	case http.StatusHTTPVersionNotSupported:
		return "HTTP version not supported: send HTTP/1.1 (or HTTP/1.0)"
	case http.StatusNotImplemented:
		return "Transfer-Encoding not supported: send the body with a Content-Length, or chunked"
	case http.StatusBadRequest:
		if _, detail, ok := bytes.Cut([]byte(text), []byte(": ")); ok {
			return "malformed request: " + string(detail)
		}
		return "malformed request: the request line or headers could not be read"
	}
	return text
}

// answer writes one error answer with the JSON envelope straight to the
// connection, which net/http then closes; it is logged at info, as the
// client's mistake. Only the first answer of a connection is written.
func (c *protoConn) answer(status int, message string) {
	if c.answered.Swap(true) {
		return
	}
	id := newRequestID()
	body, _ := json.Marshal(errorBody{Status: "error", Message: message})
	head := fmt.Sprintf("HTTP/1.1 %d %s\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: %d\r\n"+
		"Content-Type: application/json\r\nX-Content-Type-Options: nosniff\r\nX-Request-Id: %s\r\n\r\n",
		status, http.StatusText(status), len(body), id)
	_ = c.Conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.Conn.Write(append([]byte(head), body...))
	c.s.logger().Info("protocol error", "request_id", id, "status", status, "remote", c.RemoteAddr().String(), "message", message)
}
