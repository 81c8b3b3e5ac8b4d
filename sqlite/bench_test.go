package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
	"github.com/agentry/agentry/sqlite"
)

// The benchmarks below drive the service on a SQLite file from many
// goroutines at once and report, besides the throughput, each call's latency
// at the median and the 99th percentile: the tail that many clients feel.
// Run them on one P, as the server runs in the harness:
//
//	go test ./sqlite/ -run '^$' -bench Latency -cpu 1 -count 6

// latencyEnv is a service on a fresh file with one agent per client, each
// with a draft (version 0) and a published version 1 to read.
type latencyEnv struct {
	svc    *agentry.Service
	caller agentry.Caller
	agents []string
	patch  agentry.Config
}

func newLatencyEnv(b *testing.B, agents int) *latencyEnv {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "agentry.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	keys := &agentry.KeyService{Store: st}
	key, err := keys.CreateKey(ctx, "bench", "")
	if err != nil {
		b.Fatal(err)
	}
	c, err := keys.Authenticate(ctx, key)
	if err != nil {
		b.Fatal(err)
	}
	e := &latencyEnv{svc: &agentry.Service{Store: st, Rules: schema.Rules{}}, caller: c}
	cfg, err := e.svc.CheckCreate(agentry.VoiceAgent, agentry.Fields{
		"agent_name":       json.RawMessage(`"Front desk"`),
		"voice_id":         json.RawMessage(`"11labs-Adrian"`),
		"response_engine":  json.RawMessage(`{"type":"custom-llm","llm_websocket_url":"wss://llm.example.com/a"}`),
		"boosted_keywords": json.RawMessage(`["Acme","Northwind","appointment","reschedule"]`),
	})
	if err != nil {
		b.Fatal(err)
	}
	for range agents {
		v, err := e.svc.Create(ctx, c, cfg)
		if err != nil {
			b.Fatal(err)
		}
		e.agents = append(e.agents, v.ResourceID)
	}
	e.patch, err = e.svc.CheckPatch(agentry.VoiceAgent, agentry.Fields{"agent_name": json.RawMessage(`"Front desk, renamed"`)})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// runLatency calls op b.N times in all from clients goroutines (client i
// works on agent i) and reports the per-call p50 and p99.
func runLatency(b *testing.B, clients int, op func(ctx context.Context, client int) error) {
	b.Helper()
	// A request's context, as the server gives the store: one that can end.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	b.ResetTimer()
	for i := range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				t := time.Now()
				if err := op(ctx, i); err != nil {
					errs <- err
					return
				}
				lat[i] = append(lat[i], time.Since(t))
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	pct := func(p float64) float64 { return float64(all[int(float64(len(all)-1)*p)]) / 1e6 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(0.999), "p99.9-ms")
	b.ReportMetric(float64(len(all))/b.Elapsed().Seconds(), "calls/s")
}

// BenchmarkUpdateLatency is update-agent on the latest draft, each client
// on its own agent: every call is one write transaction.
func BenchmarkUpdateLatency(b *testing.B) {
	for _, clients := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			e := newLatencyEnv(b, clients)
			runLatency(b, clients, func(ctx context.Context, i int) error {
				_, err := e.svc.Update(ctx, e.caller, agentry.UpdateRequest{
					Address: agentry.Address{Kind: agentry.VoiceAgent, ID: e.agents[i]}, Patch: e.patch})
				return err
			})
		})
	}
}

// BenchmarkGetLatency is get-agent of version 0: a one-statement read.
func BenchmarkGetLatency(b *testing.B) {
	for _, clients := range []int{16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			e := newLatencyEnv(b, clients)
			runLatency(b, clients, func(ctx context.Context, i int) error {
				_, err := e.svc.Get(ctx, e.caller, agentry.Address{Kind: agentry.VoiceAgent, ID: e.agents[i],
					Version: agentry.VersionRef{Form: agentry.RefNumber}})
				return err
			})
		})
	}
}

// BenchmarkMixedLatency is one update for every three reads, as a busy
// control plane sees them: writers and readers in the same process.
func BenchmarkMixedLatency(b *testing.B) {
	for _, clients := range []int{16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			e := newLatencyEnv(b, clients)
			runLatency(b, clients, func(ctx context.Context, i int) error {
				a := agentry.Address{Kind: agentry.VoiceAgent, ID: e.agents[i]}
				if i%4 == 0 {
					_, err := e.svc.Update(ctx, e.caller, agentry.UpdateRequest{Address: a, Patch: e.patch})
					return err
				}
				_, err := e.svc.Get(ctx, e.caller, a)
				return err
			})
		})
	}
}

// BenchmarkGet is one get-agent after another from one goroutine, with a
// request's context: the CPU and allocations of one read.
func BenchmarkGet(b *testing.B) {
	e := newLatencyEnv(b, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := agentry.Address{Kind: agentry.VoiceAgent, ID: e.agents[0], Version: agentry.VersionRef{Form: agentry.RefNumber}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.svc.Get(ctx, e.caller, a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate is one update-agent after another from one goroutine.
func BenchmarkUpdate(b *testing.B) {
	e := newLatencyEnv(b, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := agentry.UpdateRequest{Address: agentry.Address{Kind: agentry.VoiceAgent, ID: e.agents[0]}, Patch: e.patch}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.svc.Update(ctx, e.caller, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListAgentsLatency is list-agents (the first page of 50) from many
// goroutines on 2,000 agents.
func BenchmarkListAgentsLatency(b *testing.B) {
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			e := newLatencyEnv(b, 2000)
			runLatency(b, clients, func(ctx context.Context, i int) error {
				_, err := e.svc.ListAgents(ctx, e.caller, agentry.AgentFilter{}, agentry.PageRequest{Limit: 50})
				return err
			})
		})
	}
}
