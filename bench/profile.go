package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// With --profile DIR, the harness starts agentry with --debug-addr and, during
// each measured agentry run, fetches from it what shows where time goes:
//
//	<endpoint>-<clients>.cpu.pprof        CPU profile for the run's length
//	<endpoint>-<clients>.mutex.pprof      contended locks during the run (delta)
//	<endpoint>-<clients>.block.pprof      blocking (channels, locks, select) during the run (delta)
//	<endpoint>-<clients>.trace            1 s execution trace from the middle of the run (go tool trace)
//	<endpoint>-<clients>.sched.pprof      the trace's scheduler latency, as a profile
//	<endpoint>-<clients>.goroutine.pprof  goroutines at the end of the run
//	<endpoint>-<clients>.heap.pprof       heap at the end of the run
//
// The summaries (go tool pprof -top, 15 lines) are made after the last run, so
// that running pprof does not share the load core with a measurement.

// profileSet is the profiles of one run, and their summary once made.
type profileSet struct {
	scenario string
	clients  int
	dir      string
	base     string // path prefix: dir/<endpoint>-<clients>
	summary  string
}

// profileName is a run's file prefix: the endpoint with spaces as dashes.
func profileName(scenario string, clients int) string {
	return fmt.Sprintf("%s-%d", strings.ReplaceAll(scenario, " ", "-"), clients)
}

// startProfiles begins fetching the profiles of a run of length d from the
// debug address; wait blocks until they are written and takes the end-of-run
// snapshots.
func startProfiles(debugAddr, dir, scenario string, clients int, d time.Duration) (wait func() (profileSet, error)) {
	set := profileSet{scenario: scenario, clients: clients, dir: dir, base: filepath.Join(dir, profileName(scenario, clients))}
	secs := max(1, int((d+time.Second/2)/time.Second)) // the profiler counts whole seconds
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	fetch := func(after time.Duration, path, suffix string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(after)
			if err := fetchTo("http://"+debugAddr+path, set.base+suffix); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	fetch(0, fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs), ".cpu.pprof")
	fetch(0, fmt.Sprintf("/debug/pprof/mutex?seconds=%d", secs), ".mutex.pprof")
	fetch(0, fmt.Sprintf("/debug/pprof/block?seconds=%d", secs), ".block.pprof")
	fetch(max(0, d/2-time.Second/2), "/debug/pprof/trace?seconds=1", ".trace")
	return func() (profileSet, error) {
		wg.Wait()
		for _, p := range []string{"goroutine", "heap"} {
			if err := fetchTo("http://"+debugAddr+"/debug/pprof/"+p, set.base+"."+p+".pprof"); err != nil {
				errs = append(errs, err)
			}
		}
		return set, errors.Join(errs...)
	}
}

func fetchTo(url, path string) error {
	res, err := http.Get(url)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 500))
		return fmt.Errorf("GET %s: %d %s", url, res.StatusCode, b)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// summarize fills set.summary with the top 15 lines of each profile, and
// turns the trace into a scheduler-latency profile first.
func summarize(ctx context.Context, set *profileSet) {
	var b strings.Builder
	if _, err := os.Stat(set.base + ".trace"); err == nil {
		if out, err := exec.CommandContext(ctx, "go", "tool", "trace", "-pprof=sched", set.base+".trace").Output(); err == nil {
			_ = os.WriteFile(set.base+".sched.pprof", out, 0o644)
		}
	}
	for _, kind := range []string{"cpu", "mutex", "block", "sched"} {
		path := set.base + "." + kind + ".pprof"
		fmt.Fprintf(&b, "== %s (%s)\n", kind, filepath.Base(path))
		if _, err := os.Stat(path); err != nil {
			b.WriteString("(none)\n")
			continue
		}
		args := []string{"tool", "pprof", "-top", "-nodecount=15"}
		if kind == "block" {
			// Idle background workers (and the profiler's own handlers)
			// block all run long: show only the blocking inside agentry's
			// request handling, database pool waits included.
			args = append(args, "-focus=agentry/httpapi", "-ignore=WatchDeletions")
		}
		out, err := exec.CommandContext(ctx, "go", append(args, path)...).CombinedOutput()
		if err != nil {
			fmt.Fprintf(&b, "(go tool pprof: %v)\n", err)
		}
		b.Write(out)
	}
	set.summary = b.String()
}

// serverGC is the part of the server's runtime.MemStats (from /debug/vars)
// that tells how much garbage collection a run cost it.
type serverGC struct {
	NumGC        uint32
	PauseTotalNs uint64
	PauseNs      [256]uint64 // circular: the pause of GC n is at (n+255) % 256
	PauseEnd     [256]uint64 // when each ended, Unix ns
	// The store's write groups (SQLite's group commit), beside memstats.
	Groups, Writes int64 `json:"-"`
}

// readServerGC reads the server's GC statistics, or nil without a debug
// listener.
func readServerGC(debugAddr string) *serverGC {
	if debugAddr == "" {
		return nil
	}
	res, err := http.Get("http://" + debugAddr + "/debug/vars")
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	var v struct {
		Memstats    serverGC                       `json:"memstats"`
		WriteGroups struct{ Groups, Writes int64 } `json:"write_groups"`
	}
	if json.NewDecoder(res.Body).Decode(&v) != nil {
		return nil
	}
	v.Memstats.Groups, v.Memstats.Writes = v.WriteGroups.Groups, v.WriteGroups.Writes
	return &v.Memstats
}

// gcLine says what garbage collection cost the server between two
// readings: collections, total stop-the-world pause and the longest.
func gcLine(before, after *serverGC) string {
	if before == nil || after == nil {
		return ""
	}
	n := after.NumGC - before.NumGC
	var longest uint64
	for i := uint32(0); i < min(n, 256); i++ {
		longest = max(longest, after.PauseNs[(after.NumGC-1-i)%256])
	}
	line := fmt.Sprintf("server: GCs %d, paused %s in all, longest %s", n,
		time.Duration(after.PauseTotalNs-before.PauseTotalNs).Round(time.Microsecond), time.Duration(longest).Round(time.Microsecond))
	if g, w := after.Groups-before.Groups, after.Writes-before.Writes; g > 0 {
		line += fmt.Sprintf("; write transactions %d for %d writes (%.1f a group)", g, w, float64(w)/float64(g))
	}
	return line
}
