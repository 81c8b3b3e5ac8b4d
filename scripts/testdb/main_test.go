package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// runTestdb runs the program in-process with CI set or not.
func runTestdb(t *testing.T, ci bool, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "CI" && ci {
			return "true"
		}
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status = run(ctx, args, getenv, &out, &errb)
	return status, out.String(), errb.String()
}

// assertOneLine checks that create printed no URL and one line that starts
// with want and says how to use another server.
func assertOneLine(t *testing.T, stdout, stderr, want string) {
	t.Helper()
	if stdout != "" {
		t.Errorf("stdout %q, want nothing (no database)", stdout)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr must be exactly one line, got %q", stderr)
	}
	if !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "AGENTRY_TEST_POSTGRES_URL=") {
		t.Errorf("stderr %q, want a line starting %q that names AGENTRY_TEST_POSTGRES_URL", stderr, want)
	}
}

func TestCreateWhenNothingAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // now nothing listens there
	server := "postgres://postgres@" + addr + "/postgres?sslmode=disable"

	status, out, errOut := runTestdb(t, false, "create", "--server", server)
	if status != 0 {
		t.Errorf("outside CI: exit %d, want 0 so that the other tests run", status)
	}
	assertOneLine(t, out, errOut, "no PostgreSQL answers on "+addr+";")
	if !strings.Contains(errOut, "will skip") {
		t.Errorf("outside CI the line must say the tests skip: %q", errOut)
	}

	status, out, errOut = runTestdb(t, true, "create", "--server", server)
	if status == 0 {
		t.Error("in CI: exit 0, want a failure")
	}
	assertOneLine(t, out, errOut, "no PostgreSQL answers on "+addr+";")
}

// A server that answers but refuses the login, the case that stopped
// make test with exit 2: a role that does not exist on the local server.
func TestCreateWhenTheServerRefuses(t *testing.T) {
	requireLocalServer(t)
	role := "agentry_no_such_role_" + randomHex(4)
	server := "postgres://" + role + "@127.0.0.1:5432/postgres?sslmode=disable"
	want := "PostgreSQL on 127.0.0.1:5432 refused to create a test database as role \"" + role + "\": "

	status, out, errOut := runTestdb(t, false, "create", "--server", server)
	if status != 0 {
		t.Errorf("outside CI: exit %d, want 0 so that the other tests run", status)
	}
	assertOneLine(t, out, errOut, want)

	status, out, errOut = runTestdb(t, true, "create", "--server", server)
	if status == 0 {
		t.Error("in CI: exit 0, want a failure")
	}
	assertOneLine(t, out, errOut, want)
	if !strings.Contains(errOut, "CI must run the PostgreSQL tests") {
		t.Errorf("in CI the line must say why it fails: %q", errOut)
	}
}

func TestCreateAndDrop(t *testing.T) {
	requireLocalServer(t)
	status, out, errOut := runTestdb(t, false, "create")
	if status != 0 || out == "" {
		if !mustRun() {
			t.Skipf("the local server gives no database to role postgres: %s", errOut)
		}
		t.Fatalf("create: exit %d, stderr %q", status, errOut)
	}
	dbURL := strings.TrimSpace(out)
	if errOut != "" || !strings.HasPrefix(dbURL, "postgres://postgres@127.0.0.1:5432/agentry_test_") {
		t.Fatalf("create printed %q (stderr %q), want only a URL of a new database", out, errOut)
	}
	ping(t, dbURL)
	if status, _, errOut := runTestdb(t, false, "drop", dbURL); status != 0 {
		t.Fatalf("drop: exit %d: %s", status, errOut)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, dbURL); err == nil {
		conn.Close(ctx)
		t.Fatal("the database is still there after drop")
	}
}

// mustRun says the PostgreSQL tests must run: in CI, or when the caller
// named a test server (AGENTRY_TEST_POSTGRES_URL) and so expects one.
func mustRun() bool {
	return os.Getenv("CI") != "" || os.Getenv("AGENTRY_TEST_POSTGRES_URL") != ""
}

// requireLocalServer skips the test unless something listens on
// 127.0.0.1:5432; where PostgreSQL must run (mustRun), it fails instead.
func requireLocalServer(t *testing.T) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:5432", 2*time.Second)
	if err != nil {
		if mustRun() {
			t.Fatalf("PostgreSQL must answer on 127.0.0.1:5432 (CI or AGENTRY_TEST_POSTGRES_URL is set): %v", err)
		}
		t.Skipf("no PostgreSQL on 127.0.0.1:5432: %v", err)
	}
	c.Close()
}

func ping(t *testing.T, dbURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect to the new database: %v", err)
	}
	defer conn.Close(ctx)
	if err := conn.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
