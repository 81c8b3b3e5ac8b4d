// Command bench is agentry's load harness (issue 5, docs/BENCHMARKS.md). It
// builds agentry, loads a fresh store with N agents × V versions, starts the
// server pinned to one core and drives it from another over keep-alive
// connections, then does the same against a bare net/http server that
// answers every request with the bytes agentry answered it with (the
// ceiling), and optionally against Prism mocking agentry's own OpenAPI
// document.
//
//	go run ./bench                      # 10,000 × 5 on SQLite, 16 and 64 clients
//	go run ./bench --large --prism      # 100,000 × 10, and Prism
//	go run ./bench --db postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
//	go run ./bench --smoke              # seconds; checks only that every endpoint answered 2xx
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	agents, versions int
	large            bool
	db               string
	duration, warmup time.Duration
	clients          []int
	distinct         int
	maxRequests      int
	prism            bool
	smoke            bool
	out              string
	only             map[string]bool
	serverArgs       []string
	listBaseline     bool
	noPin            bool
	keep             bool
	bin              string
	profile          string        // directory for profiles of each agentry run
	debug            bool          // start agentry with --debug-addr (its GCs per run in the report)
	replicas         int           // agentry servers on one PostgreSQL database
	replicaCPUs      []string      // taskset lists: replica i on replicaCPUs[i % len]
	soak             time.Duration // mixed-load soak instead of the endpoint runs
	soakWrites       int           // writes per second during the soak
	targets          bool          // print the targets after a run
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == "ceiling-serve" {
		if err := serveCeiling(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "ceiling:", err)
			os.Exit(1)
		}
		return
	}
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if code, ok := pinSelf(opts); ok {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opts); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	o := &options{}
	fs.IntVar(&o.agents, "agents", 10000, "agents in the data set")
	fs.IntVar(&o.versions, "versions", 5, "versions per agent (the lower half published); at least 3")
	fs.BoolVar(&o.large, "large", false, "100,000 agents × 10 versions, and list pages measured against 1,000 × 5 too")
	fs.StringVar(&o.db, "db", "", "a postgres:// URL to run on PostgreSQL (a fresh database is created on that server and dropped); default SQLite in a temp dir")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "length of each measured run")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each run (not for publishes, which consume drafts)")
	clients := fs.String("clients", "16,64", "comma-separated concurrent keep-alive clients")
	fs.IntVar(&o.distinct, "distinct", 2000, "distinct agents that reads and edits go to (the hot set)")
	fs.IntVar(&o.maxRequests, "requests", 2_000_000, "most requests in one run")
	fs.BoolVar(&o.prism, "prism", false, "also measure Prism (npm @stoplight/prism-cli, pinned in bench/prism) mocking /openapi.json")
	fs.BoolVar(&o.smoke, "smoke", false, "seconds-long run on a tiny data set; fails only if an endpoint answered other than 2xx")
	fs.StringVar(&o.out, "out", "", "also write the results as markdown to this file")
	only := fs.String("only", "", "comma-separated endpoints to measure (default all)")
	serverArgs := fs.String("server-args", "", "extra flags for agentry serve, space-separated (e.g. \"--cache-mb 0\")")
	fs.BoolVar(&o.listBaseline, "list-baseline", false, "also measure list pages on a 1,000 × 5 data set and report the cost ratio (implied by --large)")
	fs.BoolVar(&o.noPin, "no-pin", false, "do not pin the server and the load to separate cores")
	fs.BoolVar(&o.keep, "keep", false, "keep the temp dir (database, logs), and with --db postgres://… the database the harness created")
	fs.StringVar(&o.bin, "bin", "", "measure this agentry binary instead of building one (to compare builds)")
	fs.StringVar(&o.profile, "profile", "", "start agentry with --debug-addr and save CPU, mutex, block, goroutine and heap profiles and a 1s execution trace of each agentry run in this directory, with pprof -top summaries in the report")
	fs.BoolVar(&o.debug, "debug", false, "start agentry with --debug-addr and report its garbage collections during each run (implied by --profile and --soak)")
	fs.IntVar(&o.replicas, "replicas", 1, "with --db postgres://…, also measure the reads on this many agentry servers sharing the database, clients spread over them by connection")
	replicaCPUs := fs.String("replica-cpus", "0", "with --replicas, the cores the servers are pinned to, replica i on the i-th (cycling), e.g. \"0\" (all on core 0, the default: see docs/BENCHMARKS.md) or \"0,1\"")
	fs.DurationVar(&o.soak, "soak", 0, "instead of the endpoint runs, a mixed load for this long (e.g. 10m), sampling agentry's RSS every 5s; reports the curve and whether it is flat")
	fs.IntVar(&o.soakWrites, "soak-writes", 50, "writes per second during --soak (updates, new versions and their publishes)")
	fs.BoolVar(&o.targets, "targets", true, "after a run, print issue 15's targets with the measured value and met or not")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.large {
		o.agents, o.versions, o.listBaseline = 100000, 10, true
	}
	if o.smoke {
		o.agents, o.versions, o.distinct = 60, 3, 20
		o.duration, o.warmup = 300*time.Millisecond, 0
		*clients = "4"
		o.prism = false
		o.debug = true // CI then also checks serve --debug-addr
	}
	for _, c := range strings.Split(*replicaCPUs, ",") {
		if _, err := strconv.Atoi(strings.TrimSpace(c)); err != nil {
			return nil, fmt.Errorf("--replica-cpus: %q is not a core number", c)
		}
		o.replicaCPUs = append(o.replicaCPUs, strings.TrimSpace(c))
	}
	if o.replicas < 1 {
		return nil, errors.New("--replicas must be at least 1")
	}
	if o.replicas > 1 && !isPostgres(o.db) {
		return nil, errors.New("--replicas needs --db postgres://… (replicas share one database)")
	}
	if o.versions < 3 {
		return nil, errors.New("--versions must be at least 3 (published versions and drafts)")
	}
	if o.agents < 8 {
		return nil, errors.New("--agents must be at least 8")
	}
	for _, c := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--clients: %q is not a positive number", c)
		}
		o.clients = append(o.clients, n)
	}
	if *only != "" {
		o.only = map[string]bool{}
		for _, s := range strings.Split(*only, ",") {
			o.only[strings.TrimSpace(s)] = true
		}
	}
	o.serverArgs = strings.Fields(*serverArgs)
	return o, nil
}

// pinSelf re-runs the harness under taskset on the last core, leaving the
// first to the servers it measures. It reports the child's exit code and
// true when it did.
func pinSelf(o *options) (int, bool) {
	if o.noPin || os.Getenv("AGENTRY_BENCH_PINNED") != "" || runtime.NumCPU() < 2 {
		return 0, false
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		fmt.Fprintln(os.Stderr, "bench: taskset not found (util-linux): running unpinned")
		o.noPin = true
		return 0, false
	}
	exe, err := os.Executable()
	if err != nil {
		return 0, false
	}
	cmd := exec.Command("taskset", append([]string{"-c", strconv.Itoa(runtime.NumCPU() - 1), exe}, os.Args[1:]...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "AGENTRY_BENCH_PINNED=1")
	signal.Ignore(os.Interrupt, syscall.SIGTERM) // the child gets them and cleans up
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), true
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1, true
	}
	return 0, true
}

// serverCPU is the taskset prefix that pins a measured server to core 0.
func serverCPU(o *options) []string { return pinTo(o, "0") }

// pinTo is the taskset prefix that pins a measured server to cpus (a
// taskset list), unless the harness runs unpinned.
func pinTo(o *options, cpus string) []string {
	if o.noPin || os.Getenv("AGENTRY_BENCH_PINNED") == "" {
		return nil
	}
	return []string{"taskset", "-c", cpus}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
