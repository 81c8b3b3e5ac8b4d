package console_test

import (
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/agentry/agentry/console"
)

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// The console is served by the API server itself: its page without a key,
// under a strict CSP, with types, caching and errors a browser can rely on.
func TestConsoleIsServed(t *testing.T) {
	s := newServer(t)
	t.Run("/console redirects to /console/", func(t *testing.T) {
		res, _ := get(t, s.url+"/console")
		// net/http's redirect from a subtree's root to the subtree: temporary,
		// so no browser remembers it beyond what the server says.
		if res.StatusCode != http.StatusTemporaryRedirect || res.Header.Get("Location") != "/console/" {
			t.Errorf("GET /console: %d Location %q, want 307 to /console/", res.StatusCode, res.Header.Get("Location"))
		}
	})
	res, page := get(t, s.url+"/console/")
	t.Run("the page needs no key and carries the security headers", func(t *testing.T) {
		if res.StatusCode != 200 {
			t.Fatalf("GET /console/: %d", res.StatusCode)
		}
		want := map[string]string{
			"Content-Type":            "text/html; charset=utf-8",
			"Content-Security-Policy": console.CSP,
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"Cache-Control":           "no-cache",
		}
		for k, v := range want {
			if got := res.Header.Get(k); got != v {
				t.Errorf("%s: %q, want %q", k, got, v)
			}
		}
		for _, directive := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
			"img-src 'self' data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(console.CSP, directive) {
				t.Errorf("the CSP lacks %s", directive)
			}
		}
		if strings.Contains(console.CSP, "unsafe") {
			t.Errorf("the CSP allows something unsafe: %s", console.CSP)
		}
	})
	t.Run("the page has no inline script or style and names this build's assets", func(t *testing.T) {
		if regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`).MatchString(page) || strings.Contains(page, "<style") ||
			strings.Contains(page, "style=") || regexp.MustCompile(`\son[a-z]+=`).MatchString(page) {
			t.Errorf("inline script or style in the page:\n%s", page)
		}
		if !strings.Contains(page, `src="`+console.Build()+`/app.js"`) || strings.Contains(page, "%ASSETS%") {
			t.Errorf("the page does not load app.js from the build folder %s:\n%s", console.Build(), page)
		}
	})
	t.Run("a page already held is not sent again, and a new build is", func(t *testing.T) {
		etag := res.Header.Get("ETag")
		again, body := get(t, s.url+"/console/", "If-None-Match", etag)
		if etag == "" || again.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("If-None-Match %s: %d, want 304", etag, again.StatusCode)
		}
		other, _ := get(t, s.url+"/console/", "If-None-Match", `"an-older-build"`)
		if other.StatusCode != 200 {
			t.Errorf("an older build's ETag: %d, want 200", other.StatusCode)
		}
	})
	t.Run("assets have their types and are cached for good under the build's name", func(t *testing.T) {
		for name, ctype := range map[string]string{
			"app.js": "text/javascript; charset=utf-8", "views/agents.js": "text/javascript; charset=utf-8",
			"console.css": "text/css; charset=utf-8", "icon.svg": "image/svg+xml",
		} {
			res, body := get(t, s.url+"/console/"+console.Build()+"/"+name)
			if res.StatusCode != 200 || body == "" {
				t.Errorf("%s: %d", name, res.StatusCode)
				continue
			}
			if got := res.Header.Get("Content-Type"); got != ctype {
				t.Errorf("%s: Content-Type %q, want %q", name, got, ctype)
			}
			if got := res.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("%s: Cache-Control %q", name, got)
			}
			if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Content-Security-Policy") != console.CSP {
				t.Errorf("%s: security headers missing", name)
			}
		}
	})
	t.Run("anything else is the API's 404, with the same headers", func(t *testing.T) {
		for _, path := range []string{
			"/console/" + console.Build() + "/nothing.js",
			"/console/0123456789abcdef/app.js", // another build's asset
			"/console/app.js",                  // not under a build
			"/console/" + console.Build() + "/index.html",
		} {
			res, body := get(t, s.url+path)
			if res.StatusCode != 404 || !strings.Contains(body, `"status":"error"`) || !strings.Contains(body, "not found") {
				t.Errorf("%s: %d %s", path, res.StatusCode, body)
			}
			if res.Header.Get("Content-Security-Policy") != console.CSP || res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: the error lacks the security headers", path)
			}
		}
		status, out, header := s.call("POST", "/console/", nil)
		if status != 405 || header.Get("Allow") != "GET, HEAD" || out["status"] != "error" {
			t.Errorf("POST /console/: %d Allow %q %v", status, header.Get("Allow"), out)
		}
	})
	t.Run("the API is not in the console's document and the console not in the API's", func(t *testing.T) {
		_, doc := get(t, s.url+"/openapi.json", "Authorization", "Bearer "+s.key)
		if !strings.Contains(doc, `"/create-agent"`) || strings.Contains(doc, `"/console/"`) {
			t.Error("/openapi.json lists the console, or is not the API document")
		}
	})
}

// The console's code never builds markup from strings or evaluates code:
// every text goes in as text (the CSP would block inline code anyway; this
// keeps data from the API from ever becoming markup).
func TestConsoleCodeBuildsNoMarkupFromStrings(t *testing.T) {
	err := filepath.WalkDir("web", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
			".style.", "setAttribute('style'", "localStorage", "document.cookie"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s uses %s", p, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
