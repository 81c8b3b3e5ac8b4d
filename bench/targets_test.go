package main

import (
	"strings"
	"testing"
	"time"
)

// measured makes a result of rps requests per second over one second with
// the given median and 99th percentile.
func measured(rps int, p50, p99 time.Duration) result {
	return result{Requests: rps, Elapsed: time.Second, P50: p50, P99: p99}
}

func verdictOf(t *testing.T, ts []target, prefix string) target {
	t.Helper()
	for _, x := range ts {
		if strings.HasPrefix(x.name, prefix) {
			return x
		}
	}
	t.Fatalf("no target %q in %v", prefix, ts)
	return target{}
}

func TestTargets(t *testing.T) {
	ms := time.Millisecond
	ceil := measured(10000, ms, 2*ms)
	r := &report{opts: &options{agents: 100000, versions: 10, replicas: 2}}
	r.rows = []row{
		{scenario: "get-agent published", clients: 16, agentry: measured(8500, ms, 3*ms), ceiling: ceil},
		{scenario: "get-agent published", clients: 64, agentry: measured(7900, ms, 5*ms), ceiling: ceil}, // 0.79
		{scenario: "get-agent draft", clients: 16, agentry: measured(6000, ms, 2*ms), ceiling: ceil},
		{scenario: "get-agent draft", clients: 64, agentry: measured(5000, ms, 6*ms), ceiling: ceil}, // tail 6×
		{scenario: "list-agents", clients: 16, agentry: measured(4000, ms, 2*ms), ceiling: ceil},     // only at 16
		{scenario: "update-agent", clients: 16, agentry: measured(5200, ms, 2*ms), ceiling: ceil},
		{scenario: "publish-agent-version", clients: 16, agentry: measured(3900, ms, 2*ms), ceiling: ceil},
	}
	r.listBaseline = []row{{scenario: "list-agents", clients: 16, agentry: measured(5000, ms, ms)}} // 5000 ÷ 4000 = 1.25
	r.prism, r.agentryHWM, r.prismHWM = []row{{}}, 50e6, 200e6                                      // 0.25
	r.replicas = []replicaRow{{scenario: "get-agent published", clients: 64, one: measured(1000, ms, ms), all: measured(1700, ms, ms)}}

	ts := evaluateTargets(r)
	for _, c := range []struct {
		prefix string
		want   verdict
	}{
		{"tail: get-agent published", met},  // 5× exactly
		{"tail: get-agent draft", notMet},   // 6×
		{"tail: list-agents", notMeasured},  // no 64-client run
		{"tail: update-agent", notMeasured}, // idem
		{"get-agent published ≥", notMet},   // 0.85 at 16 but 0.79 at 64
		{"get-agent draft ≥", met},          // 0.60 and 0.50
		{"list-agents ≥", notMeasured},      // 0.40 at 16, 64 not run
		{"list-agent-versions ≥", notMeasured},
		{"resolve ≥", notMeasured},
		{"update-agent ≥", met},
		{"publish-agent-version ≥", notMet},
		{"peak RSS", notMet},
		{"list cost", met},
		{"reads on 2 replicas", met},
		{"RSS flat", notMeasured},
	} {
		if got := verdictOf(t, ts, c.prefix); got.verdict != c.want {
			t.Errorf("%s: %s (measured %q), want %s", got.name, got.verdict, got.measured, c.want)
		}
	}
	md := targetsMarkdown(ts)
	if !strings.Contains(md, "| get-agent published ≥ 0.80 of the ceiling at 16 and 64 clients | 0.85 at 16, 0.79 at 64 | **not met** |") {
		t.Errorf("targets table:\n%s", md)
	}
}

func TestSoakFlat(t *testing.T) {
	curve := func(mbs ...float64) []soakSample {
		var s []soakSample
		for _, m := range mbs {
			s = append(s, soakSample{rss: int64(m * 1e6)})
		}
		return s
	}
	if flat, mid, last := soakFlat(curve(20, 40, 60, 60, 62, 61, 63, 64, 65)); !flat {
		t.Errorf("caches filling in the first third, then within 10%%: not flat (%.0f → %.0f)", mid, last)
	}
	if flat, mid, last := soakFlat(curve(20, 40, 60, 62, 64, 66, 70, 75, 80)); flat {
		t.Errorf("a steady climb: flat (%.0f → %.0f)", mid, last)
	}
	if flat, _, _ := soakFlat(curve(50, 50)); flat {
		t.Error("two samples cannot show a curve")
	}
}
