package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// request is one prepared HTTP/1.1 request: its bytes on the wire and the
// key ("METHOD URI") under which the ceiling server finds its response.
type request struct {
	key  string
	wire []byte
}

func newRequest(host, key, method, uri string, body []byte) request {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nUser-Agent: agentry-bench\r\n", method, uri, host, key)
	if body != nil || method == "POST" || method == "PATCH" {
		fmt.Fprintf(&b, "Content-Type: application/json\r\nContent-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.Write(body)
	return request{key: method + " " + uri, wire: b.Bytes()}
}

// withHost returns the request's bytes addressed to another host:port.
func (r request) withHost(from, to string) request {
	return request{key: r.key, wire: bytes.Replace(r.wire, []byte("\r\nHost: "+from+"\r\n"), []byte("\r\nHost: "+to+"\r\n"), 1)}
}

// response is what a server answered: enough to serve the same bytes again.
type response struct {
	Status  int
	Headers [][2]string // as received, minus Date and Content-Length
	Body    []byte
}

// conn is one keep-alive connection of the raw load generator: it writes a
// prepared request and reads the response, much cheaper than net/http's
// client, so that the load core is not the bottleneck.
type conn struct {
	addr string
	c    net.Conn
	br   *bufio.Reader
	body []byte
}

func dial(addr string) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &conn{addr: addr, c: c, br: bufio.NewReaderSize(c, 64<<10), body: make([]byte, 0, 64<<10)}, nil
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
	}
}

// do sends req and reads the response. With keep, the response headers and
// body are returned too (the body aliases c's buffer until the next call).
func (c *conn) do(req []byte, keep bool) (int, *response, error) {
	if c.c == nil {
		nc, err := dial(c.addr)
		if err != nil {
			return 0, nil, err
		}
		*c = *nc
	}
	_ = c.c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.c.Write(req); err != nil {
		c.reset()
		return 0, nil, err
	}
	status, resp, err := c.read(keep)
	if err != nil {
		c.reset()
	}
	return status, resp, err
}

func (c *conn) reset() {
	c.close()
	c.c = nil
}

func (c *conn) read(keep bool) (int, *response, error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, nil, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("bad status line %q", line)
	}
	var resp *response
	if keep {
		resp = &response{Status: status}
	}
	length, chunked, closing := -1, false, false
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, nil, fmt.Errorf("bad header %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqualFold(name, "Content-Length"):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, nil, fmt.Errorf("bad Content-Length %q", value)
			}
		case asciiEqualFold(name, "Transfer-Encoding"):
			chunked = asciiEqualFold(value, "chunked")
		case asciiEqualFold(name, "Connection"):
			closing = asciiEqualFold(value, "close")
		case keep && !asciiEqualFold(name, "Date"):
			resp.Headers = append(resp.Headers, [2]string{string(name), string(value)})
		}
	}
	c.body = c.body[:0]
	switch {
	case chunked:
		for {
			line, err := c.br.ReadSlice('\n')
			if err != nil {
				return 0, nil, err
			}
			size, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.SplitN(line, []byte(";"), 2)[0])), 16, 64)
			if err != nil {
				return 0, nil, fmt.Errorf("bad chunk size %q", line)
			}
			if size == 0 {
				for { // trailers, then the blank line
					l, err := c.br.ReadSlice('\n')
					if err != nil {
						return 0, nil, err
					}
					if len(bytes.TrimRight(l, "\r\n")) == 0 {
						break
					}
				}
				break
			}
			if err := c.readN(int(size)); err != nil {
				return 0, nil, err
			}
			if _, err := c.br.Discard(2); err != nil {
				return 0, nil, err
			}
		}
	case length >= 0:
		if err := c.readN(length); err != nil {
			return 0, nil, err
		}
	case status == 204 || status == 304:
	default:
		return 0, nil, errors.New("response without length")
	}
	if keep {
		resp.Body = slices.Clone(c.body)
	}
	if closing {
		c.reset()
	}
	return status, resp, nil
}

func (c *conn) readN(n int) error {
	start := len(c.body)
	c.body = slices.Grow(c.body, n)[:start+n]
	_, err := io.ReadFull(c.br, c.body[start:])
	return err
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i]|0x20, s[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

// result is one measured run.
type result struct {
	Requests int
	Errors   int // transport errors and non-2xx answers
	Elapsed  time.Duration
	// Latency percentiles and the largest, read from Hist.
	P50, P90, P99, P999, Max time.Duration
	Hist                     *hist
	FirstErr                 string
	// The harness's own garbage collections during the run and their
	// stop-the-world pauses: a pause here is a tail the load generator
	// made, not the server.
	HarnessGCs   uint32
	HarnessPause time.Duration
	// The harness's CPU time during the run as a share of its one core
	// (near 1, the load generator is the limit), and the 99th percentile of
	// the time its goroutines waited to run once runnable (its own
	// scheduling delay, which every latency it measured includes).
	HarnessCPU      float64
	HarnessSchedP99 time.Duration
	// ServerGC is what garbage collection cost the server during the run,
	// when it has a debug listener (--debug, --profile).
	ServerGC string
	// Storage is where the server's pages came from during the run, on
	// SQLite (storageProbe.line).
	Storage string
}

// harnessLine says what the load generator itself did during the run, and,
// when the harness could see them, the server's collections and where its
// database pages came from.
func (r result) harnessLine() string {
	s := fmt.Sprintf("harness: CPU %.0f%% of its core, scheduling delay p99 %s, GCs %d (%s paused)",
		r.HarnessCPU*100, r.HarnessSchedP99, r.HarnessGCs, r.HarnessPause)
	if r.ServerGC != "" {
		s += "; " + r.ServerGC
	}
	if r.Storage != "" {
		s += "; " + r.Storage
	}
	return s
}

// harnessClock is the harness's CPU time and scheduling-delay histogram.
type harnessClock struct {
	cpu   time.Duration
	sched metrics.Sample
}

func readHarnessClock() harnessClock {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	s := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(s)
	return harnessClock{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), sched: s[0]}
}

// schedP99 is the 99th percentile of the scheduling delays between two readings.
func schedP99(before, after harnessClock) time.Duration {
	if before.sched.Value.Kind() != metrics.KindFloat64Histogram || after.sched.Value.Kind() != metrics.KindFloat64Histogram {
		return 0
	}
	b, a := before.sched.Value.Float64Histogram(), after.sched.Value.Float64Histogram()
	var total uint64
	diff := make([]uint64, len(a.Counts))
	for i := range a.Counts {
		diff[i] = a.Counts[i] - b.Counts[i]
		total += diff[i]
	}
	if total == 0 {
		return 0
	}
	rank, seen := total-total/100, uint64(0)
	for i, c := range diff {
		seen += c
		if seen >= rank {
			return time.Duration(a.Buckets[i+1] * 1e9) // the bucket's upper bound
		}
	}
	return 0
}

func (r result) rps() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// runLoad sends reqs from clients keep-alive connections, each sending its
// next request when the last is answered, until duration has passed or
// maxRequests were sent. Client w connects to addrs[w % len(addrs)] (one
// address, or replicas shared round-robin by connection). Requests go
// round-robin over reqs; with once, each request is sent at most once
// (publishing consumes drafts).
//
// The loop of each client allocates nothing: the connection and its buffers
// and the client's histogram exist before the clock starts.
func runLoad(addrs []string, reqs []request, clients int, duration time.Duration, maxRequests int, once bool) result {
	if len(reqs) == 0 {
		return result{FirstErr: "no requests"}
	}
	if once {
		maxRequests = min(maxRequests, len(reqs))
	}
	var next atomic.Int64
	var firstErr atomic.Value
	hists := make([]hist, clients)
	errs := make([]int, clients)
	conns := make([]*conn, clients)
	for w := range clients {
		conns[w] = &conn{addr: addrs[w%len(addrs)]}
		if c, err := dial(conns[w].addr); err == nil {
			conns[w] = c
		}
	}
	// Collect the harness's garbage now, so that a collection during the
	// run (counted below) is one the run itself caused.
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	clock0 := readHarnessClock()
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(duration)
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, h := conns[w], &hists[w]
			defer c.close()
			for {
				i := next.Add(1) - 1
				if i >= int64(maxRequests) {
					break
				}
				t0 := time.Now()
				if t0.After(deadline) {
					break
				}
				req := &reqs[i%int64(len(reqs))]
				status, _, err := c.do(req.wire, false)
				h.record(time.Since(t0))
				if err != nil || status < 200 || status > 299 {
					errs[w]++
					if err == nil {
						err = fmt.Errorf("%s: status %d", req.key, status)
					}
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	res := result{Elapsed: time.Since(start), Hist: &hist{}}
	clock1 := readHarnessClock()
	res.HarnessCPU = float64(clock1.cpu-clock0.cpu) / float64(res.Elapsed)
	res.HarnessSchedP99 = schedP99(clock0, clock1)
	runtime.ReadMemStats(&after)
	res.HarnessGCs = after.NumGC - before.NumGC
	res.HarnessPause = time.Duration(after.PauseTotalNs - before.PauseTotalNs)
	for w := range clients {
		res.Hist.merge(&hists[w])
		res.Errors += errs[w]
	}
	res.Requests = int(res.Hist.n)
	if s, ok := firstErr.Load().(string); ok {
		res.FirstErr = s
	}
	h := res.Hist
	res.P50, res.P90, res.P99, res.P999, res.Max = h.quantile(0.50), h.quantile(0.90), h.quantile(0.99), h.quantile(0.999), h.max
	return res
}

// capture sends every distinct request once, in order, on one connection
// and returns the responses by request key (the first answer wins). It also
// warms the server's caches.
func capture(addr string, reqs []request) (map[string]*response, error) {
	c := &conn{addr: addr}
	defer c.close()
	out := map[string]*response{}
	for _, r := range reqs {
		if _, ok := out[r.key]; ok {
			continue
		}
		status, resp, err := c.do(r.wire, true)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.key, err)
		}
		if status < 200 || status > 299 {
			return nil, fmt.Errorf("%s: status %d: %s", r.key, status, resp.Body)
		}
		out[r.key] = resp
	}
	return out, nil
}
