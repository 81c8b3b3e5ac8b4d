package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/sqlstore"
	"github.com/agentry/agentry/postgres"
	"github.com/agentry/agentry/sqlite"
)

// dbConfig is the database flags every command shares.
type dbConfig struct {
	dsn         string
	maxConns    int
	connTimeout time.Duration
	sqliteSync  string // serve's --sqlite-synchronous; "" is SQLite's default, normal
	sqliteGroup int    // serve's --sqlite-group-commit; 0 is the default
}

// dbFlags adds --db (AGENTRY_DB) and the pool flags to fs.
func (a *app) dbFlags(fs *flag.FlagSet) *dbConfig {
	c := &dbConfig{}
	fs.StringVar(&c.dsn, "db", "./agentry.db",
		"database: a SQLite file path, or a postgres:// URL (AGENTRY_DB)")
	fs.IntVar(&c.maxConns, "db-max-conns", 10,
		"PostgreSQL: most connections in the pool (AGENTRY_DB_MAX_CONNS)")
	fs.DurationVar(&c.connTimeout, "db-timeout", 5*time.Second,
		"PostgreSQL: how long to wait to connect before a request fails (AGENTRY_DB_TIMEOUT)")
	a.fromEnv(fs, "db", "AGENTRY_DB")
	a.fromEnv(fs, "db-max-conns", "AGENTRY_DB_MAX_CONNS")
	a.fromEnv(fs, "db-timeout", "AGENTRY_DB_TIMEOUT")
	return c
}

// openStore opens the store that the config names and applies pending
// migrations.
func openStore(ctx context.Context, c *dbConfig) (agentry.Store, error) {
	var st *sqlstore.Store
	var err error
	if isPostgres(c.dsn) {
		st, err = postgres.Open(ctx, c.dsn, postgres.Options{MaxConns: c.maxConns, ConnTimeout: c.connTimeout})
	} else {
		st, err = sqlite.OpenWith(ctx, strings.TrimPrefix(c.dsn, "sqlite://"), sqlite.Options{Synchronous: c.sqliteSync, GroupCommit: c.sqliteGroup})
	}
	if err != nil {
		// Not st: a nil *sqlstore.Store in an agentry.Store is not a nil interface.
		return nil, err
	}
	return st, nil
}

func (a *app) migrate(ctx context.Context, args []string) error {
	fs := a.flagSet("migrate [--db DSN]", "Applies every pending database migration, then exits. Every other command\napplies them too when it opens the database; this one is for deploy steps.\n")
	db := a.dbFlags(fs)
	if err := a.parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(a.stderr, "agentry: database is up to date")
	return nil
}

// isPostgres reports whether dsn names a PostgreSQL database.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}
