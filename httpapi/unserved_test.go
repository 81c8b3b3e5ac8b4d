package httpapi_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// sdk4MediaPaths are retell-sdk 4.x's call and chat paths that 5.x moved
// elsewhere, so the reference (and docs/COVERAGE.md) no longer has them.
var sdk4MediaPaths = map[string]string{
	"POST /v2/create-web-call": "call media plane",
	"POST /v2/list-calls":      "call media plane",
	"GET /list-chat":           "chat media plane",
}

// notServed reads the operations docs/COVERAGE.md marks as not served, as
// "METHOD /path", with the reason it gives.
func notServed(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../docs/COVERAGE.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 8 || strings.TrimSpace(cells[5]) != "no" {
			continue
		}
		out[strings.TrimSpace(cells[2])+" "+strings.Trim(strings.TrimSpace(cells[3]), "`")] = strings.TrimSpace(cells[6])
	}
	if len(out) == 0 {
		t.Fatal("docs/COVERAGE.md lists no operation as not served")
	}
	return out
}

var pathParam = regexp.MustCompile(`\{[a-z_]+\}`)

// Retell's paths that agentry does not serve (the media plane, contacts)
// answer 404 with a message that says so and names the area, with or
// without a key; the 4.x call and chat paths too. Unknown paths keep their
// "no such endpoint", and a served path its 405.
func TestUnservedRetellPathsSaySo(t *testing.T) {
	e := newEnv(t, nil)
	paths := notServed(t)
	for k, v := range sdk4MediaPaths {
		paths[k] = v
	}
	for key, reason := range paths {
		method, path, _ := strings.Cut(key, " ")
		path = pathParam.ReplaceAllString(path, "x_1")
		area := "call media plane"
		switch {
		case strings.Contains(reason, "chat"):
			area = "chat media plane"
		case strings.Contains(reason, "contacts"):
			area = "contacts and CRM data"
		}
		for _, k := range []string{e.keyA, ""} {
			r := e.do(method, path, k, []byte(`{}`))
			wantError(t, r, 404, method+" "+path+" is Retell's "+area)
			wantError(t, r, 404, ", which agentry does not serve: agentry is the control plane")
		}
	}
	wantError(t, e.do("GET", "/v2/list-calls-of-mine", e.keyA, nil), 404, "no such endpoint: GET /v2/list-calls-of-mine")
	wantError(t, e.do("POST", "/get-concurrency", e.keyA, nil), 405, "allowed: GET")
}
