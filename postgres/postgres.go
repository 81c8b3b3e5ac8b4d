// Package postgres is agentry's shared store: one PostgreSQL database that
// any number of agentry replicas use at once, through pgx's database/sql
// driver so that internal/sqlstore serves it exactly as it serves SQLite.
// Migrations are applied at open, under an advisory lock.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the key of the transaction-scoped advisory lock that
// Migrate holds, so that replicas starting together apply each migration
// once. It is "agentry" in ASCII; any fixed value unlikely to collide with
// another application's advisory locks on the same database would do.
const migrationLock int64 = 0x61_67_65_6e_74_72_79

// Defaults for zero Options fields.
const (
	DefaultMaxConns    = 10
	DefaultConnTimeout = 5 * time.Second
)

// Options tunes the connection pool of one agentry process.
type Options struct {
	// MaxConns is the most connections this process opens (DefaultMaxConns
	// when 0). Replicas × MaxConns must stay below the server's
	// max_connections.
	MaxConns int
	// ConnTimeout bounds each connection attempt, so that an unreachable
	// server fails a request instead of hanging it. When 0, the DSN's
	// connect_timeout applies, or DefaultConnTimeout without one.
	ConnTimeout time.Duration

	// tracer, for tests, sees every query and batch the store's connections
	// send.
	tracer pgx.QueryTracer
}

// Open connects to the PostgreSQL database that dsn names (a postgres:// URL
// or a key=value string), checks that it answers, and applies pending
// migrations. An unreachable server is an error wrapping
// an *agentry.Error with code EUNAVAILABLE.
func Open(ctx context.Context, dsn string, opts Options) (*sqlstore.Store, error) {
	s, err := newStore(dsn, opts)
	if err != nil {
		return nil, err
	}
	if err := s.W.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open postgres: %w", classify(err))
	}
	ms, err := sqlstore.LoadMigrations(migrations, "migrations")
	if err != nil {
		s.Close()
		return nil, err
	}
	lock := fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLock)
	if _, err := s.Migrate(ctx, ms, lock, time.Now); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate postgres: %w", classify(err))
	}
	return s, nil
}

// newStore builds the store without connecting: connections are made as
// transactions need them.
func newStore(dsn string, opts Options) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: invalid DSN: %s", parseReason(err))
	}
	switch {
	case opts.ConnTimeout > 0:
		cfg.ConnectTimeout = opts.ConnTimeout
	case cfg.ConnectTimeout == 0:
		cfg.ConnectTimeout = DefaultConnTimeout
	}
	if opts.tracer != nil {
		cfg.Tracer = opts.tracer
	}
	n := opts.MaxConns
	if n <= 0 {
		n = DefaultMaxConns
	}
	db := stdlib.OpenDB(*cfg)
	// Reads and writes share these n connections; sqlstore queues requests
	// for them first come, first served (its gate), so that database/sql's
	// random pick among waiters never leaves one waiting behind later ones.
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	// Recycle connections now and then so that a failover or a load balancer
	// in front of the database rebalances them, and let idle ones go after a
	// burst.
	db.SetConnMaxLifetime(30 * time.Minute)
	db.SetConnMaxIdleTime(5 * time.Minute)
	stamps := newSnapshotStamps(stdlib.OpenDB(*cfg))
	return &sqlstore.Store{
		W:       db,
		R:       db,
		Stamps:  stamps,
		OnClose: stamps.close,
		Dialect: sqlstore.Dialect{
			Numbered:      true,
			ForUpdate:     " FOR UPDATE",
			IsDuplicate:   isDuplicate,
			IsUnavailable: isUnavailable,
			IsReadOnly:    isReadOnly,
			IsStaleConn:   isStaleConn,
			Contains:      "strpos(%s, ?) > 0",
			// A write's statements go out several at a time (pipeline.go);
			// its BEGIN is WriteOpts's, below.
			Pipeline:      pipeline,
			PipelineBegin: "BEGIN ISOLATION LEVEL READ COMMITTED",
		},
		// Writes to one agent serialize on its row lock (LockAgent, SELECT …
		// FOR UPDATE), which under READ COMMITTED rereads the row that the
		// previous writer committed instead of failing with a serialization
		// error.
		WriteOpts: &sql.TxOptions{Isolation: sql.LevelReadCommitted},
		// A read sees one snapshot across all its statements, as a SQLite read
		// transaction does; read-only REPEATABLE READ never fails to serialize.
		ReadOpts: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	}, nil
}

// parseReason says why a DSN did not parse without quoting the DSN, which
// may hold a password (pgx redacts it only on a best-effort basis, and
// url.Parse not at all).
func parseReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) && pe.Unwrap() != nil {
		return pe.Unwrap().Error()
	}
	return "not a postgres:// URL or key=value string"
}

// classify turns errors that mean the server could not be reached into the
// domain's unavailable error.
func classify(err error) error {
	if isUnavailable(err) {
		return agentry.Unavailable(err)
	}
	return err
}

// SQLSTATE codes, see https://www.postgresql.org/docs/current/errcodes-appendix.html.
const (
	uniqueViolation     = "23505"
	connectionException = "08" // the class: 08000, 08003, 08006, 08001, 08004, …
	adminShutdown       = "57P01"
	crashShutdown       = "57P02"
	cannotConnectNow    = "57P03"
	readOnlyTx          = "25006" // a read-only transaction: a hot standby, default_transaction_read_only
	diskFull            = "53100"
)

// isReadOnly reports a write the server refused because it cannot write
// now: a read-only database or replica, or a full disk.
func isReadOnly(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == readOnlyTx || e.Code == diskFull)
}

func isDuplicate(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == uniqueViolation
}

// isUnavailable reports errors that mean the server cannot be reached or
// dropped the connection, by type and SQLSTATE; a query the server rejected
// is not one.
func isUnavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, connectionException),
			pe.Code == adminShutdown, pe.Code == crashShutdown, pe.Code == cannotConnectNow:
			return true
		}
		// A server-side error inside a failed connect (bad password, unknown
		// database) still leaves this process without a database.
		var ce *pgconn.ConnectError
		return errors.As(err, &ce)
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) ||
		errors.As(err, &ne) ||
		errors.Is(err, driver.ErrBadConn) ||
		// A pooled connection that the server or the network dropped.
		errors.Is(err, pgconn.ErrConnClosed) ||
		// The server closed the connection mid-message.
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// isStaleConn reports the failure of a pooled connection that the server
// had closed (an administrator's or a restart's termination), found on its
// first use: pgx guarantees nothing was sent, or the server ended the session
// before running anything.
func isStaleConn(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == adminShutdown || pe.Code == crashShutdown
	}
	return pgconn.SafeToRetry(err) || errors.Is(err, driver.ErrBadConn)
}
