package httpapi

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// The access log: one line per request. Through slog it took 7.7% of the
// CPU of a cached get-agent at 64 clients (docs/BENCHMARKS.md), a third of
// all the work agentry adds to net/http's, most of it in slog's generic
// handling of a record (its attributes, their kinds, the options' hooks). So
// when the server is given the log's writer and format (Server.AccessLog),
// it writes the line itself, the same bytes that slog's text or JSON
// handler (with no options) would write for that record. Anything the fast
// path does not cover (a string that would need quoting or escaping, a
// duration slog would write in exponent form) goes to the logger as before;
// a test compares the two for many requests.

// accessLine is what one access log line says.
type accessLine struct {
	at              time.Time
	requestID       string
	method, path    string
	status, bytes   int
	durationMS      float64
	clientRequestID string // "" when none
}

// attrs are the line's attributes, in the order they are written.
func (l *accessLine) attrs() []slog.Attr {
	attrs := []slog.Attr{slog.String("request_id", l.requestID), slog.String("method", l.method),
		slog.String("path", l.path), slog.Int("status", l.status), slog.Int("bytes", l.bytes),
		slog.Float64("duration_ms", l.durationMS)}
	if l.clientRequestID != "" {
		attrs = append(attrs, slog.String("client_request_id", l.clientRequestID))
	}
	return attrs
}

// logAccess writes the line: by the fast path when it can, else through the
// logger.
func (s *Server) logAccess(ctx context.Context, l *accessLine) {
	if s.AccessLog != nil {
		bp := linePool.Get().(*[]byte)
		b, ok := appendAccessLine((*bp)[:0], l, s.AccessLogJSON)
		if ok {
			_, _ = s.AccessLog.Write(b)
		}
		*bp = b
		linePool.Put(bp)
		if ok {
			return
		}
	}
	if h := s.logger().Handler(); h.Enabled(ctx, slog.LevelInfo) {
		r := slog.NewRecord(l.at, slog.LevelInfo, "request", 0)
		r.AddAttrs(l.attrs()...)
		_ = h.Handle(ctx, r)
	}
}

var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// appendAccessLine appends the line as slog's text handler (or JSON) would
// write it, or reports false if the fast path does not cover it.
func appendAccessLine(b []byte, l *accessLine, json bool) ([]byte, bool) {
	if !plain(l.requestID) || !plain(l.method) || !plain(l.path) ||
		l.clientRequestID != "" && !plain(l.clientRequestID) ||
		!(l.durationMS == 0 || l.durationMS >= 1e-4 && l.durationMS < 1e6) {
		return b, false
	}
	if json {
		b = append(b, `{"time":"`...)
		b = l.at.AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","level":"INFO","msg":"request","request_id":"`...)
		b = append(b, l.requestID...)
		b = append(b, `","method":"`...)
		b = append(b, l.method...)
		b = append(b, `","path":"`...)
		b = append(b, l.path...)
		b = append(b, `","status":`...)
		b = strconv.AppendInt(b, int64(l.status), 10)
		b = append(b, `,"bytes":`...)
		b = strconv.AppendInt(b, int64(l.bytes), 10)
		b = append(b, `,"duration_ms":`...)
		b = strconv.AppendFloat(b, l.durationMS, 'f', -1, 64)
		if l.clientRequestID != "" {
			b = append(b, `,"client_request_id":"`...)
			b = append(b, l.clientRequestID...)
			b = append(b, '"')
		}
		return append(b, "}\n"...), true
	}
	b = append(b, "time="...)
	b = appendMillis(b, l.at)
	b = append(b, " level=INFO msg=request request_id="...)
	b = append(b, l.requestID...)
	b = append(b, " method="...)
	b = append(b, l.method...)
	b = append(b, " path="...)
	b = append(b, l.path...)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(l.status), 10)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, int64(l.bytes), 10)
	b = append(b, " duration_ms="...)
	b = strconv.AppendFloat(b, l.durationMS, 'g', -1, 64)
	if l.clientRequestID != "" {
		b = append(b, " client_request_id="...)
		b = append(b, l.clientRequestID...)
	}
	return append(b, '\n'), true
}

// plain reports a non-empty string of printable ASCII that neither format
// quotes or escapes: no space, quote, backslash, '=' (text) or HTML
// character (JSON).
func plain(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c <= ' ' || c >= 0x7f, c == '"', c == '\\', c == '=', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// appendMillis appends t in RFC 3339 with exactly three decimals of the
// second, as slog's text handler writes a record's time.
func appendMillis(b []byte, t time.Time) []byte {
	const prefix = len("2006-01-02T15:04:05.000")
	n := len(b)
	// RFC3339Nano drops trailing zeros: a tenth of a millisecond added to
	// the truncated time keeps four digits, and the fourth is cut.
	b = t.Truncate(time.Millisecond).Add(time.Millisecond/10).AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefix], b[n+prefix+1:]...)
}
