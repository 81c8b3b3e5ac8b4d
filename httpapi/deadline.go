package httpapi

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// deadlineCtx is its parent with a deadline (the request timeout) whose
// timer is set only when something asks whether the request is over: Done
// or Err, which the store's calls do. A request answered from a cache never
// asks, and context.WithTimeout's timer and registration with the
// connection's context cost 3.4% of such a request's CPU (a published
// get-agent at 64 clients, docs/BENCHMARKS.md). Once set, it is a
// context.WithDeadline in every respect.
type deadlineCtx struct {
	context.Context // the parent
	deadline        time.Time

	once   sync.Once
	real   atomic.Pointer[context.Context] // the WithDeadline, once set
	cancel context.CancelFunc
}

// withLazyDeadline returns ctx with the deadline d, and the function that
// cancels it, to be called when the request ends: as with WithDeadline's,
// the context is then done with context.Canceled.
func withLazyDeadline(ctx context.Context, d time.Time) (*deadlineCtx, func()) {
	c := &deadlineCtx{Context: ctx, deadline: d}
	return c, func() {
		c.once.Do(func() {
			// Never asked: no timer to stop, only the answer to give later.
			var ended context.Context = endedCtx{ctx}
			c.cancel = func() {}
			c.real.Store(&ended)
		})
		c.cancel()
	}
}

// endedCtx is a context canceled before anything asked for its timer.
type endedCtx struct{ context.Context }

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (endedCtx) Done() <-chan struct{} { return closed }
func (endedCtx) Err() error            { return context.Canceled }

// started sets the timer once and returns the context that has it.
func (c *deadlineCtx) started() context.Context {
	c.once.Do(func() {
		real, cancel := context.WithDeadline(c.Context, c.deadline)
		c.cancel = cancel
		c.real.Store(&real)
	})
	return *c.real.Load()
}

func (c *deadlineCtx) Deadline() (time.Time, bool) {
	if d, ok := c.Context.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

func (c *deadlineCtx) Done() <-chan struct{} { return c.started().Done() }

func (c *deadlineCtx) Err() error { return c.started().Err() }

// Value answers from the context with the timer once it is set, so that a
// context derived from this one finds its cancellation (context's own
// lookup goes through Value) and context.Cause reports the deadline.
func (c *deadlineCtx) Value(key any) any {
	if real := c.real.Load(); real != nil {
		return (*real).Value(key)
	}
	return c.Context.Value(key)
}
