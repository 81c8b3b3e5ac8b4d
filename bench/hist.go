package main

import (
	"fmt"
	"math/bits"
	"strings"
	"time"
)

// hist is a latency histogram with log-scaled buckets: microseconds below
// 16 µs exactly, then 16 buckets per power of two, so that a percentile read
// from it is within 1/16 (6%) of the true value from 16 µs to hours.
// Recording is an index computation and an increment: each load client keeps
// its own, so the hot loop neither allocates nor shares a cache line, and the
// clients' histograms are merged when the run ends.
type hist struct {
	counts [histBuckets]uint64
	n      uint64
	max    time.Duration
}

const (
	histSubBits = 4
	histSub     = 1 << histSubBits
	histBuckets = 40 << histSubBits // up to 2^39 µs, about six days
)

// bucketOf is the bucket of a latency of us microseconds.
func bucketOf(us uint64) int {
	if us < histSub {
		return int(us)
	}
	e := bits.Len64(us) - histSubBits - 1 // us is in [2^(e+4), 2^(e+5))
	return min((e+1)<<histSubBits+int(us>>e)-histSub, histBuckets-1)
}

// bucketBounds is the range [low, low+width) of microseconds bucket i holds.
func bucketBounds(i int) (low, width uint64) {
	if i < 2*histSub {
		return uint64(i), 1
	}
	e := i>>histSubBits - 1
	return uint64(i&(histSub-1)|histSub) << e, 1 << e
}

func (h *hist) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d/time.Microsecond))]++
	h.n++
	if d > h.max {
		h.max = d
	}
}

func (h *hist) merge(o *hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile is the latency below which a fraction q of the requests were
// answered: the middle of the bucket that holds the request of that rank,
// never more than the largest latency seen.
func (h *hist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.999999) // the ceil, without float surprises at exact ranks
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			low, width := bucketBounds(i)
			return min(time.Duration(low)*time.Microsecond+time.Duration(width)*time.Microsecond/2, h.max)
		}
	}
	return h.max
}

// octaves are the request counts per power of two of microseconds: the
// coarse shape of the distribution, index k holding [2^k, 2^(k+1)) µs (and
// k = 0 everything under 2 µs).
func (h *hist) octaves() []uint64 {
	var out []uint64
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		low, _ := bucketBounds(i)
		k := max(bits.Len64(low)-1, 0)
		for len(out) <= k {
			out = append(out, 0)
		}
		out[k] += c
	}
	return out
}

// shape is the compact line the report shows for a run: the requests in
// each power of two of latency from the first non-empty one to the last,
// each labelled with its lower bound, e.g. "128µs 5210 · 256µs 40122 · …".
func (h *hist) shape() string {
	oct := h.octaves()
	first := 0
	for first < len(oct) && oct[first] == 0 {
		first++
	}
	var parts []string
	for k := first; k < len(oct); k++ {
		parts = append(parts, fmt.Sprintf("%s %d", octaveLabel(k), oct[k]))
	}
	return strings.Join(parts, " · ")
}

func octaveLabel(k int) string {
	us := uint64(1) << k
	switch {
	case us < 1000:
		return fmt.Sprintf("%dµs", us)
	case us < 1_000_000:
		return fmt.Sprintf("%gms", float64(us/100)/10) // 1.0ms, 2ms, 4.1ms, 8.2ms …
	default:
		return fmt.Sprintf("%.1fs", float64(us)/1e6)
	}
}
