package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/agentry/agentry"
)

// Pipelined write transactions (PostgreSQL).
//
// A write on a networked database pays a round trip per statement: BEGIN,
// each read and write, COMMIT. Where the dialect can send several statements
// at once (Dialect.Pipeline), a write transaction sends statements that no
// later step waits on together with the next one that it does wait on:
//
//   - BEGIN goes out with the transaction's first statement;
//   - a write whose only outcome is success or failure (execLater: the
//     draft's and the resource's UPDATE) goes out with the next statement,
//     or with COMMIT;
//   - reads that do not depend on each other's answers go out together
//     (pipe: the lock, the version and the routes of LockVersion; the lock
//     and the pick of LockFind).
//
// The server still runs them one after another, each as if sent alone: a
// statement's snapshot is taken when the one before it has finished (so a
// read sent behind a row lock sees what the lock's previous holder
// committed), and after a failure it runs nothing more of the batch. An
// update-agent is three round trips instead of seven, a publish three
// instead of eight.
//
// What a caller sees is unchanged, with one difference: a deferred write
// that fails reports its error from the call that sent it (the next
// statement or Commit), and the transaction ends there as any failed one
// does. The deferred writes are ones whose failure the service only passes
// up (an UPDATE of a row whose resource lock the transaction holds).

// Stmt is one statement of a pipeline: a query in the dialect's placeholder
// style and its arguments. Row, when set, reads the statement's one row
// (sql.ErrNoRows, or an error that wraps it, when there is none); otherwise
// the statement returns no row and Affected, when set, receives the number
// of rows it changed and Tag its command tag.
type Stmt struct {
	Query    string
	Args     []any
	Row      func(sc Scanner) error
	Affected *int64
	Tag      *string

	// mustAffect makes a deferred write that changed no row fail with
	// agentry.ErrNotFound, as mustAffect does.
	mustAffect bool
}

// Scanner reads one row into its destinations, as *sql.Row does.
type Scanner interface {
	Scan(dest ...any) error
}

// Pipeline runs stmts on driverConn (what sql.Conn.Raw hands over) in one
// round trip, in order, and reports the index of the first that failed with
// its error (-1, nil when all succeeded). A statement that returns a row
// which Row then refuses (sql.ErrNoRows) is not a failure of the batch: the
// statements after it still run, and its error is returned as the first
// unless one of them then fails on the server.
type Pipeline func(ctx context.Context, driverConn any, stmts []Stmt) (int, error)

// pipedTx is the state of a pipelined write transaction.
type pipedTx struct {
	conn    *sql.Conn
	db      *sql.DB
	pending []Stmt
	// begun is set once BEGIN has been sent and answered.
	begun bool
	// locked holds the resources whose rows this transaction locked
	// (LockResource, LockVersion, LockFind) and has not deleted: an UPDATE of one
	// cannot miss its row, so it can wait for the next statement.
	locked map[[2]string]bool
}

// lock records that the transaction holds a resource's row lock.
func (t *Tx) lock(workspaceID, id string) {
	if t.piped == nil {
		return
	}
	if t.piped.locked == nil {
		t.piped.locked = make(map[[2]string]bool, 1)
	}
	t.piped.locked[[2]string{workspaceID, id}] = true
}

// unlock records that the transaction deleted a resource's row.
func (t *Tx) unlock(workspaceID, id string) {
	if t.piped != nil {
		delete(t.piped.locked, [2]string{workspaceID, id})
	}
}

// holdsLock reports whether the transaction holds a resource's row lock.
func (t *Tx) holdsLock(workspaceID, id string) bool {
	return t.piped != nil && t.piped.locked[[2]string{workspaceID, id}]
}

// runPiped is runTx for a write transaction on a dialect with a Pipeline:
// the caller holds a slot of the gate.
func (s *Store) runPiped(ctx context.Context, db *sql.DB, fn func(agentry.Tx) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return s.classify(ctx, fmt.Errorf("begin: %w", err))
	}
	p := &pipedTx{conn: conn, db: db, pending: []Stmt{{Query: s.Dialect.PipelineBegin}}}
	t := &Tx{s: s, tx: conn, ctx: ctx, piped: p}
	defer func() { _ = p.conn.Close() }()
	if err := call(fn, t); err != nil {
		t.rollback()
		return s.classify(ctx, err)
	}
	for _, st := range p.pending {
		if st.mustAffect {
			// Whether it changed a row is known only from its answer, which
			// must come before COMMIT is sent.
			if err := t.flush(); err != nil {
				t.rollback()
				return s.classify(ctx, err)
			}
			break
		}
	}
	var tag string
	if err := t.flush(Stmt{Query: "COMMIT", Tag: &tag}); err != nil {
		t.rollback()
		return s.classify(ctx, fmt.Errorf("commit: %w", err))
	}
	if tag != "COMMIT" {
		// COMMIT of a transaction that had failed (a statement whose error
		// was not returned) rolls back instead.
		t.rollback()
		return s.classify(ctx, fmt.Errorf("commit: the transaction was rolled back (%s)", tag))
	}
	return nil
}

// rollback ends the transaction; a connection that cannot is dropped from
// the pool rather than handed to the next caller mid-transaction.
func (t *Tx) rollback() {
	p := t.piped
	p.pending = nil
	if !p.begun {
		return // nothing reached the server, or what did failed with BEGIN's batch
	}
	if _, err := p.conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		_ = p.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// flush sends the pending statements and then extra in one round trip. On
// the transaction's first batch (the one with BEGIN), a connection that the
// server had closed meanwhile fails before anything runs: the batch is sent
// again on a fresh connection, as begin does for BeginTx.
func (t *Tx) flush(extra ...Stmt) error {
	p := t.piped
	stmts := append(p.pending, extra...)
	p.pending = nil
	if len(stmts) == 0 {
		return nil
	}
	for i := range stmts {
		if hasNUL(stmts[i].Args) {
			if stmts[i].Row == nil {
				return errNUL
			}
			// A read of text with NUL finds nothing, as queryRow's does.
			stmts[i].Query, stmts[i].Args = noRows, nil
		}
	}
	first := !p.begun
	i, err := t.send(stmts)
	for tries := p.db.Stats().OpenConnections; first && err != nil && tries > 0 && t.s.stale(t.ctx, err); tries-- {
		// The statements never ran: drop the connection, take another.
		_ = p.conn.Raw(func(any) error { return driver.ErrBadConn })
		_ = p.conn.Close()
		conn, cerr := p.db.Conn(t.ctx)
		if cerr != nil {
			return fmt.Errorf("begin: %w", cerr)
		}
		p.conn, t.tx = conn, conn
		i, err = t.send(stmts)
	}
	p.begun = p.begun || i != 0 // BEGIN itself ran unless it is what failed
	if err == nil {
		for _, st := range stmts {
			if st.mustAffect && *st.Affected == 0 {
				return agentry.ErrNotFound
			}
		}
		return nil
	}
	if i >= 0 && stmts[i].Row == nil && t.s.Dialect.IsDuplicate != nil && t.s.Dialect.IsDuplicate(err) {
		return fmt.Errorf("%w: %w", agentry.ErrDuplicate, err)
	}
	return err
}

// send runs stmts through the dialect's pipeline on the transaction's
// connection.
func (t *Tx) send(stmts []Stmt) (int, error) {
	i := -1
	err := t.piped.conn.Raw(func(dc any) error {
		var err error
		i, err = t.s.Dialect.Pipeline(t.stmtCtx(), dc, stmts)
		return err
	})
	if err != nil && i < 0 {
		i = 0
	}
	return i, err
}

// execLater runs a write whose only outcome is success or failure. In a
// pipelined transaction it is sent with the next statement (or COMMIT), and
// its failure reported there; elsewhere it runs now. With mustAffect, a
// write that changes no row is agentry.ErrNotFound.
func (t *Tx) execLater(mustAffectRow bool, query string, args ...any) error {
	if t.piped == nil {
		res, err := t.exec(query, args...)
		if mustAffectRow {
			return mustAffect(res, err)
		}
		return err
	}
	if hasNUL(args) {
		return errNUL
	}
	st := Stmt{Query: t.s.q(query), Args: args, mustAffect: mustAffectRow}
	if mustAffectRow {
		st.Affected = new(int64)
	}
	t.piped.pending = append(t.piped.pending, st)
	return nil
}

// pipe runs reads of one row each (every Stmt has a Row) whose arguments do
// not depend on each other's answers: in one round trip in a pipelined
// transaction (with whatever is pending), one after another elsewhere.
// Queries are in the ? style. Every statement's Row runs; the first error is
// returned.
func (t *Tx) pipe(stmts ...Stmt) error {
	if t.piped != nil {
		for i := range stmts {
			stmts[i].Query = t.s.q(stmts[i].Query)
		}
		return t.flush(stmts...)
	}
	var first error
	for _, st := range stmts {
		if err := st.Row(t.queryRow(st.Query, st.Args...)); first == nil {
			first = err
		}
	}
	return first
}

// pipedRow is a query of one row in a pipelined transaction that has
// statements pending: Scan sends them and the query in one round trip.
type pipedRow struct {
	t     *Tx
	query string
	args  []any
}

func (r pipedRow) Scan(dest ...any) error {
	return r.t.flush(Stmt{Query: r.query, Args: r.args, Row: func(sc Scanner) error { return sc.Scan(dest...) }})
}

// affected is the sql.Result of a pipelined write.
type affected int64

func (n affected) LastInsertId() (int64, error) {
	return 0, errors.New("sqlstore: LastInsertId is not reported in a pipelined transaction")
}
func (n affected) RowsAffected() (int64, error) { return int64(n), nil }
