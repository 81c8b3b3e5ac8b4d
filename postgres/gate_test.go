package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/storetest"
)

// The pool's connections (--db-max-conns, here one) are shared by reads and
// writes and handed out in the order the requests came; a request that ends
// while it waits leaves the queue.
func TestPoolWaitersAreServedInArrivalOrder(t *testing.T) {
	s, err := Open(t.Context(), freshSchema(t), Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in, out := make(chan struct{}), make(chan struct{})
	var holders sync.WaitGroup
	holders.Go(func() { _ = s.Update(context.Background(), func(agentry.Tx) error { close(in); <-out; return nil }) })
	<-in

	canceled, cancel := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() { gone <- s.View(canceled, func(agentry.Tx) error { return errors.New("ran") }) }()
	storetest.WaitersAtGate(t, 1)
	const n = 10
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			record := func(agentry.Tx) error { mu.Lock(); order = append(order, i); mu.Unlock(); return nil }
			var err error
			if i%2 == 0 {
				err = s.Update(context.Background(), record)
			} else {
				err = s.View(context.Background(), record)
			}
			if err != nil {
				t.Errorf("waiter %d: %v", i, err)
			}
		})
		storetest.WaitersAtGate(t, i+2)
	}
	cancel()
	var e *agentry.Error
	if err := <-gone; !errors.As(err, &e) || e.Code != agentry.ECANCELED {
		t.Fatalf("canceled waiter: %v, want an error of code %s", err, agentry.ECANCELED)
	}
	close(out)
	holders.Wait()
	wg.Wait()
	for pos, i := range order {
		if i != pos {
			t.Fatalf("waiters ran in order %v, want 0…%d", order, n-1)
		}
	}
}
