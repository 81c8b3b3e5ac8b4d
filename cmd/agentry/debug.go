package main

import (
	"expvar"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"sync/atomic"
	"time"
)

// groupStater is a store that commits queued writes in groups (SQLite).
type groupStater interface{ GroupStats() (groups, writes int64) }

// servedStore is the store whose write groups /debug/vars reports, as
// "write_groups": {"groups", "writes"} (writes ÷ groups is the mean group).
var servedStore atomic.Pointer[groupStater]

func init() {
	expvar.Publish("write_groups", expvar.Func(func() any {
		var v struct {
			Groups int64 `json:"groups"`
			Writes int64 `json:"writes"`
		}
		if st := servedStore.Load(); st != nil {
			v.Groups, v.Writes = (*st).GroupStats()
		}
		return v
	}))
}

// The debug listener (serve --debug-addr): Go's profiler and runtime
// variables on an address of their own, for finding where latency and
// memory go under load (docs/BENCHMARKS.md, bench --profile). It has no
// authentication, so it listens on loopback unless the operator passes
// --debug-public as well.

// Sampling rates of the mutex and block profiles while a debug listener is
// up: one in mutexProfileFraction contended unlocks is recorded, and every
// blocking event of blockProfileRate or longer (shorter ones in proportion).
// Both cost a little on every contended lock; they are off without
// --debug-addr.
const (
	mutexProfileFraction = 10
	blockProfileRate     = 10 * time.Microsecond
)

// checkDebugAddr refuses an address anyone but this host could reach,
// unless public is set.
func checkDebugAddr(addr string, public bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError{fmt.Sprintf("serve: --debug-addr %q: %v", addr, err)}
	}
	if public {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return usageError{fmt.Sprintf("serve: --debug-addr %s is not a loopback address; the debug listener has no authentication, add --debug-public to expose it anyway", addr)}
}

// startDebug listens on addr and serves /debug/pprof/ and /debug/vars
// until the returned function is called.
func startDebug(addr string, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("serve: --debug-addr %s: %w", addr, err)
	}
	runtime.SetMutexProfileFraction(mutexProfileFraction)
	runtime.SetBlockProfileRate(int(blockProfileRate))
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // and every named profile: heap, goroutine, mutex, block, allocs …
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/debug/vars", expvar.Handler())
	// No write timeout: a CPU profile or a trace answers after its seconds.
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	logger.Info("debug listener (pprof, expvar; no authentication)", "addr", ln.Addr().String())
	return func() {
		_ = hs.Close()
		runtime.SetMutexProfileFraction(0)
		runtime.SetBlockProfileRate(0)
	}, nil
}
