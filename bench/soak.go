package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The soak (--soak DURATION) asks whether agentry's memory stays flat under
// a long mixed load: clients read published and draft versions and list
// pages as fast as they are answered, while one writer updates drafts,
// creates versions and publishes them at a fixed modest rate. Every
// soakInterval the harness samples the server's resident set (VmRSS, and
// the peak VmHWM) and, from its debug listener, the Go heap.

const soakInterval = 5 * time.Second

type soakSample struct {
	at       time.Duration // since the soak began
	rss, hwm int64         // bytes
	heap     int64         // Go heap in use (HeapAlloc); -1 when unknown
	rps      float64       // reads answered per second in the interval
	p50, p99 time.Duration
	writes   int64 // writes answered 2xx in the interval
	errs     int   // reads and writes answered otherwise
}

type soakReport struct {
	duration    time.Duration
	clients     int
	writesPerS  int
	samples     []soakSample
	flat        bool
	mid, last   float64 // mean RSS (MB) of the middle and last thirds
	writeFailed string  // the first write that did not answer 2xx
}

// soakFlat says whether the last third's mean RSS is within 10% of the
// middle third's (the first third is warm-up: caches filling). It also
// returns the two means in MB.
func soakFlat(samples []soakSample) (flat bool, mid, last float64) {
	n := len(samples)
	if n < 3 {
		return false, 0, 0
	}
	mean := func(s []soakSample) float64 {
		var sum float64
		for _, x := range s {
			sum += float64(x.rss) / 1e6
		}
		return sum / float64(len(s))
	}
	mid, last = mean(samples[n/3:2*n/3]), mean(samples[2*n/3:])
	return last <= mid*1.10 && last >= mid*0.90, mid, last
}

// runSoak drives the mixed load on srv for o.soak.
func runSoak(ctx context.Context, o *options, srv *proc, ds *dataset, scs []scenario) (*soakReport, error) {
	byName := map[string][]request{}
	for _, sc := range scs {
		byName[sc.name] = sc.reqs
	}
	parts := [][]request{byName["get-agent published"], byName["get-agent published"], byName["get-agent draft"],
		byName["list-agents"], byName["list-agent-versions"]}
	var mix []request
	for i := range 5000 {
		for _, p := range parts {
			if len(p) > 0 {
				mix = append(mix, p[i%len(p)])
			}
		}
	}
	if len(mix) == 0 {
		return nil, fmt.Errorf("--soak needs the read endpoints (drop --only)")
	}
	rep := &soakReport{duration: o.soak, clients: o.clients[0], writesPerS: o.soakWrites}
	ctx, cancel := context.WithTimeout(ctx, o.soak)
	defer cancel()
	var written, writeErrs atomic.Int64
	var firstWriteErr atomic.Value
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		soakWriter(ctx, o, srv.addr, ds, &written, &writeErrs, &firstWriteErr)
	}()
	began := time.Now()
	var lastWritten int64
	for ctx.Err() == nil {
		r := runLoad([]string{srv.addr}, mix, rep.clients, min(soakInterval, time.Until(began.Add(o.soak))), 1<<62, false)
		w := written.Load()
		pid := srv.cmd.Process.Pid
		s := soakSample{at: time.Since(began), rss: procStatus(pid, "VmRSS:"), hwm: procStatus(pid, "VmHWM:"), heap: goHeap(srv.debug),
			rps: r.rps(), p50: r.P50, p99: r.P99, writes: w - lastWritten, errs: r.Errors}
		lastWritten = w
		rep.samples = append(rep.samples, s)
		logf("soak %6s: RSS %s (peak %s), Go heap %s, %.0f reads/s p50 %s p99 %s, %d writes, %d read errors %s",
			s.at.Round(time.Second), mb(s.rss), mb(s.hwm), heapMB(s.heap), s.rps, ms(s.p50), ms(s.p99), s.writes, s.errs, r.FirstErr)
	}
	cancel()
	<-writerDone
	if s, ok := firstWriteErr.Load().(string); ok {
		rep.writeFailed = fmt.Sprintf("%d writes failed; the first: %s", writeErrs.Load(), s)
	}
	rep.flat, rep.mid, rep.last = soakFlat(rep.samples)
	return rep, nil
}

// soakWriter sends o.soakWrites writes a second until ctx ends, in a cycle
// of three draft updates (hot agents), a new version of a cold agent and
// the publish of that version.
func soakWriter(ctx context.Context, o *options, addr string, ds *dataset, written, failed *atomic.Int64, firstErr *atomic.Value) {
	if o.soakWrites <= 0 {
		return
	}
	hot := ds.agents[:min(o.distinct, len(ds.agents)/4)]
	cold := ds.agents[len(hot):]
	c := &conn{addr: addr}
	defer c.close()
	tick := time.NewTicker(time.Second / time.Duration(o.soakWrites))
	defer tick.Stop()
	fail := func(what string, status int, err error) {
		failed.Add(1)
		firstErr.CompareAndSwap(nil, fmt.Sprintf("%s: status %d %v", what, status, err))
	}
	created := int64(-1) // the version the last create made, to publish next
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var req request
		agent := cold[(i/5)%len(cold)]
		switch i % 5 {
		case 0, 1, 2:
			id := hot[i%len(hot)]
			body := fmt.Sprintf(`{"begin_message_delay_ms":%d}`, 100+i%900)
			req = newRequest(addr, ds.key, "PATCH", fmt.Sprintf("/update-agent/%s?version=%d", id, ds.versions-1), []byte(body))
		case 3:
			req = newRequest(addr, ds.key, "POST", "/create-agent-version/"+agent, []byte(`{"base_version":0}`))
		case 4:
			if created < 0 {
				continue
			}
			req = newRequest(addr, ds.key, "POST", "/publish-agent-version/"+agent, []byte(fmt.Sprintf(`{"version":%d}`, created)))
			created = -1
		}
		status, resp, err := c.do(req.wire, true)
		if err != nil || status < 200 || status > 299 {
			fail(req.key, status, err)
			continue
		}
		written.Add(1)
		if i%5 == 3 {
			var v struct {
				Version int64 `json:"version"`
			}
			if json.Unmarshal(resp.Body, &v) == nil {
				created = v.Version
			}
		}
	}
}

// procStatus reads a field in kB of /proc/PID/status, in bytes.
func procStatus(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// goHeap is the server's HeapAlloc from its /debug/vars, or -1.
func goHeap(debugAddr string) int64 {
	if debugAddr == "" {
		return -1
	}
	res, err := http.Get("http://" + debugAddr + "/debug/vars")
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	var v struct {
		Memstats struct{ HeapAlloc int64 } `json:"memstats"`
	}
	if json.NewDecoder(res.Body).Decode(&v) != nil {
		return -1
	}
	return v.Memstats.HeapAlloc
}

func heapMB(b int64) string {
	if b < 0 {
		return "n/a"
	}
	return mb(b)
}

func (s *soakReport) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n#### Soak: %s, %d read clients, %d writes/s\n\n", s.duration, s.clients, s.writesPerS)
	b.WriteString("| time | RSS | peak RSS | Go heap | reads/s | p50 | p99 | writes | errors |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range s.samples {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %.0f | %s | %s | %d | %d |\n", x.at.Round(time.Second), mb(x.rss), mb(x.hwm), heapMB(x.heap), x.rps, ms(x.p50), ms(x.p99), x.writes, x.errs)
	}
	verdict := "**not flat**"
	if s.flat {
		verdict = "flat"
	}
	fmt.Fprintf(&b, "\nMean RSS of the middle third %.0f MB, of the last third %.0f MB: %s (flat: within 10%%).\n", s.mid, s.last, verdict)
	if s.writeFailed != "" {
		b.WriteString("Writes: " + s.writeFailed + "\n")
	}
	return b.String()
}
