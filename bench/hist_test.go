package main

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"
)

func TestBucketsCoverEveryLatencyInOrder(t *testing.T) {
	prev := -1
	for us := uint64(0); us < 1<<22; us += 1 + us/64 {
		i := bucketOf(us)
		low, width := bucketBounds(i)
		if us < low || us >= low+width {
			t.Fatalf("%d µs went to bucket %d, which holds [%d, %d)", us, i, low, low+width)
		}
		if i < prev {
			t.Fatalf("%d µs went to bucket %d, below the previous latency's %d", us, i, prev)
		}
		if us >= 16 && float64(width) > float64(low)/15 {
			t.Fatalf("bucket %d is [%d, %d): wider than 1/16 of its values", i, low, low+width)
		}
		prev = i
	}
}

func TestPercentiles(t *testing.T) {
	var h hist
	// 1,000 requests: 1 ms to 1,000 ms, one each.
	for ms := 1; ms <= 1000; ms++ {
		h.record(time.Duration(ms) * time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.50, 500 * time.Millisecond}, {0.90, 900 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {0.999, 999 * time.Millisecond}, {1, time.Second}} {
		got := h.quantile(c.q)
		if d := float64(got-c.want) / float64(c.want); d < -0.07 || d > 0.07 {
			t.Errorf("p%g = %s, want %s within 7%%", c.q*100, got, c.want)
		}
	}
	if h.max != time.Second || h.n != 1000 {
		t.Errorf("max %s, n %d; want 1s, 1000", h.max, h.n)
	}

	// A tail: 99 fast answers and one slow one. p99 is the fast ones',
	// p99.9 and the maximum the slow one's.
	var t2, part hist
	for range 99 {
		t2.record(200 * time.Microsecond)
	}
	part.record(80 * time.Millisecond)
	t2.merge(&part)
	if p := t2.quantile(0.99); p > 220*time.Microsecond || p < 180*time.Microsecond {
		t.Errorf("p99 = %s, want about 200µs", p)
	}
	if p := t2.quantile(0.999); p != 80*time.Millisecond {
		// The bucket's middle is capped by the maximum seen.
		if p < 75*time.Millisecond || p > 80*time.Millisecond {
			t.Errorf("p99.9 = %s, want about 80ms", p)
		}
	}
	if shape := t2.shape(); !strings.HasPrefix(shape, "128µs 99 · ") || !strings.HasSuffix(shape, "65.5ms 1") {
		t.Errorf("shape %q: want 99 requests from 128µs and 1 from 65.5ms, with the empty octaves between", shape)
	}
	var empty hist
	if empty.quantile(0.99) != 0 || empty.shape() != "" {
		t.Error("an empty histogram must report zero and no shape")
	}
}

// TestLoadLoopDoesNotAllocate checks that a load client's request, response
// and recording allocate nothing, so that the harness's garbage collector
// cannot put a tail into what it measures.
func TestLoadLoopDoesNotAllocate(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	answer := []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}")
	go func() { // an allocation-free server: one request in, the canned answer out
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		have := 0
		for {
			n, err := c.Read(buf[have:])
			if err != nil {
				return
			}
			have += n
			if bytes.Contains(buf[:have], []byte("\r\n\r\n")) {
				have = 0
				if _, err := c.Write(answer); err != nil {
					return
				}
			}
		}
	}()
	c, err := dial(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	req := newRequest("bench", "key", "GET", "/get-agent/a?version=1", nil)
	var h hist
	allocs := testing.AllocsPerRun(2000, func() {
		t0 := time.Now()
		status, _, err := c.do(req.wire, false)
		h.record(time.Since(t0))
		if err != nil || status != 200 {
			t.Fatalf("status %d, %v", status, err)
		}
	})
	if allocs > 0 {
		t.Errorf("a request of the load loop allocated %.1f times, want 0", allocs)
	}
}
