package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/schema"
	"github.com/agentry/agentry/sqlite"
)

// server is a real agentry server on a temp SQLite database, with one key,
// that remembers every request it served (to check what the console asks).
type server struct {
	t   *testing.T
	url string
	key string
	svc *agentry.Service
	who agentry.Caller // the key's caller, for writes straight through the service

	mu       sync.Mutex
	requests []string     // "METHOD /path?query"
	writes   []write      // every request that is not a GET, with its body
	api      http.Handler // the real API
}

// directHeader marks the test's own requests, so that what the server
// remembers is what the console asked.
const directHeader = "X-Console-Test-Direct"

// write is a request that is not a GET, as the server received it.
type write struct {
	line    string // "METHOD /path?query"
	ifMatch string
	body    string
}

func newServer(t *testing.T) *server {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "agentry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys := &agentry.KeyService{Store: st}
	key, err := keys.CreateKey(ctx, agentry.DefaultWorkspace, "console test")
	if err != nil {
		t.Fatal(err)
	}
	svc := &agentry.Service{Store: st, Rules: schema.Rules{}}
	api := &httpapi.Server{Service: svc, Keys: keys, Store: st, CacheBytes: 1 << 20, Logger: slog.New(slog.DiscardHandler)}
	who, err := keys.Authenticate(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, key: key, svc: svc, who: who}
	s.api = api.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line := r.Method + " " + r.URL.RequestURI()
		var body []byte
		if r.Method != http.MethodGet && r.Body != nil {
			body, _ = io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		s.mu.Lock()
		if r.Header.Get(directHeader) != "" {
			// The test's own call through the API: not the console's.
			s.mu.Unlock()
			s.api.ServeHTTP(w, r)
			return
		}
		s.requests = append(s.requests, line)
		if r.Method != http.MethodGet {
			s.writes = append(s.writes, write{line: line, ifMatch: r.Header.Get("If-Match"), body: string(body)})
		}
		s.mu.Unlock()
		s.api.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	s.url = ts.URL
	return s
}

// seen returns the requests served since mark (an index from mark()).
func (s *server) seen(mark int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests[mark:]...)
}

func (s *server) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// sent returns the writes whose line starts with prefix, in order.
func (s *server) sent(prefix string) []write {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []write
	for _, w := range s.writes {
		if strings.HasPrefix(w.line, prefix) {
			out = append(out, w)
		}
	}
	return out
}

// lastSent is the last write whose line starts with prefix; the test fails
// when there is none.
func (s *server) lastSent(prefix string) write {
	s.t.Helper()
	all := s.sent(prefix)
	if len(all) == 0 {
		s.t.Fatalf("the console sent no %s", prefix)
	}
	return all[len(all)-1]
}

// decode is a JSON body as a map; the test fails when it is not one.
func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("the body %q is not a JSON object: %v", body, err)
	}
	return m
}

// call sends one API request with the key and decodes a JSON answer.
func (s *server) call(method, path string, body any, header ...string) (int, map[string]any, http.Header) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(directHeader, "1")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out)
	}
	return res.StatusCode, out, res.Header
}

// manyAgents creates n voice agents straight through the service (an HTTP
// round trip each would make a large workspace slow to build).
func (s *server) manyAgents(n int) {
	s.t.Helper()
	for i := range n {
		f := agentry.Fields{
			"agent_name":      json.RawMessage(fmt.Sprintf("%q", fmt.Sprintf("Agent %05d", i))),
			"voice_id":        json.RawMessage(`"retell-Cimo"`),
			"response_engine": json.RawMessage(`{"type":"custom-llm","llm_websocket_url":"wss://example.com/llm"}`),
		}
		cfg, err := s.svc.CheckCreate(agentry.VoiceAgent, f)
		if err != nil {
			s.t.Fatal(err)
		}
		if _, err := s.svc.Create(context.Background(), s.who, cfg); err != nil {
			s.t.Fatal(err)
		}
	}
}

// must is call that fails the test unless the status is want.
func (s *server) must(want int, method, path string, body any) map[string]any {
	s.t.Helper()
	status, out, _ := s.call(method, path, body)
	if status != want {
		s.t.Fatalf("%s %s: status %d, want %d: %v", method, path, status, want, out)
	}
	return out
}

// chromium finds the browser. The tests never skip: without a browser they
// fail and say how to install one.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("the console's browser tests need headless Chromium and found none on PATH: " +
		"install it with `apt-get install -y chromium` (.ci/run installs it in CI)")
	return ""
}

// expectedFailure is an error answer a test provokes on purpose: the browser
// logs it ("Failed to load resource … status of 412"), and only these may
// appear in its console.
type expectedFailure struct {
	path   string
	status int
}

// browser is one headless Chromium tab with everything its console says.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	messages []chromedp.ConsoleMessage
	checked  int
	expected []expectedFailure
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	b := &browser{t: t, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.messages = append(b.messages, m)
			b.mu.Unlock()
		}
	}()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	return b
}

// do runs actions with a bound, so a broken page fails the test instead of
// hanging it.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v\n%s", what, err, b.pageText())
	}
}

// eval evaluates a JavaScript expression and decodes its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits until a JavaScript predicate holds. A predicate that throws
// (it read an element the view has not drawn yet) does not hold yet.
func (b *browser) waitFor(what, predicate string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	guarded := "(() => { try { return (" + predicate + "); } catch { return false; } })()"
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](guarded, chromedp.WithPollingTimeout(10*time.Second),
		chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.t.Fatalf("waiting for %s: %v\npage: %s", what, err, b.pageText())
	}
}

// waitText waits until the element that selector finds contains text.
func (b *browser) waitText(selector, text string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("%q in %s", text, selector), fmt.Sprintf(
		`[...document.querySelectorAll(%q)].some((el) => el.textContent.includes(%q))`, selector, text))
}

// pageText is what the page shows, for failure messages.
func (b *browser) pageText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash + "\n" + document.body.innerText`))
	if err != nil {
		return "(page text unavailable: " + err.Error() + ")"
	}
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return s
}

// expect records an error answer the next step provokes on purpose.
func (b *browser) expect(path string, status int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expected = append(b.expected, expectedFailure{path, status})
}

// checkConsole fails the test for any console error, warning or uncaught
// exception since the last check, except the failed requests announced with
// expect; and for any announced failure that did not happen.
func (b *browser) checkConsole(step string) {
	b.t.Helper()
	// Messages arrive asynchronously; give the last ones a moment.
	time.Sleep(150 * time.Millisecond)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.messages[b.checked:] {
		switch m.Type {
		case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
		default:
			continue
		}
		if m.Source == "network" {
			found := -1
			for i, e := range b.expected {
				if strings.Contains(m.URL, e.path) && strings.Contains(m.Text, fmt.Sprintf("status of %d", e.status)) {
					found = i
					break
				}
			}
			if found >= 0 {
				b.expected = append(b.expected[:found], b.expected[found+1:]...)
				continue
			}
		}
		b.t.Errorf("%s: the browser console says %s (%s:%d)", step, m, m.URL, m.Line)
	}
	for _, e := range b.expected {
		b.t.Errorf("%s: expected a failed request to %s with status %d; none was logged", step, e.path, e.status)
	}
	b.expected = nil
	b.checked = len(b.messages)
}

// screenshotDir is where screenshots go: docs/console when
// AGENTRY_CONSOLE_SCREENSHOTS is set (to refresh the documentation), else a
// temporary folder (the shots are still taken and checked, but a test run
// does not rewrite committed files).
func screenshotDir(t *testing.T) string {
	if os.Getenv("AGENTRY_CONSOLE_SCREENSHOTS") != "" {
		dir := filepath.Join("..", "docs", "console")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// shoot takes a full-page screenshot of the view at 1280 and 390 pixels wide
// and checks that at both widths the page needs no sideways scrolling. The
// narrow shot is what a phone's screen shows; with show, the element it
// finds is scrolled to the middle of that screen first.
func (b *browser) shoot(dir, name string, show ...string) {
	b.t.Helper()
	// A view's heading takes focus when the view opens, and shows it after
	// keyboard use; in a picture of the page the ring only distracts.
	b.do("unfocus the heading", chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.tagName === 'H1' && document.activeElement.blur()`))
	for _, width := range []int64{1280, 390} {
		height := int64(900)
		if width == 390 {
			height = 844
		}
		b.do("resize to "+fmt.Sprint(width), chromedp.EmulateViewport(width, height))
		b.waitFor("layout at the new width", fmt.Sprintf(`window.innerWidth === %d`, width))
		if over := eval[int](b, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
			b.t.Errorf("%s at %d px: the page is %d px wider than the window", name, width, over)
		}
		// A dialog or an error box clips what does not fit instead of
		// widening the page; the page check above cannot see that.
		if clipped := eval[[]string](b, `[...document.querySelectorAll('dialog, .error, .answer, .side')]
			.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.tagName + '.' + el.className)`); len(clipped) > 0 {
			b.t.Errorf("%s at %d px: text overflows %v", name, width, clipped)
		}
		// A toast is fixed to the viewport; in a full-page shot it would
		// float over the middle of the page.
		b.do("hide the toast", chromedp.Evaluate[chromedp.Void](`document.getElementById('toast').classList.remove('shown')`))
		b.waitFor("the toast to fade", `getComputedStyle(document.getElementById('toast')).opacity === '0'`)
		// The wide shot is the whole page; the narrow one is what a phone's
		// screen shows first.
		shot := chromedp.FullScreenshot(100)
		if width == 390 {
			shot = chromedp.CaptureScreenshot()
			for _, sel := range show {
				b.do("scroll to "+sel, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
					`document.querySelector(%q).scrollIntoView({block: 'center'})`, sel)))
			}
		}
		ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
		png, err := chromedp.Run(ctx, shot)
		cancel()
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, width)), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do("resize back", chromedp.EmulateViewport(1280, 900), chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	b.waitFor("layout back at 1280", `window.innerWidth === 1280`)
}
