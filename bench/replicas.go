package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// With --replicas N (PostgreSQL only), the harness starts N-1 more agentry
// servers on the same database and measures each read endpoint twice, back
// to back: every client on the first server, then the clients spread over
// all N, one connection per client, client i on server i mod N (the harness
// is the load balancer). Every server is pinned to core 0 like the single
// one, unless --replica-cpus says otherwise; docs/BENCHMARKS.md says why.

// replicaRow is one read endpoint at one client count on 1 and N servers.
type replicaRow struct {
	scenario string
	clients  int
	one, all result
}

// readScenarios are the endpoints the replica comparison measures.
var readScenarios = map[string]bool{"get-agent published": true, "get-agent draft": true,
	"list-agents": true, "list-agent-versions": true, "resolve": true, "resolve agent": true}

func runReplicas(o *options, bin, dsn, tmp string, first *proc, ds *dataset, scs []scenario, rep *report) error {
	addrs := []string{first.addr}
	if cpus := o.replicaCPUs[0]; cpus != "0" { // the first server is the single-server runs' own, on core 0
		logf("replicas: the first server stays on core 0 (it is also the 1-server measure); --replica-cpus pins the others")
	}
	for i := 2; i <= o.replicas; i++ {
		cpus := o.replicaCPUs[(i-1)%len(o.replicaCPUs)]
		p, err := startAgentryOn(o, cpus, bin, dsn, ds, tmp, fmt.Sprintf("agentry-%d", i))
		if err != nil {
			return err
		}
		defer p.stop()
		addrs = append(addrs, p.addr)
	}
	logf("replicas: %d agentry servers on one database (logs in %s)", len(addrs), filepath.Join(tmp, "agentry-N.log"))
	for _, sc := range scs {
		if !readScenarios[sc.name] {
			continue
		}
		for _, a := range addrs[1:] {
			if _, err := capture(a, sc.warm); err != nil { // fill the new replicas' caches as the first's were
				return fmt.Errorf("%s on %s: %w", sc.name, a, err)
			}
		}
		for _, c := range o.clients {
			if o.warmup > 0 {
				runLoad(addrs, sc.reqs, c, o.warmup, o.maxRequests, false)
			}
			one := runLoad(addrs[:1], sc.reqs, c, o.duration, o.maxRequests, false)
			all := runLoad(addrs, sc.reqs, c, o.duration, o.maxRequests, false)
			rep.replicas = append(rep.replicas, replicaRow{scenario: sc.name, clients: c, one: one, all: all})
			logf("replicas %-20s %3d clients: 1 server %8.0f req/s p99 %s | %d servers %8.0f req/s p99 %s | %.2f×",
				sc.name, c, one.rps(), ms(one.P99), len(addrs), all.rps(), ms(all.P99), all.rps()/max(one.rps(), 1e-9))
			rep.check("replicas "+sc.name, c, "1 server", one)
			rep.check("replicas "+sc.name, c, fmt.Sprintf("%d servers", len(addrs)), all)
		}
	}
	return nil
}

func (r *report) replicaMarkdown() string {
	if len(r.replicas) == 0 {
		return ""
	}
	n := r.opts.replicas
	cores := []string{"0"}
	for i := 2; i <= n; i++ {
		cores = append(cores, r.opts.replicaCPUs[(i-1)%len(r.opts.replicaCPUs)])
	}
	pinned := "pinned to cores " + strings.Join(cores, ", ")
	if r.opts.noPin {
		pinned = "unpinned"
	}
	s := fmt.Sprintf("\n%d agentry servers on one database, %s; the same requests on the first alone, then spread over all by connection, back to back.\n", n, pinned)
	s += fmt.Sprintf("\n| reads on replicas | clients | 1 server req/s | p50 | p99 | %d servers req/s | p50 | p99 | %d ÷ 1 |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n", n, n)
	for _, x := range r.replicas {
		s += fmt.Sprintf("| %s | %d | %.0f | %s | %s | %.0f | %s | %s | %.2f× |\n", x.scenario, x.clients,
			x.one.rps(), ms(x.one.P50), ms(x.one.P99), x.all.rps(), ms(x.all.P50), ms(x.all.P99), x.all.rps()/max(x.one.rps(), 1e-9))
	}
	return s
}
