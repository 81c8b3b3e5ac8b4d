package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"os"
	"strings"
	"sync"
	"time"
)

// The driver parses and plans every query anew and throws the plan away
// (database/sql's own prepared statements need a second pool connection to
// prepare on, which the one-connection writer pool does not have). Parsing
// was a fifth of the CPU of a draft read. So each connection keeps its
// prepared statements by query text and reuses them: the store's queries
// are a small fixed set.

// maxCachedStmts bounds the statements one connection keeps.
const maxCachedStmts = 64

// registered is the driver that package sqlite registers as "sqlite", so
// that its connections are set up exactly as sql.Open's would be.
var registered = func() driver.Driver {
	db, err := sql.Open("sqlite", "")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	return db.Driver()
}()

// connector opens driver connections that cache prepared statements.
type connector struct {
	dsn string
	// On the writer's connector: the log's file and its limit in bytes.
	// Past the limit, the writer empties the log before its next
	// transaction (see emptyLog).
	walPath  string
	walLimit int64
	// checkpointing is held by whoever checkpoints in this process.
	checkpointing *sync.Mutex
}

func openDB(dsn string) *sql.DB { return sql.OpenDB(&connector{dsn: dsn}) }

func (c *connector) Connect(context.Context) (driver.Conn, error) {
	dc, err := registered.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{conn: dc, stmts: map[string]*cachedStmt{}, walPath: c.walPath, walLimit: c.walLimit,
		checkpointing: c.checkpointing}, nil
}

func (c *connector) Driver() driver.Driver { return registered }

// cachingConn is a driver connection with its prepared statements. Like
// every driver.Conn, it is used by one goroutine at a time.
type cachingConn struct {
	conn          driver.Conn
	stmts         map[string]*cachedStmt
	walPath       string
	walLimit      int64
	checkpointing *sync.Mutex
}

type cachedStmt struct {
	stmt driver.Stmt
	busy bool // rows of it are open: a second use prepares anew
}

var (
	_ driver.QueryerContext     = (*cachingConn)(nil)
	_ driver.ExecerContext      = (*cachingConn)(nil)
	_ driver.ConnBeginTx        = (*cachingConn)(nil)
	_ driver.ConnPrepareContext = (*cachingConn)(nil)
	_ driver.Pinger             = (*cachingConn)(nil)
	_ driver.SessionResetter    = (*cachingConn)(nil)
	_ driver.Validator          = (*cachingConn)(nil)
)

// cached returns the statement for query, preparing it on first use; nil
// when it should not be cached (a script, a busy statement, a full cache).
func (c *cachingConn) cached(ctx context.Context, query string) (*cachedStmt, error) {
	if cs, ok := c.stmts[query]; ok {
		if cs.busy {
			return nil, nil
		}
		return cs, nil
	}
	if len(c.stmts) >= maxCachedStmts || strings.Contains(query, ";") {
		return nil, nil
	}
	st, err := c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{stmt: st}
	c.stmts[query] = cs
	return cs, nil
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.cached(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.cached(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.conn.Prepare(query) }

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.walPath != "" {
		// The log's file is cut back to the limit whenever the log starts
		// over (journal_size_limit), so a larger file is a log that the
		// background checkpoints have not kept up with.
		if fi, err := os.Stat(c.walPath); err == nil && fi.Size() > c.walLimit {
			if err := c.emptyLog(ctx); err != nil {
				return nil, err
			}
		}
	}
	return c.conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

// emptyLog copies the whole log into the database file and cuts the log to
// nothing, waiting (under busy_timeout) for readers of old snapshots to
// finish: writes pause until the log is back under its limit. If readers
// still hold it after busy_timeout, the write goes ahead and the next one
// tries again.
func (c *cachingConn) emptyLog(ctx context.Context) error {
	// A checkpoint that another connection runs makes this one fail at once,
	// without waiting: this process's checkpointer is waited for, another
	// process's is tried again a few times.
	c.checkpointing.Lock()
	defer c.checkpointing.Unlock()
	defer widen()()
	for try := 0; ; try++ {
		rows, err := c.QueryContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)", nil)
		if err != nil {
			return err
		}
		res := make([]driver.Value, 3)
		err = rows.Next(res)
		err = errors.Join(err, rows.Close())
		if err != nil {
			return err
		}
		if started, _ := res[1].(int64); started >= 0 || try == 10 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.conn.(driver.Pinger).Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cachingConn) IsValid() bool { return c.conn.(driver.Validator).IsValid() }

func (c *cachingConn) Close() error {
	var err error
	for _, cs := range c.stmts {
		err = errors.Join(err, cs.stmt.Close())
	}
	c.stmts = nil
	return errors.Join(err, c.conn.Close())
}

// cachedRows gives the statement back when the rows are closed.
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	return err
}
