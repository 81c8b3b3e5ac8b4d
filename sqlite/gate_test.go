package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/sqlstore"
	"github.com/agentry/agentry/internal/storetest"
)

// holdWriter starts an Update that holds the writer until release is called.
func holdWriter(t *testing.T, s *sqlstore.Store) (release func()) {
	t.Helper()
	in, out := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Update(context.Background(), func(agentry.Tx) error {
			close(in)
			<-out
			return nil
		})
	}()
	<-in
	return func() {
		close(out)
		if err := <-done; err != nil {
			t.Errorf("holding Update: %v", err)
		}
	}
}

// Writers that wait for the one SQLite writer are served in the order they
// came, not at random as database/sql's own queue would.
func TestWritersAreServedInArrivalOrder(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "agentry.db"))
	release := holdWriter(t, s)
	const n = 20
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := s.Update(context.Background(), func(tx agentry.Tx) error {
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				return tx.InsertWorkspace(&agentry.Workspace{ID: fmt.Sprintf("ws_%d", i), Name: fmt.Sprintf("ws_%d", i)})
			})
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
			}
		})
		storetest.WaitersAtGate(t, i+1) // writer i is queued before writer i+1 starts
	}
	release()
	wg.Wait()
	for i, got := range order {
		if got != i {
			t.Fatalf("writers ran in order %v, want 0…%d", order, n-1)
		}
	}
}

// A waiter whose request ends leaves the queue with the error of a request
// that ended, and those behind it still get their turn.
func TestAWaiterWhoseRequestEndsLeavesTheQueue(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "agentry.db"))
	release := holdWriter(t, s)

	canceled, cancel := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() { gone <- s.Update(canceled, func(agentry.Tx) error { return errors.New("ran") }) }()
	storetest.WaitersAtGate(t, 1)
	timedOut, stop := context.WithTimeout(context.Background(), 1) // a deadline already past
	defer stop()
	later := make(chan error, 1)
	go func() { later <- s.Update(context.Background(), func(agentry.Tx) error { return nil }) }()
	storetest.WaitersAtGate(t, 2)

	cancel()
	err := <-gone
	var e *agentry.Error
	if !errors.As(err, &e) || e.Code != agentry.ECANCELED {
		t.Fatalf("canceled waiter: %v, want an error of code %s", err, agentry.ECANCELED)
	}
	err = s.Update(timedOut, func(agentry.Tx) error { return errors.New("ran") })
	if !errors.As(err, &e) || e.Code != agentry.EUNAVAILABLE {
		t.Fatalf("waiter past its deadline: %v, want an error of code %s", err, agentry.EUNAVAILABLE)
	}
	storetest.WaitersAtGate(t, 1)
	release()
	if err := <-later; err != nil {
		t.Fatalf("the waiter behind the canceled one: %v", err)
	}
}

// Writes, transactions that read and single-statement reads from many
// goroutines at once, more than either pool has connections, all finish.
func TestManyClientsMixingReadsAndWritesAllFinish(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "agentry.db"))
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			ctx := context.Background()
			id := fmt.Sprintf("ws_%d", i)
			for j := range 20 {
				var err error
				switch j % 3 {
				case 0:
					err = s.Update(ctx, func(tx agentry.Tx) error {
						if j == 0 {
							return tx.InsertWorkspace(&agentry.Workspace{ID: id, Name: id})
						}
						_, err := tx.WorkspaceByID(id)
						return err
					})
				case 1:
					err = s.View(ctx, func(tx agentry.Tx) error { _, err := tx.WorkspaceByID(id); return err })
				case 2:
					err = s.Read(ctx, func(tx agentry.Tx) error { _, err := tx.WorkspaceByID(id); return err })
				}
				if err != nil {
					t.Errorf("client %d, call %d: %v", i, j, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
