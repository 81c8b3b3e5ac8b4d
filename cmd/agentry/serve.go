package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/outbound"
	"github.com/agentry/agentry/schema"
	"github.com/agentry/agentry/sqlite"
)

func (a *app) serve(ctx context.Context, args []string) error {
	fs := a.flagSet("serve [flags]", `Runs the API server until SIGINT or SIGTERM, then stops accepting
connections, lets in-flight requests finish (up to --drain-timeout) and exits 0.

With AGENTRY_API_KEY set, that key is made valid in the default workspace;
it must be `+keyFormat+`.
On a first start with no key at all, a key is created and printed once.
`)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (AGENTRY_ADDR)")
	db := a.dbFlags(fs)
	drain := fs.Duration("drain-timeout", 10*time.Second, "how long shutdown waits for in-flight requests (AGENTRY_DRAIN_TIMEOUT)")
	cacheMB := fs.Int("cache-mb", 64, "memory for cached published versions, in MiB; 0 turns the cache off (AGENTRY_CACHE_MB)")
	answerMB := fs.Int("answer-cache-mb", 8, "memory for cached answers that can change (drafts, list pages), in MiB; each is served only\nwhile no commit at all, by any process, has happened since it was read (on PostgreSQL, checked\nwith one small query that the requests arriving together share); 0 turns it off, as does\n--cache-mb 0 (AGENTRY_ANSWER_CACHE_MB)")
	cacheTTL := fs.Duration("cache-ttl", 0, "if set, the longest a cached published version is served without a database read;\n0 keeps it until it is deleted (deletions through other replicas are read from the\ndatabase every 250ms) or evicted (AGENTRY_CACHE_TTL)")
	reqTimeout := fs.Duration("request-timeout", 30*time.Second, "longest one request may take, database included; past it the answer is 503 (AGENTRY_REQUEST_TIMEOUT)")
	keyTTL := fs.Duration("key-ttl", time.Second, "how long a key's workspace is remembered: a revoked key is refused within it (AGENTRY_KEY_TTL)")
	logFormat := fs.String("log-format", "text", "log format on standard error: text or json (AGENTRY_LOG_FORMAT)")
	runnerURL := fs.String("test-runner-url", "", "URL of the test runner that evaluates batch test runs (docs/TEST-RUNNER.md);\nwithout one, every run ends as an error that says so (AGENTRY_TEST_RUNNER_URL)")
	runnerTimeout := fs.Duration("test-runner-timeout", agentry.DefaultTestTimeout, "longest the test runner may take to answer one run (AGENTRY_TEST_RUNNER_TIMEOUT)")
	kbIndexing := fs.Duration("kb-indexing-time", time.Second, "how long the emulated indexing of a knowledge base's new sources takes: the knowledge base\nis in_progress (or refreshing_in_progress) until it ends; 0 indexes them at once (AGENTRY_KB_INDEXING_TIME)")
	concurrency := fs.Int("concurrency-limit", agentry.DefaultConcurrencyLimit, "the concurrent-call limit get-concurrency reports (AGENTRY_CONCURRENCY_LIMIT)")
	probe := fs.Duration("ready-probe-interval", httpapi.DefaultWriteProbeInterval, "how long /readyz trusts its last write probe (a one-row write that tells whether\nthe database can write) before it probes again (AGENTRY_READY_PROBE_INTERVAL)")
	fs.StringVar(&db.sqliteSync, "sqlite-synchronous", "normal", "SQLite: when a write is flushed to the disk. normal: a write acknowledged with a 2xx\nsurvives the process being killed, but a power loss or an operating system crash can lose\nthe last writes (the file stays intact); full: every write is flushed to the disk before it\nis acknowledged, so it survives a power loss too, at the cost of one disk flush per write\n(per group of writes: --sqlite-group-commit) (AGENTRY_SQLITE_SYNCHRONOUS)")
	fs.IntVar(&db.sqliteGroup, "sqlite-group-commit", sqlite.DefaultGroupCommit, "SQLite: the most writes that queue behind the one writer and are then committed together,\nin one transaction with a savepoint each; every write keeps its own outcome, and is\nacknowledged after the commit. 1 commits every write alone (AGENTRY_SQLITE_GROUP_COMMIT)")
	strict := fs.Bool("strict", false, "refuse request body fields agentry does not know with a 400 that names them;\nby default they are accepted, ignored and named in the Agentry-Ignored-Fields header (AGENTRY_STRICT)")
	debugAddr := fs.String("debug-addr", "", "if set, also serve Go's profiler (/debug/pprof/) and runtime variables (/debug/vars)\non this address, a listener of its own with NO authentication; it must be a loopback\naddress unless --debug-public is given. Off by default (AGENTRY_DEBUG_ADDR)")
	gcPercent := fs.Int("gc-percent", defaultGCPercent, "how far, in percent, Go's heap may grow past what is live before the next collection;\nlower uses less memory and more CPU. What is live is mostly the caches (--cache-mb,\n--answer-cache-mb), so the default (50, where Go's own is 100) keeps the heap's peak near\n1.5 times them. GOGC in the environment applies instead when neither this flag nor its\nvariable is set (AGENTRY_GC_PERCENT)")
	debugPublic := fs.Bool("debug-public", false, "allow --debug-addr on an address other hosts can reach (AGENTRY_DEBUG_PUBLIC)")
	a.fromEnv(fs, "addr", "AGENTRY_ADDR")
	a.fromEnv(fs, "debug-addr", "AGENTRY_DEBUG_ADDR")
	a.fromEnv(fs, "debug-public", "AGENTRY_DEBUG_PUBLIC")
	a.fromEnv(fs, "drain-timeout", "AGENTRY_DRAIN_TIMEOUT")
	a.fromEnv(fs, "cache-mb", "AGENTRY_CACHE_MB")
	a.fromEnv(fs, "cache-ttl", "AGENTRY_CACHE_TTL")
	a.fromEnv(fs, "answer-cache-mb", "AGENTRY_ANSWER_CACHE_MB")
	a.fromEnv(fs, "request-timeout", "AGENTRY_REQUEST_TIMEOUT")
	a.fromEnv(fs, "key-ttl", "AGENTRY_KEY_TTL")
	a.fromEnv(fs, "log-format", "AGENTRY_LOG_FORMAT")
	a.fromEnv(fs, "test-runner-url", "AGENTRY_TEST_RUNNER_URL")
	a.fromEnv(fs, "test-runner-timeout", "AGENTRY_TEST_RUNNER_TIMEOUT")
	hooks := a.webhookFlags(fs)
	a.fromEnv(fs, "kb-indexing-time", "AGENTRY_KB_INDEXING_TIME")
	a.fromEnv(fs, "concurrency-limit", "AGENTRY_CONCURRENCY_LIMIT")
	a.fromEnv(fs, "strict", "AGENTRY_STRICT")
	a.fromEnv(fs, "sqlite-synchronous", "AGENTRY_SQLITE_SYNCHRONOUS")
	a.fromEnv(fs, "sqlite-group-commit", "AGENTRY_SQLITE_GROUP_COMMIT")
	a.fromEnv(fs, "ready-probe-interval", "AGENTRY_READY_PROBE_INTERVAL")
	a.fromEnv(fs, "gc-percent", "AGENTRY_GC_PERCENT")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := hooks.check(); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve: unexpected argument %q", fs.Arg(0))}
	}
	if db.sqliteSync != "normal" && db.sqliteSync != "full" {
		return usageError{fmt.Sprintf("serve: --sqlite-synchronous must be normal or full, got %q", db.sqliteSync)}
	}
	if db.sqliteGroup < 1 || db.sqliteGroup > sqlite.MaxGroupCommit {
		return usageError{fmt.Sprintf("serve: --sqlite-group-commit must be from 1 to %d, got %d", sqlite.MaxGroupCommit, db.sqliteGroup)}
	}
	// The access log is one line per request; writing each line with its own
	// system call cost a tenth of a cached read. Lines are buffered and
	// written within logFlushInterval, and when serve returns.
	logOut := newBufferedLog(a.stderr, logFlushInterval, 64<<10)
	defer logOut.Close()
	var logger *slog.Logger
	switch *logFormat {
	case "text":
		logger = slog.New(slog.NewTextHandler(logOut, nil))
	case "json":
		logger = slog.New(slog.NewJSONHandler(logOut, nil))
	default:
		return usageError{fmt.Sprintf("serve: --log-format must be text or json, got %q", *logFormat)}
	}

	var runner agentry.TestRunner
	if *runnerURL != "" {
		if _, err := outbound.CheckURL(*runnerURL); err != nil {
			return usageError{fmt.Sprintf("serve: --test-runner-url %s", err)}
		}
		runner = &outbound.TestRunner{URL: *runnerURL}
	}
	if *runnerTimeout <= 0 {
		return usageError{fmt.Sprintf("serve: --test-runner-timeout must be positive, got %s", *runnerTimeout)}
	}
	if *cacheTTL < 0 {
		return usageError{fmt.Sprintf("serve: --cache-ttl must not be negative, got %s", *cacheTTL)}
	}
	if *kbIndexing < 0 {
		return usageError{fmt.Sprintf("serve: --kb-indexing-time must not be negative, got %s", *kbIndexing)}
	}
	if *concurrency < 1 {
		return usageError{fmt.Sprintf("serve: --concurrency-limit must be at least 1, got %d", *concurrency)}
	}
	if *gcPercent < 1 {
		return usageError{fmt.Sprintf("serve: --gc-percent must be at least 1, got %d", *gcPercent)}
	}
	gc := setGCPercent(isSet(fs, "gc-percent"), *gcPercent, a.getenv("GOGC"))
	if *probe <= 0 {
		return usageError{fmt.Sprintf("serve: --ready-probe-interval must be positive, got %s", *probe)}
	}
	if *debugAddr != "" {
		if err := checkDebugAddr(*debugAddr, *debugPublic); err != nil {
			return err
		}
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	if a.onStore != nil {
		a.onStore(st)
	}
	// A server on a database it cannot write would pass its health checks
	// and fail every write: refuse to start instead.
	if p, ok := st.(agentry.WriteProber); ok {
		if err := p.ProbeWrite(ctx); err != nil {
			cause := err
			var e *agentry.Error
			if errors.As(err, &e) && e.Err != nil {
				cause = e.Err // the driver's words, without the message meant for clients
			}
			return fmt.Errorf("serve: %s: %v; agentry needs a database it can write", redactDSN(db.dsn), cause)
		}
	}
	// Bind before a first key is created and printed: a start that cannot
	// listen must leave no key behind, or its one showing would be lost.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: --addr %s: %w", *addr, err)
	}
	defer ln.Close()
	keys := &agentry.KeyService{Store: st, Operator: "agentry serve"}
	err = a.provisionKey(ctx, keys, logger)
	if errors.Is(err, agentry.ErrDuplicate) {
		// Another replica starting at the same moment inserted the same
		// workspace or key first; now that it has committed, find it.
		err = a.provisionKey(ctx, keys, logger)
	}
	if err != nil {
		return err
	}

	// One setting for both: configurations are checked by the service's
	// rules, the other request bodies by httpapi.
	svc := &agentry.Service{Store: st, Rules: schema.Rules{Strict: *strict}, MCP: &outbound.MCPClient{},
		KnowledgeBaseIndexing: *kbIndexing, ConcurrencyLimit: *concurrency}
	if *cacheMB > 0 {
		// Routing snapshots for resolve and assigned_tags, kept right by the
		// logs WatchDeletions reads (--cache-mb 0 turns every cache off).
		svc.Routes = agentry.NewRouteCache(routeCacheEntries)
	} else {
		*answerMB = 0
	}
	srv := &httpapi.Server{Service: svc, Keys: keys, Store: st, Logger: logger, Webhooks: hooks.service(st),
		AccessLog: logOut, AccessLogJSON: *logFormat == "json",
		Strict: *strict, WriteProbeInterval: *probe,
		CacheBytes: *cacheMB << 20, AnswerCacheBytes: *answerMB << 20, CacheTTL: *cacheTTL, KeyTTL: *keyTTL, RequestTimeout: *reqTimeout}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if *debugAddr != "" {
		stopDebug, err := startDebug(*debugAddr, logger)
		if err != nil {
			return err
		}
		defer stopDebug() // before onListen: a caller told the server is up finds it
		if gs, ok := st.(groupStater); ok {
			servedStore.Store(&gs)
		}
	}
	logger.Info("agentry listening", "addr", ln.Addr().String(), "db", redactDSN(db.dsn), "strict", *strict, "gc", gc)
	logOut.Flush()
	if a.onListen != nil {
		a.onListen(ln.Addr().String())
	}
	watchCtx, stopWatching := context.WithCancel(context.Background())
	defer stopWatching()
	go srv.WatchDeletions(watchCtx, deletionPollInterval)
	testsDone := a.runTests(watchCtx, svc, runner, *runnerTimeout, *runnerURL, logger)
	// The webhook worker stops after the server has drained (defers run last
	// first), so deliveries of the last requests are sent or left queued.
	defer hooks.start(st, logger)()
	errc := make(chan error, 1)
	// Listen bounds request headers and keeps the JSON error envelope on
	// the answers net/http writes itself.
	go func() { errc <- hs.Serve(srv.Listen(hs, ln)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining in-flight requests", "timeout", drain.String())
	sctx, cancel := context.WithTimeout(context.Background(), *drain)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// Test runs in hand are handed back to be run by another replica, or by
	// this one when it starts again.
	stopWatching()
	<-testsDone
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// keyFormat says exactly which keys agentry accepts: the form it issues and
// hashes. Help, errors and the README use these words.
const keyFormat = "key_ followed by 32 lowercase hexadecimal characters (0-9, a-f)"

// provisionKey makes AGENTRY_API_KEY valid, or creates and prints a first key
// when the database has none.
func (a *app) provisionKey(ctx context.Context, keys *agentry.KeyService, logger *slog.Logger) error {
	if key := a.env("AGENTRY_API_KEY", ""); key != "" {
		if !agentry.ValidKeyFormat(key) {
			// The key itself is a secret: the message names the rule, not the value.
			return fmt.Errorf("AGENTRY_API_KEY must be %s", keyFormat)
		}
		added, err := keys.EnsureKey(ctx, agentry.DefaultWorkspace, key, "AGENTRY_API_KEY")
		if err != nil {
			return fmt.Errorf("AGENTRY_API_KEY: %w", err)
		}
		if added {
			logger.Info("added AGENTRY_API_KEY to the default workspace", "prefix", key[:agentry.KeyPrefixLen])
		}
		return nil
	}
	has, err := keys.HasKeys(ctx)
	if err != nil || has {
		return err
	}
	key, err := keys.CreateKey(ctx, agentry.DefaultWorkspace, "first start")
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "agentry: created an API key for the default workspace; it is shown only this once:\n\n    %s\n\n", key)
	return nil
}

// redactDSN hides a password in a database URL before it is logged.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			return u.Redacted()
		}
	}
	return dsn
}

// deletionPollInterval is how often serve reads the deletion log to forget
// cached versions deleted through other replicas.
const deletionPollInterval = 250 * time.Millisecond

// logFlushInterval is the longest a log line waits in the buffer.
const logFlushInterval = 100 * time.Millisecond

// bufferedLog collects whole log lines (each slog record is one Write) and
// writes them out at most interval after the first one waiting, when the
// buffer is full, on Flush and on Close. A SIGKILL loses at most interval
// of lines.
type bufferedLog struct {
	mu       sync.Mutex
	w        io.Writer
	buf      []byte
	max      int
	interval time.Duration
	timer    *time.Timer // armed while buf holds lines
	armed    bool
}

func newBufferedLog(w io.Writer, interval time.Duration, max int) *bufferedLog {
	b := &bufferedLog{w: w, max: max, interval: interval, buf: make([]byte, 0, max)}
	b.timer = time.AfterFunc(time.Hour, b.Flush)
	b.timer.Stop()
	return b
}

func (b *bufferedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > b.max {
		b.flushLocked()
		if len(p) > b.max {
			return b.w.Write(p)
		}
	}
	b.buf = append(b.buf, p...)
	if !b.armed {
		b.armed = true
		b.timer.Reset(b.interval)
	}
	return len(p), nil
}

// Flush writes out the buffered lines now.
func (b *bufferedLog) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *bufferedLog) flushLocked() {
	if len(b.buf) > 0 {
		_, _ = b.w.Write(b.buf)
		b.buf = b.buf[:0]
	}
	b.armed = false
}

// Close flushes and stops the timer.
func (b *bufferedLog) Close() error {
	b.timer.Stop()
	b.Flush()
	return nil
}

// runTests starts the worker that executes batch test runs until ctx ends;
// the returned channel closes once it has stopped.
func (a *app) runTests(ctx context.Context, svc *agentry.Service, runner agentry.TestRunner, timeout time.Duration, url string, logger *slog.Logger) <-chan struct{} {
	if runner == nil {
		logger.Info("no test runner configured (--test-runner-url): batch test runs end as errors that say so")
	} else {
		logger.Info("test runner configured", "url", redactURL(url), "timeout", timeout.String())
	}
	w := &agentry.TestWorker{Service: svc, Runner: runner, Timeout: timeout, Logger: logger}
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	return done
}

// redactURL shows a URL without its user information and query string,
// which may hold credentials.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}

// routeCacheEntries bounds the routing snapshots a server keeps (agents and
// phone numbers; a few hundred bytes each).
const routeCacheEntries = 200_000

// defaultGCPercent is --gc-percent's default. With Go's 100 the heap grows
// to twice what is live between collections, and what is live is mostly the
// caches: measured 2026-11-29 at 10,000 × 5, 50 took the peak RSS of a full
// bench run from 104-108 MB to 76-77 MB, with every endpoint's throughput within
// the run-to-run noise (docs/BENCHMARKS.md).
const defaultGCPercent = 50

// setGCPercent applies --gc-percent unless GOGC is set in the environment
// and the flag (or its variable) is not, and says which applies, for the log.
func setGCPercent(flagSet bool, percent int, gogc string) string {
	if !flagSet && strings.TrimSpace(gogc) != "" {
		return "GOGC=" + strings.TrimSpace(gogc)
	}
	debug.SetGCPercent(percent)
	return "--gc-percent " + strconv.Itoa(percent)
}

// isSet says whether the flag was given, on the command line or through its
// environment variable.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
