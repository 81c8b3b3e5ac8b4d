package httpapi

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// requestCtx is a request's context: the connection's, with the request's
// requestInfo (under ctxRequest) and the request timeout's deadline. It is
// one value, so that serve copies the request once. The deadline's timer is
// set only when something asks whether the request is over (Done or Err,
// which the store's calls do): a request answered from a cache never asks,
// and context.WithTimeout's timer and its registration with the
// connection's context cost 3.4% of such a request's CPU (a published
// get-agent at 64 clients, docs/BENCHMARKS.md). Once set, it is a
// context.WithDeadline in every respect.
type requestCtx struct {
	context.Context // the connection's
	info            *requestInfo
	deadline        time.Time // zero: none

	once   sync.Once
	real   atomic.Pointer[context.Context] // with the timer, once set
	cancel context.CancelFunc
}

// newRequestCtx returns the context of a request on parent, and the function
// that cancels it, to be called when the request ends: as with
// WithDeadline's, the context is then done with context.Canceled. A zero
// deadline is none: the context ends with its parent only.
func newRequestCtx(parent context.Context, info *requestInfo, deadline time.Time) (*requestCtx, func()) {
	c := &requestCtx{Context: parent, info: info, deadline: deadline}
	if deadline.IsZero() {
		return c, func() {}
	}
	return c, c.end
}

func (c *requestCtx) end() {
	// Never asked: no timer to stop, only the answer to give later.
	c.once.Do(func() { c.real.Store(&ended) })
	if c.cancel != nil {
		c.cancel()
	}
}

// started sets the timer once and returns the context that has it.
func (c *requestCtx) started() context.Context {
	if c.deadline.IsZero() {
		return c.Context
	}
	c.once.Do(func() {
		real, cancel := context.WithDeadline(c.Context, c.deadline)
		c.cancel = cancel
		c.real.Store(&real)
	})
	return *c.real.Load()
}

func (c *requestCtx) Deadline() (time.Time, bool) {
	d, ok := c.Context.Deadline()
	if c.deadline.IsZero() || ok && d.Before(c.deadline) {
		return d, ok
	}
	return c.deadline, true
}

func (c *requestCtx) Done() <-chan struct{} { return c.started().Done() }

func (c *requestCtx) Err() error { return c.started().Err() }

// Value answers ctxRequest itself, and other keys from the context with the
// timer once it is set, so that a context derived from this one finds its
// cancellation (context's own lookup goes through Value) and context.Cause
// reports the deadline.
func (c *requestCtx) Value(key any) any {
	if key == any(ctxRequest) {
		return c.info
	}
	if real := c.real.Load(); real != nil && real != &ended {
		return (*real).Value(key)
	}
	return c.Context.Value(key)
}

// ended stands for the timer of a request that ended before anything asked
// for it: done, canceled. One value for all of them (no allocation); Value
// never asks it.
var ended context.Context = endedCtx{}

type endedCtx struct{ context.Context }

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (endedCtx) Done() <-chan struct{}            { return closed }
func (endedCtx) Err() error                       { return context.Canceled }
func (endedCtx) Deadline() (d time.Time, ok bool) { return }
