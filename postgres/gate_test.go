package postgres

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/agentry/agentry"
)

// waitersAtGate waits until n goroutines are parked waiting for a slot of a
// store's gate, as a full goroutine dump shows them.
func waitersAtGate(t *testing.T, n int) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for {
		got := 0
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			if strings.Contains(g, "[select") && strings.Contains(g, "sqlstore.gate.enter") {
				got++
			}
		}
		if got == n {
			return
		}
		if got > n {
			t.Fatalf("%d goroutines wait at the gate, want %d", got, n)
		}
		runtime.Gosched()
	}
}

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
	waitersAtGate(t, 1)
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
		waitersAtGate(t, i+2)
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
