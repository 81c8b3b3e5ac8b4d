// Package e2e tests agentry as operators run it: the real binary, several
// processes on one database, killed with SIGKILL, stopped with SIGTERM, cut
// off from its database. Every test runs on SQLite (a temp file that the
// processes share) and on PostgreSQL (a fresh database per test on the
// server that AGENTRY_TEST_POSTGRES_URL names). Everything listens on
// 127.0.0.1 only.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	binDir  string
	binOnce sync.Once
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "agentry-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// agentryBin builds the binary once per test run, from the repository root.
func agentryBin(t testing.TB) string {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func buildBinary() (string, error) {
	binOnce.Do(func() {
		root, err := filepath.Abs("..")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(binDir, "agentry")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/agentry")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/agentry: %v\n%s", err, out)
		}
	})
	return binPath, binErr
}

// testKey is the API key every server of this run is given through
// AGENTRY_API_KEY.
var testKey = "key_" + randomHex(16)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// database is a fresh, empty database for one test.
type database struct {
	kind string // "sqlite" or "postgres"
	dsn  string
	// pgURL is the parsed DSN on PostgreSQL, for tests that reroute it.
	pgURL *url.URL
}

// eachBackend runs fn once on SQLite and once on PostgreSQL, each with a
// database of its own.
func eachBackend(t *testing.T, fn func(t *testing.T, db *database)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, &database{kind: "sqlite", dsn: filepath.Join(t.TempDir(), "agentry.db")})
	})
	t.Run("postgres", func(t *testing.T) { fn(t, postgresDB(t)) })
}

// postgresDB creates a database on the AGENTRY_TEST_POSTGRES_URL server,
// dropped (with its connections) when the test ends. Without that variable
// the test is skipped, or fails under CI, where a skip would hide it.
func postgresDB(t *testing.T) *database {
	t.Helper()
	base := os.Getenv("AGENTRY_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("AGENTRY_TEST_POSTGRES_URL is not set; CI must run the PostgreSQL tests")
		}
		t.Skip("AGENTRY_TEST_POSTGRES_URL is not set")
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("AGENTRY_TEST_POSTGRES_URL must be a postgres:// URL")
	}
	name := "agentry_e2e_" + randomHex(6)
	pgAdmin(t, base, "CREATE DATABASE "+name)
	t.Cleanup(func() { pgAdmin(t, base, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u.Path = "/" + name
	return &database{kind: "postgres", dsn: u.String(), pgURL: u}
}

func pgAdmin(t *testing.T, dsn, stmt string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to AGENTRY_TEST_POSTGRES_URL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// server is one running agentry process.
type server struct {
	t      *testing.T
	name   string
	addr   string // host:port it listens on
	url    string
	cmd    *exec.Cmd
	output *syncBuffer // standard output and standard error
	done   chan struct{}
	// waitErr is cmd.Wait's result, set before done is closed.
	waitErr error
}

var listening = regexp.MustCompile(`msg="agentry listening" addr=(\S+)`)

// startServers starts n servers on db at once, as replicas start, and waits
// until each answers /healthz.
func startServers(t *testing.T, db *database, n int, args ...string) []*server {
	t.Helper()
	srvs := make([]*server, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { srvs[i], errs[i] = launch(t, fmt.Sprintf("replica %c", 'A'+i), db.dsn, args) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return srvs
}

// startServer starts one server on dsn and waits until it answers /healthz.
func startServer(t *testing.T, name, dsn string, args ...string) *server {
	t.Helper()
	s, err := launch(t, name, dsn, args)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// launch starts a server; it reports failure as an error, not through t, so
// that it can run in any goroutine.
func launch(t *testing.T, name, dsn string, args []string) (*server, error) {
	bin, err := buildBinary()
	if err != nil {
		return nil, err
	}
	s := &server{t: t, name: name, output: &syncBuffer{}, done: make(chan struct{})}
	all := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--db-max-conns", "8",
		"--db-timeout", "2s", "--drain-timeout", "5s"}, args...)
	s.cmd = exec.Command(bin, all...)
	s.cmd.Env = append(environWithout("AGENTRY_"), "AGENTRY_API_KEY="+testKey)
	s.cmd.Stdout = s.output
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.output.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(s.output, stderr) // after an over-long line: keep draining
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.stop(10 * time.Second)
		if t.Failed() {
			t.Logf("%s (pid %d) output, last 6 KiB:\n%s", s.name, s.cmd.Process.Pid, s.output.Tail(6<<10))
		}
	})
	select {
	case s.addr = <-addr:
	case <-s.done:
		return nil, fmt.Errorf("%s exited before listening (%v):\n%s", name, s.waitErr, s.output.Tail(6<<10))
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("%s did not listen within 30s:\n%s", name, s.output.Tail(6<<10))
	}
	s.url = "http://" + s.addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := s.call("GET", "/healthz", nil)
		if err == nil && resp.status == http.StatusOK {
			return s, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: /healthz did not answer 200 within 10s (%v)", name, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// environWithout is the environment minus variables with prefix, so that an
// AGENTRY_* setting of the developer's shell does not change the servers.
func environWithout(prefix string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, prefix) {
			env = append(env, kv)
		}
	}
	return env
}

// exited reports whether the process has ended.
func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// signal sends sig unless the process has already ended.
func (s *server) signal(sig syscall.Signal) {
	if !s.exited() {
		_ = s.cmd.Process.Signal(sig)
	}
}

// stop sends SIGTERM and waits up to timeout, then SIGKILLs.
func (s *server) stop(timeout time.Duration) {
	s.signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(timeout):
		s.t.Errorf("%s did not stop within %v of SIGTERM; killing it", s.name, timeout)
		s.kill()
	}
}

// kill sends SIGKILL and waits for the process to end.
func (s *server) kill() {
	s.signal(syscall.SIGKILL)
	<-s.done
}

// response is a whole HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) String() string {
	return fmt.Sprintf("%d %s", r.status, bytes.TrimSpace(r.body))
}

// object decodes the body as a JSON object.
func (r *response) object(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response %s is not a JSON object: %v", r, err)
	}
	return m
}

// isErrorEnvelope reports whether r is {"status":"error","message":"..."}
// with a JSON content type.
func (r *response) isErrorEnvelope() bool {
	var e struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}
	return strings.HasPrefix(r.header.Get("Content-Type"), "application/json") &&
		json.Unmarshal(r.body, &e) == nil && e.Status == "error" && e.Message != ""
}

var httpClient = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 200, IdleConnTimeout: 30 * time.Second},
}

// call makes one request with the test key. body is JSON-encoded unless it
// is nil, a string or a []byte. headers are name, value pairs.
func (s *server) call(method, path string, body any, headers ...string) (*response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the body: %w", method, path, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// must makes a request that has to get an answer, and checks its status
// when want is not 0.
func (s *server) must(t testing.TB, want int, method, path string, body any, headers ...string) *response {
	t.Helper()
	r, err := s.call(method, path, body, headers...)
	if err != nil {
		t.Fatalf("%s: %s %s: %v", s.name, method, path, err)
	}
	if want != 0 && r.status != want {
		t.Fatalf("%s: %s %s: got %s, want %d", s.name, method, path, r, want)
	}
	return r
}

// agentBody is a valid create-agent body with extra fields added.
func agentBody(extra map[string]any) map[string]any {
	b := map[string]any{
		"voice_id":        "retell-Cimo",
		"response_engine": map[string]any{"type": "custom-llm", "llm_websocket_url": "wss://example.com/llm"},
	}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// createAgent creates an agent and returns its ID.
func createAgent(t testing.TB, s *server, extra map[string]any) string {
	t.Helper()
	id, _ := s.must(t, http.StatusCreated, "POST", "/create-agent", agentBody(extra)).object(t)["agent_id"].(string)
	if id == "" {
		t.Fatal("create-agent answered without agent_id")
	}
	return id
}

// getVersion returns version n of an agent as a JSON object.
func getVersion(t testing.TB, s *server, agentID string, n int64) map[string]any {
	t.Helper()
	return s.must(t, http.StatusOK, "GET", fmt.Sprintf("/get-agent/%s?version=%d", agentID, n), nil).object(t)
}

// versionSummary is one item of list-agent-versions.
type versionSummary struct {
	Version     int64  `json:"version"`
	IsPublished bool   `json:"is_published"`
	BaseVersion *int64 `json:"base_version"`
}

// listVersions returns every version of an agent from list-agent-versions.
func listVersions(t testing.TB, s *server, agentID string) []versionSummary {
	t.Helper()
	var page struct {
		Items   []versionSummary `json:"items"`
		HasMore bool             `json:"has_more"`
	}
	r := s.must(t, http.StatusOK, "GET", "/list-agent-versions/"+agentID+"?limit=1000", nil)
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatalf("list-agent-versions: %v: %s", err, r)
	}
	if page.HasMore {
		t.Fatalf("list-agent-versions of %s has more than 1000 versions", agentID)
	}
	return page.Items
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
}

// Tail returns the last n bytes written.
func (b *syncBuffer) Tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}
