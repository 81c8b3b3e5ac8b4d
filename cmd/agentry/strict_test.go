package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// --strict and AGENTRY_STRICT reach both the service's rules (configuration
// bodies) and httpapi (the other bodies); without them unknown fields are
// ignored and named.
func TestServeStrictMode(t *testing.T) {
	const key = "key_0123456789abcdef0123456789abcdef"
	send := func(t *testing.T, url, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		io.Copy(io.Discard, res.Body)
		return res.StatusCode, res.Header.Get("Agentry-Ignored-Fields")
	}
	const agent = `{"voice_id":"v","response_engine":{"type":"custom-llm","llm_websocket_url":"wss://x"},"enable_voicemail_detection":true}`
	const list = `{"page":2}`
	for _, c := range []struct {
		name   string
		env    map[string]string
		args   []string
		strict bool
	}{
		{"default", nil, nil, false},
		{"flag", nil, []string{"--strict"}, true},
		{"environment", map[string]string{"AGENTRY_STRICT": "true"}, nil, true},
		{"flag wins", map[string]string{"AGENTRY_STRICT": "true"}, []string{"--strict=false"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"AGENTRY_API_KEY": key, "AGENTRY_DB": filepath.Join(t.TempDir(), "a.db")}
			for k, v := range c.env {
				env[k] = v
			}
			url, _ := startServe(t, env, c.args...)
			for _, r := range []struct{ path, body, field string }{
				{"/create-agent", agent, "enable_voicemail_detection"},
				{"/v2/list-agents", list, "page"},
			} {
				status, ignored := send(t, url, r.path, r.body)
				switch {
				case c.strict && status != 400:
					t.Errorf("%s: %d, want 400", r.path, status)
				case !c.strict && (status >= 300 || ignored != r.field):
					t.Errorf("%s: %d ignoring %q, want 2xx ignoring %s", r.path, status, ignored, r.field)
				}
			}
		})
	}
}
