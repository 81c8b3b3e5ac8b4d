package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// stampsOf is the store's stamper.
func stampsOf(t *testing.T, dsn string) (*snapshotStamps, func(string, ...any)) {
	t.Helper()
	s := mustOpen(t, dsn)
	st := s.Stamps.(*snapshotStamps)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.W.ExecContext(t.Context(), q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`CREATE TABLE stamp_test (id int PRIMARY KEY, n int NOT NULL)`)
	return st, exec
}

func mustStamp(t *testing.T, s *snapshotStamps) agentry.Stamp {
	t.Helper()
	st, ok := s.Stamp(t.Context())
	if !ok {
		t.Fatal("no stamp")
	}
	return st
}

// A commit, by any connection, moves the stamp; with nothing committed
// anywhere, two stamps are equal. Other tests share the server (and its
// transaction ids: CI runs packages in parallel on one PostgreSQL), so the
// second is looked for until a quiet moment of a fraction of a millisecond.
func TestSnapshotStampMovesOnCommits(t *testing.T) {
	s, exec := stampsOf(t, freshSchema(t))
	for i := range 20 {
		before := mustStamp(t, s)
		exec(`INSERT INTO stamp_test (id, n) VALUES ($1, 0)`, i)
		if after := mustStamp(t, s); after == before {
			t.Fatalf("commit %d: the stamp did not move", i)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		a, b := mustStamp(t, s), mustStamp(t, s)
		if a == b {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no two equal stamps in 30 s: the stamp moves without commits")
		}
		time.Sleep(time.Millisecond)
	}
}

// Many callers at once share queries, and yet none gets a stamp from before
// its call: each caller commits, then asks, and must see a stamp other than
// the one it took before its commit.
func TestSnapshotStampsAreSharedAndNeverOlderThanTheCall(t *testing.T) {
	s, exec := stampsOf(t, freshSchema(t))
	const callers, rounds = 16, 30
	for i := range callers {
		exec(`INSERT INTO stamp_test (id, n) VALUES ($1, 0)`, i)
	}
	q0 := s.queries.Load()
	var wg sync.WaitGroup
	for g := range callers {
		wg.Go(func() {
			for r := range rounds {
				before, ok := s.Stamp(context.Background())
				if !ok {
					t.Error("no stamp")
					return
				}
				exec(`UPDATE stamp_test SET n = $1 WHERE id = $2`, r, g)
				if after, _ := s.Stamp(context.Background()); after == before {
					t.Errorf("caller %d, round %d: a stamp from before the caller's own commit", g, r)
					return
				}
			}
		})
	}
	// Plain readers at the same time, so that queries are shared.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 16 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					s.Stamp(context.Background())
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	t.Logf("%d stamp queries", s.queries.Load()-q0)
	if s.queries.Load()-q0 == 0 {
		t.Fatal("no stamp query ran")
	}
}

// holdStampConn keeps the stamp's one connection busy (waiting for an
// advisory lock another connection holds) until release is called.
func holdStampConn(t *testing.T, s *snapshotStamps, dsn string) (release func()) {
	t.Helper()
	other := mustOpen(t, dsn)
	conn, err := other.W.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), `SELECT pg_advisory_lock(4242)`); err != nil {
		t.Fatal(err)
	}
	blocked := make(chan error, 1)
	go func() {
		_, err := s.db.ExecContext(context.Background(), `SELECT pg_advisory_lock_shared(4242)`)
		blocked <- err
	}()
	time.Sleep(100 * time.Millisecond) // the wait has the connection now
	return func() {
		defer conn.Close()
		if _, err := conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(4242)`); err != nil {
			t.Fatal(err)
		}
		if err := <-blocked; err != nil {
			t.Fatal(err)
		}
	}
}

// Callers join a query that has not started; at most one runs at a time.
// With the stamp's connection held, a crowd of callers is served by two
// queries at most: the one that waits for the connection, and the next.
func TestSnapshotStampCallersShareOneQuery(t *testing.T) {
	dsn := freshSchema(t)
	s, _ := stampsOf(t, dsn)
	release := holdStampConn(t, s, dsn)
	q0 := s.queries.Load()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, ok := s.Stamp(context.Background()); !ok {
				t.Error("no stamp")
			}
		})
	}
	time.Sleep(100 * time.Millisecond) // all 50 have joined
	release()
	wg.Wait()
	if n := s.queries.Load() - q0; n > 2 {
		t.Errorf("%d stamp queries for 50 callers who arrived while the connection was held, want at most 2", n)
	}
}

// A caller whose context ends while it waits is answered then, without a
// stamp; the query it joined still serves the others.
func TestSnapshotStampHonoursTheContext(t *testing.T) {
	dsn := freshSchema(t)
	s, _ := stampsOf(t, dsn)
	release := holdStampConn(t, s, dsn)
	other := make(chan bool, 1)
	go func() { _, ok := s.Stamp(context.Background()); other <- ok }()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, ok := s.Stamp(ctx); ok {
		t.Error("a stamp although the database was held past the caller's deadline")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the caller was answered after %s, its deadline was 50ms", d)
	}
	release()
	if !<-other {
		t.Error("the caller without a deadline got no stamp")
	}
}
