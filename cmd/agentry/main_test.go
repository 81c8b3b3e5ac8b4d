package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

var keyLine = regexp.MustCompile(`^key_[0-9a-f]{32}\n$`)

// runApp runs the program in-process and returns what it printed.
func runApp(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{getenv: func(k string) string { return env[k] }, stdout: &out, stderr: &errb}
	err = a.run(context.Background(), args)
	return out.String(), errb.String(), err
}

func TestKeysCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	out, _, err := runApp(t, nil, "keys", "create", "--db", db, "--workspace", "team", "--label", "ci")
	if err != nil {
		t.Fatal(err)
	}
	if !keyLine.MatchString(out) {
		t.Fatalf("keys create printed %q, want the key and only the key", out)
	}
	key := strings.TrimSpace(out)

	// The database setting also comes from the environment.
	list, _, err := runApp(t, map[string]string{"AGENTRY_DB": db}, "keys", "list")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(list, key) || !strings.Contains(list, key[:12]) || !strings.Contains(list, "ci") {
		t.Fatalf("keys list must show the prefix and label, never the key:\n%s", list)
	}
	if _, _, err := runApp(t, nil, "keys", "revoke", "--db", db, key[:12]); err != nil {
		t.Fatal(err)
	}
	list, _, _ = runApp(t, nil, "keys", "list", "--db", db)
	if !strings.Contains(list, "revoked") {
		t.Fatalf("revoked key not shown as revoked:\n%s", list)
	}
	if _, _, err := runApp(t, nil, "keys", "revoke", "--db", db, "key_nope"); err == nil {
		t.Fatal("revoking an unknown key succeeded")
	}
}

func TestUsageAndHelp(t *testing.T) {
	out, _, err := runApp(t, nil, "help")
	if err != nil || !strings.Contains(out, "agentry serve") || !strings.Contains(out, "keys create") {
		t.Fatalf("help: %v\n%s", err, out)
	}
	out, _, err = runApp(t, nil, "serve", "--help")
	if err == nil || exitCode(err) == 2 || !strings.Contains(out, "AGENTRY_ADDR") || !strings.Contains(out, "AGENTRY_DB") {
		t.Fatalf("serve --help: %v (exit %d)\n%s", err, exitCode(err), out)
	}
	for _, args := range [][]string{{}, {"frobnicate"}, {"serve", "--no-such-flag"}, {"keys"}, {"serve", "--log-format", "xml"}} {
		if _, _, err := runApp(t, nil, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: err %v, exit %d; want a usage error (exit 2)", args, err, exitCode(err))
		}
	}
}

// startServe runs serve in-process on a free port until the test ends.
func startServe(t *testing.T, env map[string]string, args ...string) (url string, stdout *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	stdout = &syncBuffer{}
	a := &app{getenv: func(k string) string { return env[k] }, stdout: stdout, stderr: io.Discard,
		onListen: func(s string) { addr <- s }}
	done := make(chan error, 1)
	go func() { done <- a.run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	select {
	case s := <-addr:
		url = "http://" + s
	case err := <-done:
		t.Fatalf("serve exited: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after shutdown, want nil", err)
		}
	})
	return url, stdout
}

func status(t *testing.T, method, url, key string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestServeFirstStartPrintsAKeyOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	url, out := startServe(t, nil, "--db", db)
	keys := regexp.MustCompile(`key_[0-9a-f]{32}`).FindAllString(out.String(), -1)
	if len(keys) != 1 {
		t.Fatalf("first start printed %d keys, want 1:\n%s", len(keys), out)
	}
	if got := status(t, "POST", url+"/v2/list-agents", keys[0]); got != 200 {
		t.Fatalf("printed key: %d", got)
	}
	// A second server on the same database has a key already: it prints none.
	_, out2 := startServe(t, nil, "--db", db)
	if strings.Contains(out2.String(), "key_") {
		t.Fatalf("second start printed a key:\n%s", out2)
	}
}

func TestServeWithAGENTRY_API_KEY(t *testing.T) {
	const key = "key_0123456789abcdef0123456789abcdef"
	env := map[string]string{"AGENTRY_API_KEY": key, "AGENTRY_DB": filepath.Join(t.TempDir(), "a.db")}
	url, out := startServe(t, env)
	if out.String() != "" {
		t.Fatalf("with AGENTRY_API_KEY, serve printed %q", out)
	}
	if got := status(t, "POST", url+"/v2/list-agents", key); got != 200 {
		t.Fatalf("AGENTRY_API_KEY not accepted: %d", got)
	}
	if got := status(t, "POST", url+"/v2/list-agents", ""); got != 401 {
		t.Fatalf("no key: %d, want 401", got)
	}
	if got := status(t, "GET", url+"/healthz", ""); got != 200 {
		t.Fatalf("healthz: %d", got)
	}
	bad := map[string]string{"AGENTRY_API_KEY": "not-a-key", "AGENTRY_DB": env["AGENTRY_DB"]}
	if _, _, err := runApp(t, bad, "serve", "--addr", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "AGENTRY_API_KEY") {
		t.Fatalf("malformed AGENTRY_API_KEY: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runServe runs serve in-process and returns its error, or fails the test if
// it is still serving after d: the callers expect it to refuse to start.
func runServe(t *testing.T, d time.Duration, env map[string]string, args ...string) (stdout string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var out bytes.Buffer
	started := false
	a := &app{getenv: func(k string) string { return env[k] }, stdout: &out, stderr: io.Discard,
		onListen: func(string) { started = true; cancel() }}
	err = a.run(ctx, append([]string{"serve"}, args...))
	if started {
		t.Fatalf("serve %v started; want it to refuse", args)
	}
	return out.String(), err
}

func TestServeThatCannotListenCreatesNoKey(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	db := filepath.Join(t.TempDir(), "a.db")
	out, err := runServe(t, 10*time.Second, nil, "--db", db, "--addr", taken.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "--addr") {
		t.Fatalf("serve on a taken port: %v; want an error naming --addr", err)
	}
	if strings.Contains(out, "key_") {
		t.Fatalf("serve printed a key although it could not listen:\n%s", out)
	}
	// No key was created, so the next start, which can listen, shows one.
	_, out2 := startServe(t, nil, "--db", db)
	if keys := regexp.MustCompile(`key_[0-9a-f]{32}`).FindAllString(out2.String(), -1); len(keys) != 1 {
		t.Fatalf("the first start that listens printed %d keys, want 1:\n%s", len(keys), out2)
	}
}

func TestServeRefusesAnUppercaseAGENTRY_API_KEY(t *testing.T) {
	const upper = "key_0123456789ABCDEF0123456789ABCDEF"
	env := map[string]string{"AGENTRY_API_KEY": upper, "AGENTRY_DB": filepath.Join(t.TempDir(), "a.db")}
	_, err := runServe(t, 10*time.Second, env, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "AGENTRY_API_KEY must be "+keyFormat) {
		t.Fatalf("uppercase AGENTRY_API_KEY: %v; want %q", err, "AGENTRY_API_KEY must be "+keyFormat)
	}
	if strings.Contains(err.Error(), upper[4:]) {
		t.Fatalf("the error shows the key: %v", err)
	}
}

// The README states the key format in the words help and errors use, and
// every key it shows is one agentry accepts.
func TestREADMEStatesTheKeyFormat(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	// Markdown may wrap or mark up the phrase: compare words only.
	readme := strings.Join(strings.Fields(strings.ReplaceAll(string(b), "`", "")), " ")
	if !strings.Contains(readme, keyFormat) {
		t.Errorf("README.md does not say that a key is %q", keyFormat)
	}
	for _, k := range regexp.MustCompile(`key_[0-9A-Za-z<>]+`).FindAllString(readme, -1) {
		if !agentry.ValidKeyFormat(k) {
			t.Errorf("README.md shows %q, which is not %s", k, keyFormat)
		}
	}
	out, _, _ := runApp(t, nil, "serve", "--help")
	if !strings.Contains(strings.Join(strings.Fields(out), " "), keyFormat) {
		t.Errorf("serve --help does not say that AGENTRY_API_KEY must be %s:\n%s", keyFormat, out)
	}
}

// An environment value a flag cannot parse is an error that names the
// variable, never a silent default; the flag, when given, wins over it.
func TestBadEnvironmentValuesAreNamed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "agentry.db")
	for env, flag := range map[string]string{
		"AGENTRY_CACHE_MB":        "--cache-mb",
		"AGENTRY_ANSWER_CACHE_MB": "--answer-cache-mb",
		"AGENTRY_DRAIN_TIMEOUT":   "--drain-timeout",
		"AGENTRY_KEY_TTL":         "--key-ttl",
		"AGENTRY_REQUEST_TIMEOUT": "--request-timeout",
		"AGENTRY_CACHE_TTL":       "--cache-ttl",
		"AGENTRY_DB_MAX_CONNS":    "--db-max-conns",
		"AGENTRY_DB_TIMEOUT":      "--db-timeout",
		"AGENTRY_GC_PERCENT":      "--gc-percent",
	} {
		t.Run(env, func(t *testing.T) {
			_, _, err := runApp(t, map[string]string{env: "abc", "AGENTRY_DB": db}, "serve", "--addr", "127.0.0.1:0")
			if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), env+`="abc"`) || !strings.Contains(err.Error(), flag) {
				t.Fatalf("serve with %s=abc: %v; want a usage error naming the variable and %s", env, err, flag)
			}
		})
	}
	// migrate shares the database flags and their variables.
	if _, _, err := runApp(t, map[string]string{"AGENTRY_DB_MAX_CONNS": "many"}, "migrate", "--db", db); err == nil || !strings.Contains(err.Error(), "AGENTRY_DB_MAX_CONNS") {
		t.Errorf("migrate with AGENTRY_DB_MAX_CONNS=many: %v", err)
	}
	// The flag wins: a bad variable it overrides is never read.
	url, _ := startServe(t, map[string]string{"AGENTRY_CACHE_MB": "abc", "AGENTRY_DB": db}, "--cache-mb", "8")
	if got := status(t, "GET", url+"/healthz", ""); got != 200 {
		t.Errorf("serve --cache-mb 8 with AGENTRY_CACHE_MB=abc: healthz %d", got)
	}
}

// --gc-percent sets the collector's target unless GOGC is set and the flag
// is not; a value below 1 is refused before anything starts.
func TestGCPercent(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	for _, c := range []struct {
		flagSet bool
		percent int
		gogc    string
		want    string
		wantNow int
	}{
		{false, defaultGCPercent, "", "--gc-percent 50", 50},
		{true, 80, "", "--gc-percent 80", 80},
		{true, 30, "200", "--gc-percent 30", 30},
		{false, defaultGCPercent, "200", "GOGC=200", 100}, // the runtime read GOGC itself; left as it is
	} {
		debug.SetGCPercent(100)
		if got := setGCPercent(c.flagSet, c.percent, c.gogc); got != c.want {
			t.Errorf("flag set %v, %d, GOGC %q: %q, want %q", c.flagSet, c.percent, c.gogc, got, c.want)
		}
		if now := debug.SetGCPercent(100); now != c.wantNow {
			t.Errorf("flag set %v, %d, GOGC %q: the collector's target is %d, want %d", c.flagSet, c.percent, c.gogc, now, c.wantNow)
		}
	}
	db := filepath.Join(t.TempDir(), "agentry.db")
	for _, env := range []map[string]string{{"AGENTRY_DB": db}, {"AGENTRY_DB": db, "AGENTRY_GC_PERCENT": "0"}} {
		args := []string{"serve", "--addr", "127.0.0.1:0"}
		if len(env) == 1 {
			args = append(args, "--gc-percent", "0")
		}
		if _, _, err := runApp(t, env, args...); err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "--gc-percent must be at least 1") {
			t.Errorf("serve with a gc percent of 0 (%v): %v; want a usage error", env, err)
		}
	}
}

func TestPublishedVersionsAreTitledAfterTheGitCommit(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("x: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "Faster support\n\nSpeeds the voice up.")
	title, description := gitCommit(dir)
	if title != "Faster support" || !strings.HasPrefix(description, "Speeds the voice up.\n\ngit commit ") || strings.Contains(description, "uncommitted") {
		t.Fatalf("title %q, description %q", title, description)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("x: 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, description = gitCommit(dir); !strings.HasSuffix(description, "(the directory had uncommitted changes)") {
		t.Fatalf("a dirty directory: %q", description)
	}
	if title, description := gitCommit(t.TempDir()); title != "" || description != "" {
		t.Fatalf("outside a repository: %q %q", title, description)
	}
}

func TestServeDebugAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	debug := ln.Addr().String()
	ln.Close()
	api, _ := startServe(t, map[string]string{"AGENTRY_DEBUG_ADDR": debug}, "--db", filepath.Join(t.TempDir(), "a.db"))

	res, err := http.Get("http://" + debug + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "goroutine") {
		t.Fatalf("GET /debug/pprof/ on the debug address: %d\n%s", res.StatusCode, body)
	}
	if got := status(t, "GET", "http://"+debug+"/debug/vars", ""); got != 200 {
		t.Fatalf("GET /debug/vars: %d", got)
	}
	// The profiler is not on the API's port.
	if got := status(t, "GET", api+"/debug/pprof/", ""); got == 200 {
		t.Fatal("GET /debug/pprof/ on the API address answered 200")
	}

	// An address other hosts could reach is refused unless asked for.
	if _, _, err := runApp(t, nil, "serve", "--db", filepath.Join(t.TempDir(), "b.db"), "--debug-addr", "0.0.0.0:0"); err == nil || exitCode(err) != 2 {
		t.Fatalf("--debug-addr 0.0.0.0:0 without --debug-public: %v, want a usage error", err)
	}
}
