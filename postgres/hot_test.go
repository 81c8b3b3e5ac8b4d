package postgres

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/agentry/agentry"
)

// Edits of a draft are HOT updates (migration 0053): PostgreSQL writes the
// new row beside the old one and touches no index, because no index of
// versions holds a column an edit changes and the table's pages keep room.
// Measured through the server's own counters. A few edits may still move
// their row: PostgreSQL clears a page's dead rows only once no open snapshot
// can see them, and other tests' transactions run on the same server; so at
// least three in four must be HOT (before 0053, 6 of 40 were).
func TestDraftEditsAreHOT(t *testing.T) {
	t.Parallel()
	e := newPipelineEnv(t)
	ctx := t.Context()
	var schema string
	if err := e.store.R.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	const edits = 40
	for i := range edits {
		if err := e.update(t, "front desk "+strconv.Itoa(i), agentry.VersionRef{}); err != nil {
			t.Fatal(err)
		}
	}
	// A backend reports its counters when it exits (else within ten
	// seconds of its last transaction): close the store's connections.
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(baseDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	var updates, hot int64
	for deadline := time.Now().Add(20 * time.Second); ; {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := db.QueryRowContext(qctx, `SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables
			WHERE schemaname = $1 AND relname = 'versions'`, schema).Scan(&updates, &hot)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if updates >= edits || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if updates < edits {
		t.Fatalf("the server reported %d updates of versions after %d edits (its statistics never arrived)", updates, edits)
	}
	if hot*4 < updates*3 {
		t.Errorf("%d of %d updates of versions were HOT; at least three in four edits of a draft should be", hot, updates)
	}
}
