package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"
)

// The access log line the server writes itself is, byte for byte, the one
// slog's text and JSON handlers write for the same record; what the fast
// path does not cover reaches the logger and is written by slog.
func TestAccessLineIsWhatSlogWrites(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	india := time.FixedZone("IST", 5*3600+1800)
	times := []time.Time{
		time.Date(2026, 11, 29, 11, 7, 59, 123456789, time.UTC),
		time.Date(2026, 11, 29, 11, 7, 59, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 999999999, berlin),
		time.Date(2026, 6, 30, 23, 59, 59, 100000, india),
		time.Date(2026, 6, 30, 23, 59, 59, 1000000, time.Local),
		time.Now(), // with a monotonic reading
	}
	paths := []string{"/get-agent/agent_0123456789abcdef", "/list-agents", "/get-agent/a?b",
		"/path with space", `/quote"d`, "/back\\slash", "/eq=ual", "/<html>&", "/ünïcode", "/bad\xffutf8", "",
		"/tab\there"}
	methods := []string{"GET", "PATCH", "M E"}
	durations := []float64{0, 0.001, 0.123, 1.5, 12.345, 29999.999, 1e6, 2.5e6, 0.00001}
	clients := []string{"", "client-7", "with space", `q"`, "ñ"}
	n, fast := 0, 0
	for _, json := range []bool{false, true} {
		for i, at := range times {
			for j, path := range paths {
				for k, d := range durations {
					l := &accessLine{at: at, requestID: fmt.Sprintf("req_%016x", i*1000+j*10+k), method: methods[(j+k)%len(methods)],
						path: path, status: 200 + j, bytes: 1000 * k, durationMS: d, clientRequestID: clients[(i+j+k)%len(clients)]}
					var want bytes.Buffer
					var h slog.Handler = slog.NewTextHandler(&want, nil)
					if json {
						h = slog.NewJSONHandler(&want, nil)
					}
					r := slog.NewRecord(l.at, slog.LevelInfo, "request", 0)
					r.AddAttrs(l.attrs()...)
					if err := h.Handle(context.Background(), r); err != nil {
						t.Fatal(err)
					}

					var got bytes.Buffer
					s := &Server{AccessLog: &got, AccessLogJSON: json}
					if json {
						s.Logger = slog.New(slog.NewJSONHandler(&got, nil))
					} else {
						s.Logger = slog.New(slog.NewTextHandler(&got, nil))
					}
					s.logAccess(context.Background(), l)
					if got.String() != want.String() {
						t.Fatalf("json %v:\n got  %q\n want %q", json, got.String(), want.String())
					}
					n++
					if _, ok := appendAccessLine(nil, l, json); ok {
						fast++
					}
				}
			}
		}
	}
	// Most lines of this set take the fast path; the others the logger.
	if fast == 0 || fast == n {
		t.Errorf("%d of %d lines by the fast path; the set should exercise both", fast, n)
	}
}

// Without AccessLog, the line goes through the logger.
func TestAccessLineWithoutAWriterGoesToTheLogger(t *testing.T) {
	var buf bytes.Buffer
	s := &Server{Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	s.logAccess(context.Background(), &accessLine{at: time.Now(), requestID: "req_1", method: "GET", path: "/x", status: 200})
	if !bytes.Contains(buf.Bytes(), []byte("msg=request request_id=req_1 method=GET path=/x status=200")) {
		t.Errorf("logger got %q", buf.String())
	}
}
