package postgres

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agentry/agentry"
)

// The change stamp of a PostgreSQL database (agentry.Stamper), for the
// answers cached between commits (httpapi's answer cache).
//
// A stamp is the database's current snapshot, pg_current_snapshot(): the
// lowest transaction still running, the next transaction id to be
// assigned, and the ids running between them. Which rows a query sees is a
// function of its snapshot alone, so two equal snapshots see the same data;
// and every write transaction that commits (or aborts) changes the
// snapshot: it was running, or it was assigned an id past the old xmax.
// Snapshots never come back: the next id only grows, and while it stays
// the same, running transactions only end. So the protocol of the answer
// cache holds: a stamp taken before a read, found again later, means
// nothing was committed since the read began. (A transaction of another
// database on the same server also moves the snapshot, which costs a cache
// miss and nothing else. A transaction that commits its record before it
// becomes visible is still in the snapshot's running list until it is
// visible, unlike, say, the WAL's insert position.)
//
// A stamp costs a round trip. The stamps asked for at the same moment share
// one: at most one query is in flight, and the callers that arrive while it
// runs wait for the next one, which starts after they arrived, so that no
// caller gets a stamp of a state older than its call. The stamp has a
// connection of its own, so that it never waits behind the pool's
// transactions.
type snapshotStamps struct {
	db *sql.DB // one connection

	mu      sync.Mutex
	pending *stampQuery // the next query, that callers join
	running bool        // a goroutine runs the queries
	// off is set when the server cannot give snapshots (before
	// PostgreSQL 13, or a standby): nothing is stamped.
	off atomic.Bool
	// queries counts the stamp queries run (the callers share them).
	queries atomic.Int64
}

// stampQuery is one query for a stamp, shared by the callers that joined it.
type stampQuery struct {
	done  chan struct{}
	stamp agentry.Stamp
	ok    bool
}

// stampTimeout bounds one stamp query; a database that does not answer in
// time leaves the read to find that out on its own.
const stampTimeout = 2 * time.Second

func newSnapshotStamps(db *sql.DB) *snapshotStamps {
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return &snapshotStamps{db: db}
}

// StampCostsARoundTrip says that a stamp is a query (agentry.CostlyStamper).
func (s *snapshotStamps) StampCostsARoundTrip() bool { return true }

// Stamp returns a snapshot of the database taken after the call.
func (s *snapshotStamps) Stamp(ctx context.Context) (agentry.Stamp, bool) {
	if s.off.Load() {
		return agentry.Stamp{}, false
	}
	s.mu.Lock()
	q := s.pending
	if q == nil {
		q = &stampQuery{done: make(chan struct{})}
		s.pending = q
		if !s.running {
			s.running = true
			go s.run()
		}
	}
	s.mu.Unlock()
	select {
	case <-q.done:
		return q.stamp, q.ok
	case <-ctx.Done():
		return agentry.Stamp{}, false
	}
}

// run answers the pending queries one after another until none is left.
func (s *snapshotStamps) run() {
	for {
		s.mu.Lock()
		q := s.pending
		s.pending = nil
		if q == nil {
			s.running = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		q.stamp, q.ok = s.query()
		close(q.done)
	}
}

func (s *snapshotStamps) query() (agentry.Stamp, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), stampTimeout)
	defer cancel()
	s.queries.Add(1)
	var snap string
	if err := s.db.QueryRowContext(ctx, `SELECT pg_current_snapshot()::text`).Scan(&snap); err != nil {
		var pe *pgconn.PgError
		// 42883: no such function (before 13); 55000: a standby in recovery
		// has no current snapshot to give (object not in prerequisite state).
		if errors.As(err, &pe) && (pe.Code == "42883" || pe.Code == "55000") {
			s.off.Store(true)
		}
		return agentry.Stamp{}, false
	}
	var st agentry.Stamp
	sum := sha256.Sum256([]byte(snap))
	copy(st[:], "pgsnap")
	copy(st[16:], sum[:])
	return st, true
}

func (s *snapshotStamps) close() error { return s.db.Close() }
