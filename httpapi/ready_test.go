package httpapi_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/schema"
)

// unwritable is a store that answers but, while readOnly is set, cannot
// write: its probe and its writes fail as a read-only or full database's do.
type unwritable struct {
	agentry.Store
	readOnly atomic.Bool
	probes   atomic.Int32
}

var errCannotWrite = agentry.ReadOnly(errors.New("attempt to write a readonly database"))

func (u *unwritable) ProbeWrite(ctx context.Context) error {
	u.probes.Add(1)
	if u.readOnly.Load() {
		return errCannotWrite
	}
	return u.Store.(agentry.WriteProber).ProbeWrite(ctx)
}

func (u *unwritable) Update(ctx context.Context, fn func(agentry.Tx) error) error {
	if u.readOnly.Load() {
		return errCannotWrite
	}
	return u.Store.Update(ctx, fn)
}

// /readyz is 503 while the database cannot write, and ready again once it
// can: the probe runs when readiness is asked, at most once per interval,
// and a write that fails for that reason makes the answer 503 at once.
func TestReadinessFollowsWhetherTheDatabaseCanWrite(t *testing.T) {
	var st *unwritable
	e := newEnv(t, func(s *httpapi.Server) {
		st = &unwritable{Store: s.Store}
		s.Store = st
		s.Service = &agentry.Service{Store: st, Rules: schema.Rules{}}
		s.WriteProbeInterval = time.Hour // only failed writes and the first ask probe
	})
	ready := func() response { return e.do("GET", "/readyz", "", nil) }
	if r := ready(); r.status != 200 {
		t.Fatalf("writable: %d %s", r.status, r.body)
	}
	// Many asks within the interval: one probe.
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { ready() })
	}
	wg.Wait()
	if n := st.probes.Load(); n != 1 {
		t.Errorf("%d probes for 21 asks within the interval, want 1", n)
	}

	st.readOnly.Store(true)
	// A write fails with 503, and readiness says so without waiting for
	// the interval.
	wantError(t, e.do("POST", "/create-agent", e.keyA, []byte(minimalAgent)), 503, "cannot be written")
	wantError(t, ready(), 503, "database cannot be written")
	// Reads still work.
	if r := e.do("POST", "/v2/list-agents", e.keyA, nil); r.status != 200 {
		t.Errorf("a read while read-only: %d %s", r.status, r.body)
	}
}

// With a short interval, readiness probes again and recovers by itself.
func TestReadinessRecoversWhenWritesDo(t *testing.T) {
	var st *unwritable
	e := newEnv(t, func(s *httpapi.Server) {
		st = &unwritable{Store: s.Store}
		st.readOnly.Store(true)
		s.Store = st
		s.WriteProbeInterval = time.Millisecond
	})
	wantError(t, e.do("GET", "/readyz", "", nil), 503, "database cannot be written")
	st.readOnly.Store(false)
	deadline := time.Now().Add(5 * time.Second)
	for e.do("GET", "/readyz", "", nil).status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("still not ready after the database could write again")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
