package sqlstore

import (
	"context"
	"database/sql"
)

// gate admits at most cap(g) transactions to a pool at once, in the order
// they arrived. database/sql hands a freed connection to a waiter picked at
// random, so under load (64 clients on a one-connection SQLite writer) an
// unlucky request could be passed over again and again: a p99 a hundred
// times the median. A Go channel queues its blocked senders first in, first
// out, and a freed slot goes to the oldest of them; sized to the pool, the
// gate does the waiting so that database/sql never has to.
//
// A store call must not be made inside another's fn: the outer one holds
// its slot while the inner one waits for another, which at full load is a
// deadlock (as it was with database/sql's own queue). The service never
// nests them.
type gate chan struct{}

// newGate returns the gate for db, sized to its most open connections; nil
// (no gate) for a pool without a limit.
func newGate(db *sql.DB) gate {
	n := db.Stats().MaxOpenConnections
	if n <= 0 {
		return nil
	}
	return make(gate, n)
}

// enter waits for a slot, or for ctx to end.
func (g gate) enter(ctx context.Context) error {
	if g == nil {
		return nil
	}
	select {
	case g <- struct{}{}:
		return nil
	default:
	}
	select {
	case g <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leave frees the slot taken by enter.
func (g gate) leave() {
	if g != nil {
		<-g
	}
}
