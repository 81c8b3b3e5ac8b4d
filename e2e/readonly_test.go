package e2e

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// A database that cannot be written: serve refuses to start on it, with a
// line that says so, instead of passing its health checks and failing every
// write. SQLite: a read-only file; PostgreSQL: a database whose
// transactions are read only (as on a hot standby).
func TestServeRefusesADatabaseItCannotWrite(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		bin := agentryBin(t)
		var dsn string
		var cred *syscall.Credential
		switch db.kind {
		case "sqlite":
			// The file must be read only to the server: root writes any file,
			// so as root the server runs as nobody, from a copy of the binary
			// nobody can run.
			dir := worldDir(t)
			bin = copyBinary(t, bin, dir)
			dsn = filepath.Join(dir, "agentry.db")
			migrate(t, bin, dsn)
			if err := os.Chmod(dsn, 0o444); err != nil {
				t.Fatal(err)
			}
			if os.Geteuid() == 0 {
				cred = &syscall.Credential{Uid: 65534, Gid: 65534}
			}
		case "postgres":
			migrate(t, bin, db.dsn)
			u := *db.pgURL
			q := u.Query()
			q.Set("default_transaction_read_only", "on")
			u.RawQuery = q.Encode()
			dsn = u.String()
		}
		out, err := runUntilExit(t, bin, cred, "serve", "--addr", "127.0.0.1:0", "--db", dsn)
		if err == nil {
			t.Fatalf("serve started on a database it cannot write:\n%s", out)
		}
		if !strings.Contains(out, "agentry needs a database it can write") || !strings.Contains(out, "cannot be written") {
			t.Errorf("serve exited (%v) without saying the database cannot be written:\n%s", err, out)
		}
		if strings.Contains(out, "agentry listening") {
			t.Errorf("serve listened before refusing:\n%s", out)
		}
	})
}

// /readyz is 503 while the database cannot write and 200 again once it
// can, with the server running throughout. PostgreSQL: the database turned
// read only; SQLite: a file size limit on the server process, as a full
// disk refuses the write-ahead log's next page.
func TestReadinessFollowsAServerThatCannotWrite(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		s := startServer(t, "server", db.dsn, "--ready-probe-interval", "50ms")
		s.must(t, 200, "GET", "/readyz", nil)
		createAgent(t, s, nil)

		var cannot, can func()
		switch db.kind {
		case "postgres":
			name := strings.TrimPrefix(db.pgURL.Path, "/")
			// New sessions start read only; the server's pooled ones are cut,
			// so that it reconnects into the new setting.
			reconnect := func() {
				pgAdmin(t, db.dsn, fmt.Sprintf(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s' AND pid <> pg_backend_pid()`, name))
			}
			cannot = func() {
				pgAdmin(t, baseURL(db), "ALTER DATABASE "+name+" SET default_transaction_read_only = on")
				reconnect()
			}
			can = func() {
				pgAdmin(t, baseURL(db), "ALTER DATABASE "+name+" RESET default_transaction_read_only")
				reconnect()
			}
		case "sqlite":
			pid := s.cmd.Process.Pid
			cannot = func() { setFileSizeLimit(t, pid, 1) }
			can = func() { setFileSizeLimit(t, pid, ^uint64(0)) }
		}

		cannot()
		waitReady(t, s, 503)
		if r := s.must(t, 0, "POST", "/create-agent", agentBody(nil)); r.status != 503 {
			t.Errorf("a write while the database cannot write: %s, want 503", r)
		}
		if r := s.must(t, 0, "POST", "/v2/list-agents", nil); r.status != 200 {
			t.Errorf("a read while the database cannot write: %s, want 200", r)
		}
		can()
		waitReady(t, s, 200)
		createAgent(t, s, nil)
	})
}

// waitReady polls /readyz until it answers want.
func waitReady(t *testing.T, s *server, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := s.call("GET", "/readyz", nil)
		if err == nil && r.status == want {
			if want != 200 && !strings.Contains(string(r.body), "database") {
				t.Errorf("/readyz %d without saying why: %s", r.status, r)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz did not answer %d within 20s (last: %v %v)", want, r, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// baseURL is the test server's own database, to alter another from.
func baseURL(db *database) string {
	u, _ := url.Parse(os.Getenv("AGENTRY_TEST_POSTGRES_URL"))
	return u.String()
}

// worldDir is a directory every user can enter and write, removed when the
// test ends.
func worldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "agentry-e2e-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyBinary copies bin into dir, runnable by everyone.
func copyBinary(t *testing.T, bin, dir string) string {
	t.Helper()
	src, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst := filepath.Join(dir, "agentry")
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, src); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// migrate creates and migrates the database, as the current user.
func migrate(t *testing.T, bin, dsn string) {
	t.Helper()
	cmd := exec.Command(bin, "migrate", "--db", dsn)
	cmd.Env = environWithout("AGENTRY_")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("agentry migrate: %v\n%s", err, out)
	}
}

// runUntilExit runs the binary (as cred's user, when set) until it exits,
// and returns its output; a server that is still running after 30 s is
// killed and reported.
func runUntilExit(t *testing.T, bin string, cred *syscall.Credential, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(environWithout("AGENTRY_"), "AGENTRY_API_KEY="+testKey)
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("still running after 30 s:\n%s", out)
	}
	return string(out), err
}

// setFileSizeLimit sets the soft limit on the size of files process pid
// writes (RLIMIT_FSIZE), as a full disk would stop them growing; the hard
// limit stays.
func setFileSizeLimit(t *testing.T, pid int, soft uint64) {
	t.Helper()
	var old syscall.Rlimit
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), syscall.RLIMIT_FSIZE, 0,
		uintptr(unsafe.Pointer(&old)), 0, 0); e != 0 {
		t.Fatalf("prlimit get: %v", e)
	}
	limit := syscall.Rlimit{Cur: min(soft, old.Max), Max: old.Max}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), syscall.RLIMIT_FSIZE,
		uintptr(unsafe.Pointer(&limit)), 0, 0, 0); e != 0 {
		t.Fatalf("prlimit set: %v", e)
	}
}
