// Package sqlite is agentry's embedded store: one SQLite file through the
// pure-Go modernc.org/sqlite driver, in WAL mode, with migrations applied at
// open.
package sqlite

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/agentry/agentry/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens (creating if needed) the SQLite database at path and applies
// pending migrations.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(ON)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	// Writers take the write lock when their transaction begins (IMMEDIATE), so
	// two writers never deadlock upgrading from a read lock; one connection
	// writes at a time anyway.
	w := openDB("file:" + path + "?" + q.Encode() + "&_txlock=immediate")
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	q.Add("_pragma", "query_only(ON)")
	r := openDB("file:" + path + "?" + q.Encode())
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)*2))
	r.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)*2))
	s := &sqlstore.Store{W: w, R: r, Dialect: sqlstore.Dialect{IsDuplicate: isDuplicate, IsUnavailable: isUnavailable,
		IsReadOnly: isReadOnly, Contains: "instr(%s, ?) > 0"}}
	// Processes opening a new file at the same moment can be refused the lock
	// that switching to WAL takes (SQLITE_BUSY, without waiting on
	// busy_timeout); they retry until the first one has finished.
	if err := retryBusy(ctx, func() error { return w.PingContext(ctx) }); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	ms, err := sqlstore.LoadMigrations(migrations, "migrations")
	if err != nil {
		s.Close()
		return nil, err
	}
	if err := retryBusy(ctx, func() error { _, err := s.Migrate(ctx, ms, "", time.Now); return err }); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate sqlite %s: %w", path, err)
	}
	// The change stamp (stamp.go): without it (not WAL, in memory, another
	// system) the store answers no stamp and nothing is cached by it.
	if st, err := openStamp(ctx, path, "file:"+path+"?"+q.Encode()); err == nil {
		s.Stamps, s.OnClose = st, st.close
	}
	return s, nil
}

// retryBusy runs f again while it fails with SQLITE_BUSY, for up to 10 s.
func retryBusy(ctx context.Context, f func() error) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := f()
		var e *sqlite.Error
		if err == nil || !errors.As(err, &e) || e.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func isDuplicate(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	c := e.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || c == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// isReadOnly reports a write refused because the file cannot be written:
// opened read-only (its mode, its directory, a read-only mount) or its disk
// full.
func isReadOnly(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL:
		return true
	}
	return false
}

func isUnavailable(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_BUSY:
		return true
	}
	return false
}
