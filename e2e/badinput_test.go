package e2e

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Input that once reached the database as it came (NUL characters in a
// name, an id, a page key or a search; a search longer than SQLite's LIKE
// limit) or that a client failed to deliver: each gets a clear 4xx, never a
// 500, and the same answer on SQLite and PostgreSQL.
func TestBadInputGetsTheSameAnswerOnEveryBackend(t *testing.T) {
	answers := map[string][]string{} // backend → "case: status message"
	eachBackend(t, func(t *testing.T, db *database) {
		s := startServer(t, "server", db.dsn)
		id := createAgent(t, s, map[string]any{"agent_name": "Front desk"})
		forged := base64.RawURLEncoding.EncodeToString([]byte("a|d|1767225600000|agent_\x00"))
		cases := []struct {
			name, method, path string
			body               any
			status             int
		}{
			{"NUL in a name", "POST", "/create-agent", agentBody(map[string]any{"agent_name": "front\x00desk"}), 400},
			{"NUL in a version title", "PATCH", "/update-agent/" + id, map[string]any{"version_title": "v\x00"}, 400},
			{"NUL in an agent id", "GET", "/get-agent/agent_%00", nil, 422},
			{"NUL in an agent id on a version endpoint", "GET", "/list-agent-versions/agent_%00x", nil, 404},
			{"NUL in an id to delete", "DELETE", "/delete-agent/agent_%00", nil, 422},
			{"NUL in a forged page key", "POST", "/v2/list-agents?pagination_key=" + forged, nil, 400},
			{"NUL in a page key", "POST", "/v2/list-agents?pagination_key=%00", nil, 400},
			{"NUL in a search", "POST", "/v2/list-agents", map[string]any{"filter_criteria": map[string]any{"query": "\x00"}}, 400},
			{"a search of 49,999 characters", "POST", "/v2/list-agents", map[string]any{"filter_criteria": map[string]any{"query": strings.Repeat("q", 49_999)}}, 200},
			{"a search with LIKE's wildcards", "POST", "/v2/list-agents", map[string]any{"filter_criteria": map[string]any{"query": "%_"}}, 200},
			{"version -0", "DELETE", "/delete-agent-version/" + id + "?version=-0", nil, 400},
			{"version 00", "GET", "/get-agent/" + id + "?version=00", nil, 400},
			{"an empty version", "GET", "/get-agent/" + id + "?version=", nil, 400},
			{"base_version -0", "POST", "/create-agent-version/" + id, `{"base_version":-0}`, 400},
			{"nested 10,000 deep", "PATCH", "/update-agent/" + id, `{"agent_name":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, 400},
			{"an unknown field, ignored", "PATCH", "/update-agent/" + id + "?version=0", map[string]any{"enable_voicemail_detection": true}, 200},
		}
		for _, c := range cases {
			r := s.must(t, 0, c.method, c.path, c.body)
			if r.status != c.status {
				t.Errorf("%s: %s, want %d", c.name, r, c.status)
			}
			msg := r.header.Get("Agentry-Ignored-Fields")
			if r.status >= 400 {
				if !r.isErrorEnvelope() {
					t.Errorf("%s: not the error envelope: %s", c.name, r)
				}
				msg, _ = r.object(t)["message"].(string)
			} else if items, _ := r.object(t)["items"].([]any); len(items) != 0 {
				t.Errorf("%s: %d items, want none", c.name, len(items))
			} else if _, stored := r.object(t)["enable_voicemail_detection"]; stored {
				t.Errorf("%s: the ignored field was stored: %s", c.name, r)
			}
			answers[db.kind] = append(answers[db.kind], fmt.Sprintf("%s: %d %s", c.name, r.status, msg))
		}
		// A body shorter than its Content-Length, then the client stops.
		status := shortBody(t, s.addr, "/update-agent/"+id)
		if status != 400 {
			t.Errorf("a body short of its Content-Length: %d, want 400", status)
		}
		answers[db.kind] = append(answers[db.kind], fmt.Sprintf("short body: %d", status))
		if strings.Contains(s.output.Tail(1<<20), "level=ERROR") {
			t.Errorf("bad input was logged as an error:\n%s", s.output.Tail(4<<10))
		}
		// Nothing changed.
		if got := getVersion(t, s, id, 0); got["agent_name"] != "Front desk" || got["version_title"] != nil {
			t.Errorf("the agent changed: %v", got)
		}
	})
	if sq, pg := answers["sqlite"], answers["postgres"]; len(sq) > 0 && len(pg) > 0 && strings.Join(sq, "\n") != strings.Join(pg, "\n") {
		t.Errorf("the backends answer differently:\nSQLite:\n%s\nPostgreSQL:\n%s", strings.Join(sq, "\n"), strings.Join(pg, "\n"))
	}
}

// shortBody sends a PATCH whose body stops 30 bytes short of its
// Content-Length, half-closes, and returns the status of the answer.
func shortBody(t *testing.T, addr, path string) int {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body, _ := json.Marshal(map[string]any{"agent_name": "never stored"})
	fmt.Fprintf(c, "PATCH %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		path, testKey, len(body)+30, body)
	c.(*net.TCPConn).CloseWrite()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to a short body: %v", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}
