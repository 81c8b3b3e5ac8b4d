package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/agentry/agentry"
)

// Group commit. On a database with one writer (SQLite), write transactions
// run one after another, and each pays for its own BEGIN and COMMIT: the
// write lock, the log's frames for every page it changed, and the log
// index. Pages that every write changes (the audit log's last page and its
// indexes, the counters) are written to the log once per write. When writes
// queue up behind the writer, group commit runs the queued ones in one
// transaction instead, each inside a savepoint of its own, and commits once:
// the shared pages are written once per group.
//
// What each caller sees does not change:
//   - Its fn runs alone, after every write queued before it, and sees their
//     changes, as it would in a transaction of its own after theirs.
//   - An fn that fails is rolled back to its savepoint: its changes are
//     undone, the others' kept, and its error is its caller's alone.
//   - Update returns nil only after the group's COMMIT, so an acknowledged
//     write is as durable as before (see sqlite.SynchronousModes).
//   - If the group's transaction itself fails (its BEGIN, a savepoint, its
//     COMMIT: a full disk, a failed write of the log), nothing of the group
//     is written and every caller whose fn had run gets that error.
//   - A caller whose context ends while it waits is answered at once, and
//     its fn is not run; one that ends while the group runs is answered
//     when the group ends, as a transaction of its own would have been.
//
// A write that finds nobody ahead (after one yield, below) runs in a
// transaction of its own, without savepoints, so a lone writer pays nothing
// for this.
type committer struct {
	max int // most writes in one group

	mu      sync.Mutex
	queue   []*pending // waiting, oldest first
	leading bool       // a goroutine is running groups

	groups, writes atomic.Int64 // transactions run, and the writes in them
}

// GroupStats reports how many write transactions the store ran and how many
// writes they held (so writes ÷ groups is the mean group), or zeros without
// group commit.
func (s *Store) GroupStats() (groups, writes int64) {
	s.gates.Do(s.makeGates)
	if s.group == nil {
		return 0, 0
	}
	return s.group.groups.Load(), s.group.writes.Load()
}

// pending is one caller's write, waiting for or in a group.
type pending struct {
	ctx  context.Context
	fn   func(agentry.Tx) error
	err  error
	done chan struct{} // closed when err is the answer
	lead chan struct{} // closed when this caller must run the next group
	// taken is set (under committer.mu) when a group takes the write: from
	// then on its caller waits for done.
	taken bool
}

// update runs fn in a write transaction, grouped with the writes queued at
// the same time.
func (c *committer) update(s *Store, ctx context.Context, fn func(agentry.Tx) error) error {
	p := &pending{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{})}
	c.mu.Lock()
	c.queue = append(c.queue, p)
	if !c.leading {
		c.leading = true
		c.mu.Unlock()
		c.lead(s)
		<-p.done
		return p.answer()
	}
	c.mu.Unlock()
	select {
	case <-p.done:
		return p.answer()
	case <-p.lead:
		c.lead(s)
		<-p.done
		return p.answer()
	case <-ctx.Done():
	}
	c.mu.Lock()
	if !p.taken {
		// Still queued: leave the queue, unrun.
		if i := slices.Index(c.queue, p); i >= 0 {
			c.queue = slices.Delete(c.queue, i, i+1)
		}
		c.mu.Unlock()
		return s.classify(ctx, fmt.Errorf("wait for the writer: %w", ctx.Err()))
	}
	c.mu.Unlock()
	// Taken into a group (or handed the lead) as the context ended.
	select {
	case <-p.done:
	case <-p.lead:
		c.lead(s)
		<-p.done
	}
	return p.answer()
}

// answer is the write's answer to its caller: its error, or, if its fn
// panicked in the group's goroutine, the same panic in the caller's.
func (p *pending) answer() error {
	var pe *panicked
	if errors.As(p.err, &pe) {
		panic(pe.v)
	}
	return p.err
}

// lead runs one group of the queued writes, the caller's own first among
// them, and then hands the lead to the oldest write still queued, or gives
// it up if none is. The caller's write is answered by the group, so
// the caller returns to its client as soon as its group is committed, not
// after the writes that queued meanwhile.
func (c *committer) lead(s *Store) {
	// Let the goroutines that are ready to run do so first: on a process
	// with one P (a server given one core), requests whose bodies have
	// arrived reach the queue only when the running goroutine yields, and
	// the ones that do join this group.
	runtime.Gosched()
	c.mu.Lock()
	n := min(len(c.queue), c.max)
	group := make([]*pending, n)
	copy(group, c.queue[:n])
	c.queue = slices.Delete(c.queue, 0, n) // (it clears what it frees)
	for _, p := range group {
		p.taken = true
	}
	c.mu.Unlock()

	c.groups.Add(1)
	c.writes.Add(int64(n))
	s.wGate.enter(context.Background())
	s.runGroup(group)
	s.wGate.leave()
	for _, p := range group {
		close(p.done)
	}

	c.mu.Lock()
	if len(c.queue) == 0 {
		c.leading = false
		c.mu.Unlock()
		return
	}
	next := c.queue[0]
	next.taken = true // it leads; it no longer leaves the queue on its own
	c.mu.Unlock()
	close(next.lead)
}

// runGroup runs the writes of a group in one transaction and sets each
// one's answer.
func (s *Store) runGroup(group []*pending) {
	if len(group) == 1 {
		p := group[0]
		p.err = s.runTx(p.ctx, s.W, nil, s.WriteOpts, p.fn)
		return
	}
	// Writes whose caller has gone are not run.
	live := group[:0:0]
	for _, p := range group {
		if err := p.ctx.Err(); err != nil {
			p.err = s.classify(p.ctx, fmt.Errorf("wait for the writer: %w", err))
			continue
		}
		live = append(live, p)
	}
	if len(live) == 0 {
		return
	}
	// The group's BEGIN waits for a write lock another process holds (up
	// to the busy timeout); it is not any one caller's to cancel.
	ctx := context.Background()
	if !s.Dialect.RunToEnd {
		ctx = live[0].ctx
	}
	tx, err := s.begin(ctx, s.W, s.WriteOpts)
	if err != nil {
		for _, p := range live {
			p.err = s.classify(p.ctx, fmt.Errorf("begin: %w", err))
		}
		return
	}
	// fail ends the group when its transaction failed: every write whose
	// fn had not failed on its own gets the group's error.
	fail := func(err error) {
		_ = tx.Rollback()
		for _, p := range live {
			if p.err == nil {
				p.err = s.classify(p.ctx, err)
			}
		}
	}
	for _, p := range live {
		if _, err := tx.ExecContext(context.Background(), "SAVEPOINT agentry_write"); err != nil {
			fail(fmt.Errorf("savepoint: %w", err))
			return
		}
		if err := p.ctx.Err(); err != nil {
			p.err = s.classify(p.ctx, fmt.Errorf("wait for the writer: %w", err))
		} else if err := call(p.fn, &Tx{s: s, tx: tx, ctx: p.ctx}); err != nil {
			p.err = s.classify(p.ctx, err)
		}
		if p.err != nil {
			// Undo this write's changes and keep the group's.
			if _, err := tx.ExecContext(context.Background(), "ROLLBACK TO agentry_write"); err != nil {
				// The database ended the whole transaction (SQLite does on
				// a full disk or an I/O error): the earlier writes are gone too.
				fail(fmt.Errorf("roll back to savepoint: %w", err))
				return
			}
		}
		if _, err := tx.ExecContext(context.Background(), "RELEASE agentry_write"); err != nil {
			fail(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		for _, p := range live {
			if p.err == nil {
				p.err = s.classify(p.ctx, fmt.Errorf("commit: %w", err))
			}
		}
	}
}

// panicked is a panic in a transaction's fn, caught so that the transaction
// is still rolled back and the connection freed; the caller panics again.
type panicked struct{ v any }

func (p *panicked) Error() string { return fmt.Sprintf("panic in a transaction: %v", p.v) }

// call runs fn, turning a panic into a *panicked error.
func call(fn func(agentry.Tx) error, tx agentry.Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicked{v}
		}
	}()
	return fn(tx)
}
