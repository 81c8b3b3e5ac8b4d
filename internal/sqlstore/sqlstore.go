// Package sqlstore implements agentry.Store over database/sql once, for every
// SQL backend. A backend (sqlite, postgres) supplies connections, migrations
// and a Dialect: how placeholders are written, how a row is locked, and how
// its driver reports a duplicate or an unreachable database.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/agentry/agentry"
)

// Dialect is what differs between SQL backends.
type Dialect struct {
	// Numbered placeholders ($1, $2, …) instead of ?.
	Numbered bool
	// ForUpdate is appended to a SELECT that must lock its row until commit.
	ForUpdate string
	// IsDuplicate reports a unique-constraint violation, by the driver's code.
	IsDuplicate func(error) bool
	// IsUnavailable reports that the database could not be reached.
	IsUnavailable func(error) bool
	// IsReadOnly reports that the database refused a write because it
	// cannot write now (read-only, full), by the driver's code.
	IsReadOnly func(error) bool
	// IsStaleConn reports an error that means a pooled connection had been
	// closed by the server before this use, so that nothing was executed.
	IsStaleConn func(error) bool
	// Contains is a condition that holds when the text column %s contains
	// the text of the one placeholder as a substring: no pattern, so no
	// escaping and no pattern length limit (SQLite's LIKE refuses patterns
	// over 50,000 bytes).
	Contains string
	// Pipeline, when set, sends a write transaction's statements several at
	// a time (pipeline.go), beginning it with PipelineBegin.
	Pipeline      Pipeline
	PipelineBegin string
	// RunToEnd runs each statement, and a read transaction's BEGIN, with a
	// context that never ends: the request's context is checked before each
	// statement (and honoured while waiting for a connection and for a
	// write transaction's BEGIN, where a lock held by another process is
	// waited for), but a statement that has started runs to its end. For an
	// embedded database whose statements cannot stall on a network, see
	// sqlite.Open for the measurements.
	RunToEnd bool
}

// Store is an agentry.Store on database/sql. Writes go through W, reads
// through R (which may be the same pool).
type Store struct {
	W, R    *sql.DB
	Dialect Dialect
	// WriteOpts and ReadOpts are passed to BeginTx.
	WriteOpts, ReadOpts *sql.TxOptions
	// OnClose runs after both pools are closed.
	OnClose func() error
	// Stamps stamps the database's state (agentry.Stamper); nil when the
	// backend cannot, and then Stamp always answers false.
	Stamps agentry.Stamper

	// GroupCommit, when above 1, is the most writes one transaction may
	// run for queued callers (group.go). For a database with one writer.
	GroupCommit int

	queries sync.Map // query text with ? → dialect's text
	group   *committer

	gates        sync.Once
	wGate, rGate gate // W's and R's, one gate when they are one pool
}

var (
	_ agentry.Store         = (*Store)(nil)
	_ agentry.WriteProber   = (*Store)(nil)
	_ agentry.Stamper       = (*Store)(nil)
	_ agentry.CostlyStamper = (*Store)(nil)
)

// Stamp returns the database's change stamp, through Stamps.
func (s *Store) Stamp(ctx context.Context) (agentry.Stamp, bool) {
	if s.Stamps == nil {
		return agentry.Stamp{}, false
	}
	return s.Stamps.Stamp(ctx)
}

// StampCostsARoundTrip reports whether a stamp is a query to the database
// (PostgreSQL's) rather than a read of memory (SQLite's).
func (s *Store) StampCostsARoundTrip() bool {
	c, ok := s.Stamps.(agentry.CostlyStamper)
	return ok && c.StampCostsARoundTrip()
}

// Update runs fn in one read-write transaction (or, with GroupCommit, in a
// savepoint of one shared with the writes queued beside it: group.go).
func (s *Store) Update(ctx context.Context, fn func(agentry.Tx) error) error {
	s.gates.Do(s.makeGates)
	if s.group != nil {
		return s.group.update(s, ctx, fn)
	}
	return s.run(ctx, s.W, s.wGate, s.WriteOpts, fn)
}

// View runs fn in one read-only transaction.
func (s *Store) View(ctx context.Context, fn func(agentry.Tx) error) error {
	s.gates.Do(s.makeGates)
	return s.run(ctx, s.R, s.rGate, s.ReadOpts, fn)
}

// makeGates sizes the gates to the pools, as the backend configured them.
func (s *Store) makeGates() {
	if s.GroupCommit > 1 {
		s.group = &committer{max: s.GroupCommit}
	}
	s.wGate = newGate(s.W)
	s.rGate = s.wGate
	if s.R != s.W {
		s.rGate = newGate(s.R)
	}
}

// run holds a slot of the pool's gate for the whole transaction, so that
// the transaction's connection is free when it asks for one. A panic in fn
// rolls the transaction back and goes on in the caller.
func (s *Store) run(ctx context.Context, db *sql.DB, g gate, opts *sql.TxOptions, fn func(agentry.Tx) error) error {
	err := s.runTx(ctx, db, g, opts, fn)
	var pe *panicked
	if errors.As(err, &pe) {
		panic(pe.v)
	}
	return err
}

// runTx is run, with a panic in fn returned as a *panicked error.
func (s *Store) runTx(ctx context.Context, db *sql.DB, g gate, opts *sql.TxOptions, fn func(agentry.Tx) error) error {
	if err := g.enter(ctx); err != nil {
		return s.classify(ctx, fmt.Errorf("wait for a connection: %w", err))
	}
	defer g.leave()
	if s.Dialect.Pipeline != nil && opts == s.WriteOpts {
		return s.runPiped(ctx, db, fn)
	}
	bctx := ctx
	if s.Dialect.RunToEnd && db != s.W && ctx.Err() == nil {
		// A read transaction's BEGIN takes no lock and cannot wait.
		bctx = context.Background()
	}
	tx, err := s.begin(bctx, db, opts)
	if err != nil {
		return s.classify(ctx, fmt.Errorf("begin: %w", err))
	}
	if err := call(fn, &Tx{s: s, tx: tx, ctx: ctx}); err != nil {
		_ = tx.Rollback()
		return s.classify(ctx, err)
	}
	if err := tx.Commit(); err != nil {
		return s.classify(ctx, fmt.Errorf("commit: %w", err))
	}
	return nil
}

// classify turns what the driver reports into the domain's errors: an
// *agentry.Error for an outage or a request whose context ended, the
// sentinels as they are, anything else unchanged (an internal error).
func (s *Store) classify(ctx context.Context, err error) error {
	var e *agentry.Error
	switch {
	case errors.As(err, &e) || errors.Is(err, agentry.ErrNotFound) || errors.Is(err, agentry.ErrDuplicate):
		return err
	case errors.Is(ctx.Err(), context.Canceled):
		return &agentry.Error{Code: agentry.ECANCELED, Message: "The request was canceled.", Err: err}
	case ctx.Err() != nil:
		// The request's deadline passed while the database worked.
		return agentry.Unavailable(err)
	case s.Dialect.IsReadOnly != nil && s.Dialect.IsReadOnly(err):
		return agentry.ReadOnly(err)
	case s.Dialect.IsUnavailable != nil && s.Dialect.IsUnavailable(err):
		return agentry.Unavailable(err)
	}
	return err
}

// ProbeWrite writes the probe row in a transaction of its own: the one
// write that tells whether the database can write now. It is one row,
// whoever probes, so it costs a tiny commit and never grows.
func (s *Store) ProbeWrite(ctx context.Context) error {
	return s.Update(ctx, func(tx agentry.Tx) error {
		_, err := tx.(*Tx).exec(`INSERT INTO write_probe (id, written_at) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at`, time.Now().UnixMilli())
		return err
	})
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.W.PingContext(ctx); err != nil {
		return agentry.Unavailable(err)
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	err := s.W.Close()
	if s.R != s.W {
		err = errors.Join(err, s.R.Close())
	}
	if s.OnClose != nil {
		err = errors.Join(err, s.OnClose())
	}
	return err
}

// q returns query in the dialect's placeholder style.
func (s *Store) q(query string) string {
	if !s.Dialect.Numbered {
		return query
	}
	if v, ok := s.queries.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	s.queries.Store(query, b.String())
	return b.String()
}

// Tx is one transaction's row operations. Its statements go through a
// transaction, or, for a single-statement read (Store.Read), the read pool.
type Tx struct {
	s   *Store
	tx  querier
	ctx context.Context
	// noWebhooks is a workspace that this transaction found to have no
	// enabled webhook (PostgreSQL's InsertAuditEntry asks in passing), or "".
	noWebhooks string
	// piped is set in a pipelined write transaction (pipeline.go).
	piped *pipedTx
}

// querier is what both *sql.Tx and *sql.DB offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Read runs fn's row operations straight on the read pool, outside any
// transaction. It is for fn that issues one statement, the hot read of a
// version: a single SELECT reads one consistent snapshot by itself, on
// SQLite (each statement outside BEGIN is its own read transaction, one WAL
// snapshot) and on PostgreSQL (a statement sees the rows committed when it
// starts). What View adds is BEGIN and COMMIT: two more statements on SQLite,
// two more round trips on PostgreSQL, and a goroutine per transaction in
// database/sql to watch the context.
func (s *Store) Read(ctx context.Context, fn func(agentry.Tx) error) error {
	s.gates.Do(s.makeGates)
	if err := s.rGate.enter(ctx); err != nil {
		return s.classify(ctx, fmt.Errorf("wait for a connection: %w", err))
	}
	defer s.rGate.leave()
	err := fn(&Tx{s: s, tx: s.R, ctx: ctx})
	// A read changes nothing, so one that met a closed pooled connection is
	// simply read again, as begin does.
	for tries := s.R.Stats().OpenConnections; err != nil && tries > 0 && s.stale(ctx, err); tries-- {
		err = fn(&Tx{s: s, tx: s.R, ctx: ctx})
	}
	if err != nil {
		return s.classify(ctx, err)
	}
	return nil
}

// begin starts a transaction. A pooled connection that the server closed
// meanwhile (a database restart, a terminated session) fails its first use,
// and that failure drops it from the pool; nothing was executed, so begin
// tries again, at most once per connection the pool held.
func (s *Store) begin(ctx context.Context, db *sql.DB, opts *sql.TxOptions) (*sql.Tx, error) {
	tx, err := db.BeginTx(ctx, opts)
	for tries := db.Stats().OpenConnections; err != nil && tries > 0 && s.stale(ctx, err); tries-- {
		tx, err = db.BeginTx(ctx, opts)
	}
	return tx, err
}

// stale reports an error that a closed pooled connection gave, while the
// request itself still runs.
func (s *Store) stale(ctx context.Context, err error) bool {
	return ctx.Err() == nil && s.Dialect.IsStaleConn != nil && s.Dialect.IsStaleConn(err)
}

// Text holding U+0000 is neither stored nor found, the same on every
// backend: PostgreSQL's text cannot hold it (an error) and SQLite reads a
// parameter as a C string, cut at it (a search for "a\x00b" matched
// everything). A write of such text is refused with EINVALID; a read whose
// parameters hold it finds no row, since none can hold it.
var errNUL = &agentry.Error{Code: agentry.EINVALID, Message: "text must not contain the NUL character (\\u0000)"}

// noRows is a query that returns no row, what a read with NUL finds. A
// query that always returns one row (an aggregate such as count) must check
// hasNUL itself and answer as for no match.
const noRows = `SELECT NULL WHERE 1 = 0`

// hasNUL reports whether a text argument holds U+0000.
func hasNUL(args []any) bool {
	for _, a := range args {
		switch v := a.(type) {
		case string:
			if strings.IndexByte(v, 0) >= 0 {
				return true
			}
		case *string:
			if v != nil && strings.IndexByte(*v, 0) >= 0 {
				return true
			}
		}
	}
	return false
}

// stmtCtx is the context a statement runs with: the request's, or, on a
// RunToEnd dialect while the request goes on, one that never ends (a request
// that has ended is given its own context, which fails the statement before
// it starts).
func (t *Tx) stmtCtx() context.Context {
	if t.s.Dialect.RunToEnd && t.ctx.Err() == nil {
		return context.Background()
	}
	return t.ctx
}

func (t *Tx) exec(query string, args ...any) (sql.Result, error) {
	if hasNUL(args) {
		return nil, errNUL
	}
	if t.piped != nil && len(t.piped.pending) > 0 {
		var n int64
		if err := t.flush(Stmt{Query: t.s.q(query), Args: args, Affected: &n}); err != nil {
			return nil, err
		}
		return affected(n), nil
	}
	res, err := t.tx.ExecContext(t.stmtCtx(), t.s.q(query), args...)
	if err != nil && t.s.Dialect.IsDuplicate != nil && t.s.Dialect.IsDuplicate(err) {
		return nil, fmt.Errorf("%w: %w", agentry.ErrDuplicate, err)
	}
	return res, err
}

func (t *Tx) query(query string, args ...any) (*sql.Rows, error) {
	if hasNUL(args) {
		query, args = noRows, nil
	}
	if t.piped != nil {
		if err := t.flush(); err != nil {
			return nil, err
		}
	}
	return t.tx.QueryContext(t.stmtCtx(), t.s.q(query), args...)
}

func (t *Tx) queryRow(query string, args ...any) Scanner {
	if hasNUL(args) {
		query, args = noRows, nil
	}
	if t.piped != nil && len(t.piped.pending) > 0 {
		return pipedRow{t: t, query: t.s.q(query), args: args}
	}
	return t.tx.QueryRowContext(t.stmtCtx(), t.s.q(query), args...)
}

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return agentry.ErrNotFound
	}
	return nil
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return agentry.ErrNotFound
	}
	return err
}
