package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/sqlstore"
)

// serveCase is a serve command line (flags and environment) and the value
// the store serve opens should then have.
type serveCase struct {
	env  map[string]string
	args []string
	want int
}

// checkServeCases runs serve with each case until it listens, reads a value
// of the store it opened, and compares it with the case's.
func checkServeCases(t *testing.T, what string, cases []serveCase, read func(*sqlstore.Store) int) {
	t.Helper()
	for _, c := range cases {
		ctx, cancel := context.WithCancel(context.Background())
		got := -1
		env := map[string]string{"AGENTRY_DB": filepath.Join(t.TempDir(), "agentry.db")}
		for k, v := range c.env {
			env[k] = v
		}
		a := &app{getenv: func(k string) string { return env[k] }, stdout: io.Discard, stderr: io.Discard,
			onStore:  func(st agentry.Store) { got = read(st.(*sqlstore.Store)) },
			onListen: func(string) { cancel() }}
		if err := a.run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, c.args...)); err != nil {
			t.Fatalf("serve %v with %v: %v", c.args, c.env, err)
		}
		if got != c.want {
			t.Errorf("serve %v with %v: %s is %d, want %d", c.args, c.env, what, got, c.want)
		}
	}
}

// serve --sqlite-synchronous (or AGENTRY_SQLITE_SYNCHRONOUS) sets SQLite's
// synchronous pragma on the store serve opens: 1 is NORMAL, 2 is FULL.
func TestServeSQLiteSynchronous(t *testing.T) {
	checkServeCases(t, "PRAGMA synchronous", []serveCase{
		{nil, nil, 1},
		{nil, []string{"--sqlite-synchronous", "full"}, 2},
		{map[string]string{"AGENTRY_SQLITE_SYNCHRONOUS": "full"}, nil, 2},
		{map[string]string{"AGENTRY_SQLITE_SYNCHRONOUS": "full"}, []string{"--sqlite-synchronous", "normal"}, 1},
	}, func(st *sqlstore.Store) int {
		got := -1
		if err := st.W.QueryRow("PRAGMA synchronous").Scan(&got); err != nil {
			t.Error(err)
		}
		return got
	})
}

func TestServeSQLiteSynchronousRefusesOtherValues(t *testing.T) {
	db := filepath.Join(t.TempDir(), "agentry.db")
	for _, v := range []string{"off", "FULL", "extra", ""} {
		_, _, err := runApp(t, map[string]string{"AGENTRY_DB": db}, "serve", "--addr", "127.0.0.1:0", "--sqlite-synchronous", v)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "--sqlite-synchronous") ||
			!strings.Contains(err.Error(), "normal or full") {
			t.Errorf("--sqlite-synchronous %q: %v; want a usage error naming the flag and normal or full", v, err)
		}
	}
}

// serve --sqlite-group-commit (or AGENTRY_SQLITE_GROUP_COMMIT) sets the most
// writes the store commits together; 64 by default.
func TestServeSQLiteGroupCommit(t *testing.T) {
	checkServeCases(t, "the group commit's size", []serveCase{
		{nil, nil, 64},
		{nil, []string{"--sqlite-group-commit", "1"}, 1},
		{map[string]string{"AGENTRY_SQLITE_GROUP_COMMIT": "200"}, nil, 200},
		{map[string]string{"AGENTRY_SQLITE_GROUP_COMMIT": "200"}, []string{"--sqlite-group-commit", "8"}, 8},
	}, func(st *sqlstore.Store) int { return st.GroupCommit })
}

func TestServeSQLiteGroupCommitRefusesOtherValues(t *testing.T) {
	db := filepath.Join(t.TempDir(), "agentry.db")
	for _, v := range []string{"0", "-1", "1025", "many"} {
		_, _, err := runApp(t, map[string]string{"AGENTRY_DB": db}, "serve", "--addr", "127.0.0.1:0", "--sqlite-group-commit", v)
		// A number out of range is told the range; a word, that it is not a number.
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "sqlite-group-commit") ||
			(v != "many" && !strings.Contains(err.Error(), "from 1 to 1024")) {
			t.Errorf("--sqlite-group-commit %q: %v; want a usage error naming the flag and its range", v, err)
		}
	}
}
