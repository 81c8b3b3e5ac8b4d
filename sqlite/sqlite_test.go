package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/sqlstore"
	"github.com/agentry/agentry/internal/storetest"
	"github.com/agentry/agentry/sqlite"
)

// TestStore runs the shared store contract against a fresh SQLite file per test.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) agentry.Store {
		return mustOpen(t, filepath.Join(t.TempDir(), "agentry.db"))
	})
}

func mustOpen(tb testing.TB, path string) *sqlstore.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestWALMode(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "agentry.db"))
	var mode string
	if err := s.W.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("writer journal_mode = %q, want wal", mode)
	}
	if err := s.R.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("reader journal_mode = %q, want wal", mode)
	}
}

type migrationRow struct {
	version   int
	name      string
	appliedAt int64
}

func migrationRows(tb testing.TB, s *sqlstore.Store) []migrationRow {
	tb.Helper()
	rows, err := s.W.QueryContext(context.Background(), `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []migrationRow
	for rows.Next() {
		var m migrationRow
		if err := rows.Scan(&m.version, &m.name, &m.appliedAt); err != nil {
			tb.Fatal(err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestMigrationsRecordedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agentry.db")
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migration files: %v", err)
	}

	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	first := migrationRows(t, s)
	if len(first) != len(files) {
		t.Fatalf("schema_migrations = %+v, want one row per file of %v", first, files)
	}
	for i, m := range first {
		// A migration's version is the number its file name starts with;
		// numbers may leave gaps (branches number theirs apart).
		name := filepath.Base(files[i])
		want, _ := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if m.name != name || m.version != want || m.appliedAt == 0 {
			t.Errorf("migration row %+v, want version %d named %s", m, want, name)
		}
	}
	ks := &agentry.KeyService{Store: s}
	key, err := ks.CreateKey(t.Context(), "prod", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Re-opening applies nothing again and keeps the data.
	s = mustOpen(t, path)
	if again := migrationRows(t, s); len(again) != len(first) || again[len(again)-1] != first[len(first)-1] {
		t.Errorf("after re-open: %+v, want %+v", again, first)
	}
	ks.Store = s
	if _, err := ks.Authenticate(t.Context(), key); err != nil {
		t.Errorf("key lost across re-open: %v", err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agentry.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.W.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 1)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(t.Context(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open of a database from a newer agentry succeeded")
	}
	for _, want := range []string{"9999", "newer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestOpenFails(t *testing.T) {
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	if err := os.WriteFile(notADir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(notADir, "agentry.db"), garbage} {
		if s, err := sqlite.Open(t.Context(), path); err == nil {
			s.Close()
			t.Errorf("Open(%s) succeeded", path)
		}
	}
}

// A database that cannot be written (here: SQLite's own read-only mode on
// the writer connection, the SQLITE_READONLY a read-only file gives) fails
// the write probe and every write with the unavailable error that wraps
// ErrReadOnly; reads go on. (e2e runs a server on a read-only file.)
func TestReadOnlyDatabase(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "agentry.db"))
	ctx := t.Context()
	if err := s.ProbeWrite(ctx); err != nil {
		t.Fatalf("writable: %v", err)
	}
	if _, err := s.W.ExecContext(ctx, `PRAGMA query_only = ON`); err != nil {
		t.Fatal(err)
	}
	wantReadOnly := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, agentry.ErrReadOnly) || agentry.ErrorCode(err) != agentry.EUNAVAILABLE {
			t.Errorf("%s: %v (%s), want EUNAVAILABLE wrapping ErrReadOnly", what, err, agentry.ErrorCode(err))
		}
	}
	wantReadOnly("ProbeWrite", s.ProbeWrite(ctx))
	ks := &agentry.KeyService{Store: s}
	_, err := ks.CreateKey(ctx, "w", "")
	wantReadOnly("a write", err)
	if has, err := ks.HasKeys(ctx); err != nil || has {
		t.Errorf("a read: %v, %v", has, err)
	}
	if _, err := s.W.ExecContext(ctx, `PRAGMA query_only = OFF`); err != nil {
		t.Fatal(err)
	}
	if err := s.ProbeWrite(ctx); err != nil {
		t.Errorf("writable again: %v", err)
	}
}
