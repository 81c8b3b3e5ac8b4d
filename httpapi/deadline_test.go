package httpapi

import (
	"context"
	"errors"
	"testing"
	"time"
)

type lazyKey struct{}

// The request's context with its lazy deadline behaves as context.WithDeadline: it has the
// deadline, ends at it (and so does a context derived from it), ends with
// its parent, is canceled when the request ends, and passes values through.
func TestLazyDeadlineActsAsWithDeadline(t *testing.T) {
	parent := context.WithValue(context.Background(), lazyKey{}, "v")

	d := time.Now().Add(30 * time.Millisecond)
	ctx, end := newRequestCtx(parent, nil, d)
	defer end()
	if got, ok := ctx.Deadline(); !ok || !got.Equal(d) {
		t.Errorf("Deadline() = %v, %v; want %v, true", got, ok, d)
	}
	if ctx.Value(lazyKey{}) != "v" {
		t.Errorf("Value = %v, want the parent's", ctx.Value(lazyKey{}))
	}
	child, stop := context.WithCancel(ctx)
	defer stop()
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a context derived from it did not end at the deadline")
	}
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) || !errors.Is(context.Cause(child), context.DeadlineExceeded) {
		t.Errorf("Err() = %v, Cause(child) = %v; want the deadline exceeded", ctx.Err(), context.Cause(child))
	}
	if ctx.Value(lazyKey{}) != "v" {
		t.Errorf("Value after the timer = %v, want the parent's", ctx.Value(lazyKey{}))
	}

	// Err alone, past the deadline, without anyone waiting on Done.
	ctx2, end2 := newRequestCtx(parent, nil, time.Now().Add(-time.Millisecond))
	defer end2()
	if !errors.Is(ctx2.Err(), context.DeadlineExceeded) {
		t.Errorf("Err() past the deadline = %v", ctx2.Err())
	}

	// The parent ends first.
	p3, cancel3 := context.WithCancel(parent)
	ctx3, end3 := newRequestCtx(p3, nil, time.Now().Add(time.Hour))
	defer end3()
	if ctx3.Err() != nil {
		t.Fatalf("Err() before anything ended = %v", ctx3.Err())
	}
	cancel3()
	select {
	case <-ctx3.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("it did not end with its parent")
	}
	if !errors.Is(ctx3.Err(), context.Canceled) {
		t.Errorf("Err() after the parent's cancel = %v", ctx3.Err())
	}
	if d, _ := ctx3.Deadline(); d.After(time.Now().Add(time.Hour)) {
		t.Errorf("Deadline() = %v, later than set", d)
	}

	// The request ends: canceled, asked before or not.
	for _, ask := range []bool{false, true} {
		ctx4, end4 := newRequestCtx(parent, nil, time.Now().Add(time.Hour))
		if ask && ctx4.Err() != nil {
			t.Fatal(ctx4.Err())
		}
		end4()
		select {
		case <-ctx4.Done():
		default:
			t.Errorf("asked before the end %v: not done after it", ask)
		}
		if !errors.Is(ctx4.Err(), context.Canceled) {
			t.Errorf("asked before the end %v: Err() = %v, want canceled", ask, ctx4.Err())
		}
		child, stop := context.WithCancel(ctx4)
		if child.Err() == nil {
			t.Errorf("asked before the end %v: a context derived after the end is not done", ask)
		}
		stop()
	}

	// A parent deadline earlier than the request's is the one reported.
	p5, cancel5 := context.WithDeadline(parent, time.Now().Add(time.Minute))
	defer cancel5()
	ctx5, end5 := newRequestCtx(p5, nil, time.Now().Add(time.Hour))
	defer end5()
	if got, _ := ctx5.Deadline(); got.After(time.Now().Add(2 * time.Minute)) {
		t.Errorf("Deadline() = %v, want the parent's earlier one", got)
	}
}

// The request's context carries its requestInfo; without a request timeout
// it has no deadline and ends with its parent only.
func TestRequestContextWithoutTimeout(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), lazyKey{}, "v"))
	ri := &requestInfo{id: "req_1"}
	ctx, end := newRequestCtx(parent, ri, time.Time{})
	if ctx.Value(ctxRequest) != ri || ctx.Value(lazyKey{}) != "v" {
		t.Errorf("Value(ctxRequest) = %v, Value(key) = %v", ctx.Value(ctxRequest), ctx.Value(lazyKey{}))
	}
	if _, ok := ctx.Deadline(); ok {
		t.Error("a deadline without a request timeout")
	}
	end()
	if ctx.Err() != nil {
		t.Errorf("Err() after the request's end, without a timeout = %v, want nil (as a value context)", ctx.Err())
	}
	cancel()
	<-ctx.Done()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("Err() after the parent's end = %v", ctx.Err())
	}
	with, end2 := newRequestCtx(parent, ri, time.Now().Add(time.Hour))
	defer end2()
	if with.Value(ctxRequest) != ri {
		t.Error("Value(ctxRequest) with a timeout: not the request's info")
	}
}
