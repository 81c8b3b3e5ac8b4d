package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// scenario is one measured endpoint.
type scenario struct {
	name string
	// reqs are sent round-robin; with once, each at most once, and runs[i]
	// is the share of run i (publishing consumes drafts).
	reqs []request
	once bool
	runs [][]request
	// warm are captured (and so warm the server) before any run; for once
	// scenarios they are separate from reqs.
	warm []request
}

// row is one line of the results table.
type row struct {
	scenario string
	clients  int
	agentry  result
	ceiling  result
	hwm      int64
}

type report struct {
	opts         *options
	machine      string
	store        string
	ds           *dataset
	rows         []row
	serverHWM    int64
	prism        []row // ceiling holds Prism's result
	prismHWM     int64
	agentryHWM   int64 // at the time of the Prism comparison
	listBaseline []row // agentry at 1,000 × 5; ceiling unused
	baselineDS   *dataset
	failures     []string
	profiles     []profileSet
	replicas     []replicaRow
	soak         *soakReport
}

func run(ctx context.Context, o *options) error {
	root, err := moduleDir()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "agentry-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		logf("temp dir %s is kept", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	rep := &report{opts: o, machine: machine()}
	bin := o.bin
	if bin == "" {
		logf("building agentry")
		if bin, err = buildAgentry(ctx, tmp); err != nil {
			return err
		}
	}

	dsn, storeName := filepath.Join(tmp, "agentry.db"), "SQLite (WAL)"
	if o.db != "" {
		if !isPostgres(o.db) {
			return fmt.Errorf("--db must be a postgres:// URL (SQLite is the default)")
		}
		fresh, drop, err := freshPostgres(ctx, o.db)
		if err != nil {
			return err
		}
		if o.keep {
			logf("database %s is kept", fresh)
		} else {
			defer drop()
		}
		dsn, storeName = fresh, "PostgreSQL"
	}
	rep.store = storeName
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
	}
	logf("loading %d agents × %d versions into %s", o.agents, o.versions, storeName)
	ds, err := loadDataset(ctx, dsn, o.agents, o.versions)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(dsn); err == nil {
		ds.dbBytes = fi.Size()
	}
	rep.ds = ds
	logf("loaded in %s", ds.loadTime.Round(time.Millisecond))
	if o.only == nil || o.only["resolve"] || o.only["resolve agent"] {
		logf("binding %d phone numbers and tags for the resolve scenarios", routedNumbers)
		if err := loadRouting(ctx, dsn, ds, min(routedNumbers, o.distinct, len(ds.agents)/4)); err != nil {
			return fmt.Errorf("routing data: %w", err)
		}
	}

	srv, err := startAgentry(o, bin, dsn, ds, tmp, "agentry")
	if err != nil {
		return err
	}
	defer srv.stop()
	host := srv.addr
	listKeys, err := pageKeys(srv.addr, host, ds)
	if err != nil {
		return err
	}
	scenarios := buildScenarios(o, ds, host, listKeys)

	if o.soak > 0 {
		for _, sc := range scenarios {
			if _, err := capture(srv.addr, sc.warm); err != nil {
				return fmt.Errorf("%s: %w", sc.name, err)
			}
		}
		logf("soak: %s of mixed load, %d read clients, %d writes/s", o.soak, o.clients[0], o.soakWrites)
		if rep.soak, err = runSoak(ctx, o, srv, ds, scenarios); err != nil {
			return err
		}
		return rep.finish(ctx)
	}

	logf("capturing responses (and warming the server)")
	data := &ceilingData{Exact: map[string]*response{}, Prefix: map[string]*response{}}
	for _, sc := range scenarios {
		m, err := capture(srv.addr, sc.warm)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		data.add(m)
	}
	ceilingPath := filepath.Join(tmp, "ceiling.gob")
	if err := writeCeilingData(ceilingPath, data); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	caddr, err := freeAddr()
	if err != nil {
		return err
	}
	ceil, err := start("ceiling", caddr, serverCPU(o), []string{self, "ceiling-serve", ceilingPath, caddr}, nil,
		filepath.Join(tmp, "ceiling.log"), scenarios[0].warm[0])
	if err != nil {
		return err
	}
	defer ceil.stop()

	for _, sc := range scenarios {
		for i, c := range o.clients {
			if err := ctx.Err(); err != nil {
				return err
			}
			reqs := sc.reqs
			if sc.once {
				reqs = sc.runs[i]
			} else if o.warmup > 0 {
				runLoad([]string{srv.addr}, reqs, c, o.warmup, o.maxRequests, false)
				runLoad([]string{ceil.addr}, reqs, c, o.warmup, o.maxRequests, false)
			}
			var profiled func() (profileSet, error)
			if o.profile != "" {
				profiled = startProfiles(srv.debug, o.profile, sc.name, c, o.duration)
			}
			gc0 := readServerGC(srv.debug)
			var disk *storageProbe
			if o.db == "" {
				disk = probeStorage(dsn, srv.cmd.Process.Pid)
			}
			a := runLoad([]string{srv.addr}, reqs, c, o.duration, o.maxRequests, sc.once)
			a.ServerGC = gcLine(gc0, readServerGC(srv.debug))
			a.Storage = disk.line()
			if profiled != nil {
				set, err := profiled()
				if err != nil {
					logf("profiles of %s at %d clients: %v", sc.name, c, err)
				}
				rep.profiles = append(rep.profiles, set)
			}
			b := runLoad([]string{ceil.addr}, reqs, c, o.duration, o.maxRequests, sc.once)
			r := row{scenario: sc.name, clients: c, agentry: a, ceiling: b, hwm: srv.peakRSS()}
			rep.rows = append(rep.rows, r)
			logf("%-22s %3d clients: agentry %8.0f req/s p50 %s p99 %s p99.9 %s max %s | ceiling %8.0f req/s p99 %s | ratio %.2f | errors %d %s",
				sc.name, c, a.rps(), ms(a.P50), ms(a.P99), ms(a.P999), ms(a.Max), b.rps(), ms(b.P99), ratio(a, b), a.Errors+b.Errors, a.FirstErr+b.FirstErr)
			logf("%-22s %3d clients: latency shape %s; %s", sc.name, c, a.Hist.shape(), a.harnessLine())
			logf("%-22s %3d clients: ceiling's shape %s; %s", sc.name, c, b.Hist.shape(), b.harnessLine())
			rep.check(sc.name, c, "agentry", a)
			rep.check(sc.name, c, "ceiling", b)
		}
	}
	rep.serverHWM = srv.peakRSS()

	if o.replicas > 1 {
		if err := runReplicas(o, bin, dsn, tmp, srv, ds, scenarios, rep); err != nil {
			return fmt.Errorf("replicas: %w", err)
		}
	}

	if o.prism {
		if err := runPrism(ctx, o, root, tmp, srv, ds, scenarios, rep); err != nil {
			return fmt.Errorf("prism: %w", err)
		}
	}
	srv.stop()
	ceil.stop()

	if o.listBaseline {
		if err := runListBaseline(ctx, o, bin, tmp, rep); err != nil {
			return fmt.Errorf("list baseline: %w", err)
		}
	}
	return rep.finish(ctx)
}

// finish summarises the profiles, prints the report (and writes it with
// --out) and fails when a run did.
func (rep *report) finish(ctx context.Context) error {
	for i := range rep.profiles {
		summarize(ctx, &rep.profiles[i])
		logf("profiles of %s at %d clients:\n%s", rep.profiles[i].scenario, rep.profiles[i].clients, rep.profiles[i].summary)
	}
	md := rep.markdown()
	fmt.Println(md)
	if rep.opts.out != "" {
		if err := os.WriteFile(rep.opts.out, []byte(md), 0o644); err != nil {
			return err
		}
	}
	if len(rep.failures) > 0 {
		return fmt.Errorf("%d runs had failures:\n  %s", len(rep.failures), strings.Join(rep.failures, "\n  "))
	}
	return nil
}

// check records a run that answered nothing, or anything but 2xx.
func (r *report) check(name string, clients int, target string, res result) {
	if res.Requests == 0 || res.Errors > 0 {
		r.failures = append(r.failures, fmt.Sprintf("%s at %d clients on %s: %d requests, %d errors (%s)", name, clients, target, res.Requests, res.Errors, res.FirstErr))
	}
}

func startAgentry(o *options, bin, dsn string, ds *dataset, tmp, name string) (*proc, error) {
	return startAgentryOn(o, "0", bin, dsn, ds, tmp, name)
}

// startAgentryOn starts agentry pinned to cpus (a taskset list).
func startAgentryOn(o *options, cpus, bin, dsn string, ds *dataset, tmp, name string) (*proc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	argv := []string{bin, "serve", "--addr", addr, "--db", dsn}
	debug := ""
	if o.profile != "" || o.soak > 0 || o.debug {
		if debug, err = freeAddr(); err != nil {
			return nil, err
		}
		argv = append(argv, "--debug-addr", debug)
	}
	argv = append(argv, o.serverArgs...)
	p, err := start(name, addr, pinTo(o, cpus), argv, []string{"AGENTRY_API_KEY=" + ds.key},
		filepath.Join(tmp, name+".log"), newRequest(addr, ds.key, "GET", "/readyz", nil))
	if p != nil {
		p.debug = debug
	}
	return p, err
}

// pageKeys walks list-agents with large pages and returns the pagination
// keys, so that measured list requests start at pages spread over the list.
func pageKeys(addr, host string, ds *dataset) ([]string, error) {
	step := max(50, len(ds.agents)/200)
	keys := []string{""}
	c := &conn{addr: addr}
	defer c.close()
	for {
		uri := fmt.Sprintf("/v2/list-agents?limit=%d", step)
		if k := keys[len(keys)-1]; k != "" {
			uri += "&pagination_key=" + url.QueryEscape(k)
		}
		status, resp, err := c.do(newRequest(host, ds.key, "POST", uri, nil).wire, true)
		if err != nil {
			return nil, err
		}
		if status != 200 {
			return nil, fmt.Errorf("list-agents: status %d: %s", status, resp.Body)
		}
		var page struct {
			HasMore bool   `json:"has_more"`
			Key     string `json:"pagination_key"`
		}
		if err := json.Unmarshal(resp.Body, &page); err != nil {
			return nil, err
		}
		if !page.HasMore {
			return keys, nil
		}
		keys = append(keys, page.Key)
	}
}

// buildScenarios prepares every endpoint's requests. Reads and edits go to
// the first `distinct` agents (the hot set); publishes to the rest, each
// draft once.
func buildScenarios(o *options, ds *dataset, host string, listKeys []string) []scenario {
	hot := ds.agents[:min(o.distinct, len(ds.agents)/4)]
	cold := ds.agents[len(hot):]
	V, P := ds.versions, ds.published
	var scs []scenario
	add := func(sc scenario) {
		if o.only == nil || o.only[sc.name] {
			if sc.warm == nil {
				sc.warm = sc.reqs
			}
			scs = append(scs, sc)
		}
	}
	get := func(id string, n int) request {
		return newRequest(host, ds.key, "GET", fmt.Sprintf("/get-agent/%s?version=%d", id, n), nil)
	}
	var published, drafts, updates, versions []request
	for n := range P {
		for _, id := range hot {
			published = append(published, get(id, n))
		}
	}
	for i, id := range hot {
		drafts = append(drafts, get(id, V-2))
		body := fmt.Sprintf(`{"voice_speed":%.2f,"begin_message_delay_ms":%d}`, 0.8+float64(i%10)/20, 100+i%900)
		updates = append(updates, newRequest(host, ds.key, "PATCH", fmt.Sprintf("/update-agent/%s?version=%d", id, V-1), []byte(body)))
		versions = append(versions, newRequest(host, ds.key, "GET", "/list-agent-versions/"+id+"?limit=5", nil))
	}
	add(scenario{name: "get-agent published", reqs: published})
	add(scenario{name: "get-agent draft", reqs: drafts})
	var lists []request
	for _, k := range listKeys {
		uri := "/v2/list-agents?limit=50"
		if k != "" {
			uri += "&pagination_key=" + url.QueryEscape(k)
		}
		lists = append(lists, newRequest(host, ds.key, "POST", uri, nil))
	}
	add(scenario{name: "list-agents", reqs: lists})
	add(scenario{name: "list-agent-versions", reqs: versions})
	add(scenario{name: "update-agent", reqs: updates})
	if len(ds.numbers) > 0 {
		byNumber, byAgent := resolveScenarios(ds, host)
		add(scenario{name: "resolve", reqs: byNumber})
		add(scenario{name: "resolve agent", reqs: byAgent})
	}

	// Publishes: every draft of the cold agents, lowest numbers first, agents
	// interleaved so that concurrent publishes go to different agents.
	var pubs []request
	for n := P; n < V; n++ {
		for _, id := range cold {
			pubs = append(pubs, newRequest(host, ds.key, "POST", "/publish-agent-version/"+id,
				[]byte(fmt.Sprintf(`{"version":%d,"version_title":"release %d"}`, n, n))))
		}
	}
	warmN := min(20, len(pubs)/10)
	pub := scenario{name: "publish-agent-version", once: true, warm: pubs[:warmN]}
	rest := pubs[warmN:]
	share := len(rest) / len(o.clients)
	for i := range o.clients {
		pub.runs = append(pub.runs, rest[i*share:(i+1)*share])
	}
	add(pub)
	return scs
}

// runListBaseline measures the list pages on a 1,000 × 5 data set, so that
// the cost of a page can be compared across data set sizes.
func runListBaseline(ctx context.Context, o *options, bin, tmp string, rep *report) error {
	dir := filepath.Join(tmp, "baseline")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	dsn := filepath.Join(dir, "agentry.db")
	if o.db != "" {
		fresh, drop, err := freshPostgres(ctx, o.db)
		if err != nil {
			return err
		}
		defer drop()
		dsn = fresh
	}
	logf("list baseline: loading 1000 agents × 5 versions")
	ds, err := loadDataset(ctx, dsn, 1000, 5)
	if err != nil {
		return err
	}
	rep.baselineDS = ds
	srv, err := startAgentry(o, bin, dsn, ds, dir, "agentry-baseline")
	if err != nil {
		return err
	}
	defer srv.stop()
	keys, err := pageKeys(srv.addr, srv.addr, ds)
	if err != nil {
		return err
	}
	bo := *o
	bo.only = map[string]bool{"list-agents": true, "list-agent-versions": true}
	for _, sc := range buildScenarios(&bo, ds, srv.addr, keys) {
		if _, err := capture(srv.addr, sc.warm); err != nil {
			return err
		}
		for _, c := range o.clients {
			if o.warmup > 0 {
				runLoad([]string{srv.addr}, sc.reqs, c, o.warmup, o.maxRequests, false)
			}
			a := runLoad([]string{srv.addr}, sc.reqs, c, o.duration, o.maxRequests, false)
			rep.listBaseline = append(rep.listBaseline, row{scenario: sc.name, clients: c, agentry: a})
			logf("baseline %-20s %3d clients: %8.0f req/s p50 %s p99 %s", sc.name, c, a.rps(), ms(a.P50), ms(a.P99))
			rep.check("baseline "+sc.name, c, "agentry", a)
		}
	}
	return nil
}

// runPrism measures Prism mocking agentry's /openapi.json on the published
// get-agent requests.
func runPrism(ctx context.Context, o *options, root, tmp string, srv *proc, ds *dataset, scs []scenario, rep *report) error {
	var get *scenario
	for i := range scs {
		if scs[i].name == "get-agent published" {
			get = &scs[i]
		}
	}
	if get == nil {
		return fmt.Errorf("needs the get-agent published endpoint")
	}
	dir := filepath.Join(root, "bench", "prism")
	bin := filepath.Join(dir, "node_modules", ".bin", "prism")
	if _, err := os.Stat(bin); err != nil {
		logf("installing Prism (npm ci in bench/prism)")
		cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir, cmd.Stdout, cmd.Stderr = dir, os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return err
		}
	}
	c := &conn{addr: srv.addr}
	status, resp, err := c.do(newRequest(srv.addr, ds.key, "GET", "/openapi.json", nil).wire, true)
	c.close()
	if err != nil || status != 200 {
		return fmt.Errorf("GET /openapi.json: status %d, %v", status, err)
	}
	spec := filepath.Join(tmp, "openapi.json")
	if err := os.WriteFile(spec, resp.Body, 0o644); err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	host, port, _ := strings.Cut(addr, ":")
	p, err := start("prism", addr, serverCPU(o), []string{bin, "mock", "-h", host, "-p", port, spec}, nil,
		filepath.Join(tmp, "prism.log"), get.reqs[0])
	if err != nil {
		return err
	}
	defer p.stop()
	for _, c := range o.clients {
		if o.warmup > 0 {
			runLoad([]string{p.addr}, get.reqs, c, o.warmup, o.maxRequests, false)
		}
		a := runLoad([]string{srv.addr}, get.reqs, c, o.duration, o.maxRequests, false)
		b := runLoad([]string{p.addr}, get.reqs, c, o.duration, o.maxRequests, false)
		rep.prism = append(rep.prism, row{scenario: get.name, clients: c, agentry: a, ceiling: b})
		logf("prism %-16s %3d clients: agentry %8.0f req/s | prism %8.0f req/s p50 %s p99 %s | %.1f×",
			get.name, c, a.rps(), b.rps(), ms(b.P50), ms(b.P99), a.rps()/max(b.rps(), 1e-9))
		rep.check("prism "+get.name, c, "prism", b)
	}
	rep.prismHWM = p.peakRSS()
	rep.agentryHWM = srv.peakRSS()
	return nil
}

// tailRatio is p99 ÷ p50, what the tail target bounds.
func tailRatio(r result) float64 {
	if r.P50 <= 0 {
		return 0
	}
	return float64(r.P99) / float64(r.P50)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

func ratio(a, b result) float64 {
	if b.rps() == 0 {
		return 0
	}
	return a.rps() / b.rps()
}

func mb(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/1e6) }

func (r *report) markdown() string {
	var b strings.Builder
	o := r.opts
	fmt.Fprintf(&b, "### %d agents × %d versions on %s\n\n", o.agents, o.versions, r.store)
	fmt.Fprintf(&b, "Machine: %s. Server pinned to core 0, load to core 1: %v. ", r.machine, !o.noPin)
	if o.soak == 0 {
		fmt.Fprintf(&b, "Each run %s after %s of warm-up; ", o.duration, o.warmup)
	}
	fmt.Fprintf(&b, "Hot set %d agents.\n", min(o.distinct, o.agents/4))
	fmt.Fprintf(&b, "Data set loaded in %s", r.ds.loadTime.Round(time.Millisecond))
	if r.ds.dbBytes > 0 {
		fmt.Fprintf(&b, " (SQLite file %s)", mb(r.ds.dbBytes))
	}
	b.WriteString(".\n\n")
	if r.soak != nil {
		b.WriteString(r.soak.markdown())
		return b.String()
	}
	b.WriteString("| endpoint | clients | agentry req/s | p50 | p90 | p99 | p99.9 | max | p99 ÷ p50 | ceiling req/s | ceiling p50 | ceiling p99 | ratio | server peak RSS |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range r.rows {
		a := x.agentry
		fmt.Fprintf(&b, "| %s | %d | %.0f | %s | %s | %s | %s | %s | %.1f | %.0f | %s | %s | %.2f | %s |\n", x.scenario, x.clients,
			a.rps(), ms(a.P50), ms(a.P90), ms(a.P99), ms(a.P999), ms(a.Max), tailRatio(a),
			x.ceiling.rps(), ms(x.ceiling.P50), ms(x.ceiling.P99), ratio(a, x.ceiling), mb(x.hwm))
	}
	fmt.Fprintf(&b, "\nagentry's peak RSS (VmHWM) over the whole run: %s.\n", mb(r.serverHWM))
	b.WriteString("\nLatency shape of each agentry run (requests answered within each power of two of time, by its lower bound; ")
	b.WriteString("then what the load generator itself did: its CPU, its own scheduling delay, its GCs):\n\n")
	for _, x := range r.rows {
		fmt.Fprintf(&b, "- %s, %d clients: %s; %s\n", x.scenario, x.clients, x.agentry.Hist.shape(), x.agentry.harnessLine())
	}
	if len(r.prism) > 0 {
		b.WriteString("\n| get-agent (published) | clients | agentry req/s | Prism req/s | Prism p50 | Prism p99 | agentry ÷ Prism |\n|---|---:|---:|---:|---:|---:|---:|\n")
		for _, x := range r.prism {
			fmt.Fprintf(&b, "| | %d | %.0f | %.0f | %s | %s | %.1f× |\n", x.clients, x.agentry.rps(), x.ceiling.rps(), ms(x.ceiling.P50), ms(x.ceiling.P99), ratio(x.agentry, x.ceiling))
		}
		fmt.Fprintf(&b, "\nPeak RSS: agentry %s, Prism %s (agentry is %.2f of Prism's).\n", mb(r.agentryHWM), mb(r.prismHWM), float64(r.agentryHWM)/float64(max(r.prismHWM, 1)))
	}
	if len(r.listBaseline) > 0 {
		b.WriteString("\n| list page cost | clients | 1,000 × 5 req/s | p50 | " + fmt.Sprintf("%d × %d", o.agents, o.versions) + " req/s | p50 | cost ratio (req/s) | p50 ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, base := range r.listBaseline {
			for _, x := range r.rows {
				if x.scenario == base.scenario && x.clients == base.clients {
					fmt.Fprintf(&b, "| %s | %d | %.0f | %s | %.0f | %s | %.2f | %.2f |\n", x.scenario, x.clients, base.agentry.rps(), ms(base.agentry.P50),
						x.agentry.rps(), ms(x.agentry.P50), base.agentry.rps()/max(x.agentry.rps(), 1e-9), float64(x.agentry.P50)/float64(max(base.agentry.P50, 1)))
				}
			}
		}
	}
	b.WriteString(r.replicaMarkdown())
	if r.opts.targets && !r.opts.smoke {
		b.WriteString("\n" + targetsMarkdown(evaluateTargets(r)))
	}
	if len(r.failures) > 0 {
		b.WriteString("\nFailures:\n")
		for _, f := range r.failures {
			b.WriteString("- " + f + "\n")
		}
	}
	for _, p := range r.profiles {
		fmt.Fprintf(&b, "\n#### Profiles: %s, %d clients (%s.*)\n\n```\n%s```\n", p.scenario, p.clients, p.base, p.summary)
	}
	return b.String()
}
