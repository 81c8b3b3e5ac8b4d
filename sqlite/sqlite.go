// Package sqlite is agentry's embedded store: one SQLite file through the
// pure-Go modernc.org/sqlite driver, in WAL mode, with migrations applied at
// open.
package sqlite

import (
	"context"
	"database/sql"
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
	w, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode()+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	q.Add("_pragma", "query_only(ON)")
	r, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)*2))
	r.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)*2))
	s := &sqlstore.Store{W: w, R: r, Dialect: sqlstore.Dialect{IsDuplicate: isDuplicate, IsUnavailable: isUnavailable}}
	if err := w.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	ms, err := sqlstore.LoadMigrations(migrations, "migrations")
	if err != nil {
		s.Close()
		return nil, err
	}
	if _, err := s.Migrate(ctx, ms, "", time.Now); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate sqlite %s: %w", path, err)
	}
	return s, nil
}

func isDuplicate(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	c := e.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || c == sqlite3.SQLITE_CONSTRAINT_UNIQUE
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
