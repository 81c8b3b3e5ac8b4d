package sqlite

import (
	"os"
	"runtime"
	"sync"
)

// The driver (modernc.org/sqlite, C translated to Go) enters the kernel with
// raw system calls, which the Go scheduler does not see. A goroutine blocked
// in one keeps its P: with one P (a process given one core, the bench's
// server, a container with a one-CPU quota), every other goroutine, every
// request, waits until the call returns. Most of the driver's calls return in
// microseconds, but a checkpoint ends with an fsync of the database file,
// which waits for every page it copied to reach the disk: measured
// 2026-11-29 with bench --profile, the server stood still for up to 0.7 s
// (goroutines runnable, none running, no GC) during update-agent at 64
// clients, and p99 was 30× p50.
//
// widen gives the scheduler a second P while such a call may run (a
// checkpoint; with synchronous=full, every commit), so that the rest of the
// process goes on beside it; the kernel then shares the one core between the
// two threads. It does nothing when the process already has two or more Ps,
// or when the operator chose the number with GOMAXPROCS.
var wide struct {
	sync.Mutex
	holders int
	raised  bool
}

// widen returns the function that gives the second P back; calls nest.
func widen() (release func()) {
	wide.Lock()
	if wide.holders == 0 && runtime.GOMAXPROCS(0) < 2 && os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(2)
		wide.raised = true
	}
	wide.holders++
	wide.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			wide.Lock()
			defer wide.Unlock()
			if wide.holders--; wide.holders == 0 && wide.raised {
				// Back to the runtime's own choice (from the CPUs the
				// process may use), which it keeps up to date.
				runtime.SetDefaultGOMAXPROCS()
				wide.raised = false
			}
		})
	}
}
