package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/agentry/agentry/internal/sqlstore"
)

// pipeline sends stmts to the server in one batch (pgx's extended-protocol
// pipeline: every statement, then one Sync) and reads their answers in
// order. The server runs them one after another; after a statement fails it
// skips the rest up to the Sync, which pgx reports as their errors. The
// first failure is returned with its index. A Row that refuses its answer
// (no row) fails its statement but not the batch: the statements after it
// have run, and their answers are read too; a failure of one of them is
// returned instead.
func pipeline(ctx context.Context, driverConn any, stmts []sqlstore.Stmt) (int, error) {
	sc, ok := driverConn.(*stdlib.Conn)
	if !ok {
		return 0, fmt.Errorf("postgres: pipeline on a %T, not a pgx connection", driverConn)
	}
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(stmts))}
	for _, st := range stmts {
		b.Queue(st.Query, st.Args...)
	}
	br := sc.Conn().SendBatch(ctx, b)
	failed, first := -1, error(nil)
	for i, st := range stmts {
		var err error
		if st.Row != nil {
			err = st.Row(br.QueryRow())
		} else {
			var tag pgconn.CommandTag
			if tag, err = br.Exec(); err == nil {
				if st.Affected != nil {
					*st.Affected = tag.RowsAffected()
				}
				if st.Tag != nil {
					*st.Tag = tag.String()
				}
			}
		}
		if err == nil {
			continue
		}
		// A failure the server reported outweighs a row found missing
		// before it: it ended the transaction.
		if first == nil || errors.Is(first, sql.ErrNoRows) && !errors.Is(err, sql.ErrNoRows) {
			failed, first = i, err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			break // the server ran nothing after it
		}
	}
	if err := br.Close(); err != nil && first == nil {
		failed, first = len(stmts)-1, err
	}
	return failed, first
}
