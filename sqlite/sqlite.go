// Package sqlite is agentry's embedded store: one SQLite file through the
// pure-Go modernc.org/sqlite driver, in WAL mode, with migrations applied at
// open.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/agentry/agentry/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tunes how a store uses its file. The zero value is the default.
type Options struct {
	// Synchronous is how hard a commit presses its bytes to the disk:
	// "normal" (the default, also "") or "full". See SynchronousModes.
	Synchronous string
	// WALLimit is the size in bytes past which the write-ahead log is emptied
	// by the writer itself, waiting for readers if it must (DefaultWALLimit
	// when 0).
	WALLimit int64
	// GroupCommit is the most queued writes committed together in one
	// transaction (sqlstore's group.go): DefaultGroupCommit when 0, and 1
	// for a transaction per write.
	GroupCommit int
}

// DefaultGroupCommit is Options.GroupCommit's default, and MaxGroupCommit
// its largest value: a group holds its writes' changes in one transaction,
// and its last write waits for all the others.
const (
	DefaultGroupCommit = 64
	MaxGroupCommit     = 1024
)

// SynchronousModes says what each value of Options.Synchronous guarantees.
// In both, a write is in the log before it is acknowledged, so it survives
// the process being killed.
var SynchronousModes = map[string]string{
	"normal": "a commit is written to the log but not flushed to the disk, so a power loss or an " +
		"operating system crash can lose the last commits (never corrupt the file)",
	"full": "every commit is flushed to the disk before it is acknowledged, so it survives a power " +
		"loss too; writes cost one disk flush each",
}

// DefaultWALLimit bounds the write-ahead log when Options.WALLimit is 0.
const DefaultWALLimit = 64 << 20

// checkpointEvery is how often the background checkpointer copies the log
// into the database file. A checkpoint takes CPU from requests while it
// copies (on one core, it is most of its time), so shorter, more frequent
// ones delay the requests they meet by less: at 5,000 writes/s, going from
// 100 ms to 25 ms took update-agent's p99 at 64 clients from 4.2× its median
// to 3.8×, publish's from 5.4× to 3.4× (docs/BENCHMARKS.md). An idle log
// is not checkpointed at all.
const checkpointEvery = 25 * time.Millisecond

// Open opens (creating if needed) the SQLite database at path with the
// default options and applies pending migrations.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opts Options) (*sqlstore.Store, error) {
	syncMode := strings.ToLower(opts.Synchronous)
	if syncMode == "" {
		syncMode = "normal"
	}
	if _, ok := SynchronousModes[syncMode]; !ok {
		return nil, fmt.Errorf("sqlite: synchronous must be normal or full, not %q", opts.Synchronous)
	}
	if opts.GroupCommit < 0 || opts.GroupCommit > MaxGroupCommit {
		return nil, fmt.Errorf("sqlite: group commit must be from 1 to %d writes, not %d", MaxGroupCommit, opts.GroupCommit)
	}
	walLimit := opts.WALLimit
	if walLimit <= 0 {
		walLimit = DefaultWALLimit
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(ON)",
		"synchronous(" + strings.ToUpper(syncMode) + ")",
		// A log that starts over is cut back to this size on disk, so a
		// larger file is a log that has not started over since. Below it,
		// the file keeps its size and the log is rewritten in place: cutting
		// it back at every restart (to 4 MiB, as first written) made the
		// writer's commits truncate the file and then allocate its blocks
		// again, file system work that blocks the writer (and, through the
		// driver's raw system calls, its P: widen.go).
		"journal_size_limit(" + strconv.FormatInt(walLimit, 10) + ")"} {
		q.Add("_pragma", p)
	}
	// Connections do not checkpoint when they commit: a commit that crossed
	// SQLite's 1000-page mark used to copy the log into the file, with its
	// disk flushes, while every other writer waited. The checkpointer below
	// does it on a connection of its own, in the background.
	q.Add("_pragma", "wal_autocheckpoint(0)")
	ck := &checkpointer{db: openDB("file:" + path + "?" + q.Encode()), mu: new(sync.Mutex), stop: make(chan struct{}), done: make(chan struct{}),
		walPath: path + "-wal"}
	ck.db.SetMaxOpenConns(1)
	// Writers take the write lock when their transaction begins (IMMEDIATE), so
	// two writers never deadlock upgrading from a read lock; one connection
	// writes at a time anyway.
	w := sql.OpenDB(&connector{dsn: "file:" + path + "?" + q.Encode() + "&_txlock=immediate",
		walPath: path + "-wal", walLimit: walLimit, checkpointing: ck.mu})
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	q.Add("_pragma", "query_only(ON)")
	// A reader's page cache is emptied whenever its next transaction finds
	// a commit it has not seen (WAL mode keeps no page it cannot trust), and
	// the server's own caches answer most reads between commits. So readers
	// keep 512 KiB of pages each, not SQLite's 2 MiB: measured 2026-11-29,
	// this took 6 MB off the peak RSS of the read scenarios at 10,000 × 5,
	// with their throughput unchanged (docs/BENCHMARKS.md).
	q.Add("_pragma", "cache_size(-512)")
	r := openDB("file:" + path + "?" + q.Encode())
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)*2))
	r.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)*2))
	// Statements run to their end (RunToEnd). Given a context that can end,
	// the driver starts a goroutine per statement (and per BEGIN and COMMIT)
	// to interrupt it, and database/sql one more per row set read outside a
	// transaction: measured 2026-11-29 with BenchmarkGet and BenchmarkUpdate
	// (-cpu 1), this costs a get-agent 25% of its CPU (18 µs against 13.4 µs
	// of CPU per call) and 8 of its 79 allocations, an update-agent 7%. What
	// interruption would buy is little: a SQLite statement cannot stall on a
	// network, the store's statements are bounded (a list page is at most
	// 1,000 rows), the request's context is still checked before every
	// statement and while waiting for a connection, and a write
	// transaction's BEGIN, which can wait for another process's write lock,
	// still ends with the request. So a request past its timeout is answered
	// 503 after at most the one statement it was running.
	s := &sqlstore.Store{W: w, R: r, Dialect: sqlstore.Dialect{IsDuplicate: isDuplicate, IsUnavailable: isUnavailable,
		IsReadOnly: isReadOnly, Contains: "instr(%s, ?) > 0", RunToEnd: true}, GroupCommit: opts.GroupCommit}
	if s.GroupCommit == 0 {
		s.GroupCommit = DefaultGroupCommit
	}
	// With synchronous=full every commit ends with an fsync (widen.go).
	narrow := func() {}
	if syncMode == "full" {
		narrow = widen()
	}
	started := false
	s.OnClose = func() error {
		defer narrow()
		if started {
			close(ck.stop)
			<-ck.done
		}
		err := ck.db.Close()
		if ck.dbFile != nil {
			// After the last connection (see checkpointer.dbFile).
			err = errors.Join(err, ck.dbFile.Close())
		}
		return err
	}
	// Processes opening a new file at the same moment can be refused the lock
	// that switching to WAL takes (SQLITE_BUSY, without waiting on
	// busy_timeout); they retry until the first one has finished.
	if err := retryBusy(ctx, func() error { return w.PingContext(ctx) }); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	ms, err := sqlstore.LoadMigrations(migrations, "migrations")
	if err != nil {
		s.Close()
		return nil, err
	}
	if err := retryBusy(ctx, func() error { _, err := s.Migrate(ctx, ms, "", time.Now); return err }); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate sqlite %s: %w", path, err)
	}
	if err := ck.db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&ck.pageSize); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	ck.w = w
	if f, err := os.Open(path); err == nil {
		ck.dbFile = f
	}
	started = true
	go ck.run()
	// The change stamp (stamp.go): without it (not WAL, in memory, another
	// system) the store answers no stamp and nothing is cached by it.
	if st, err := openStamp(ctx, path, "file:"+path+"?"+q.Encode()); err == nil {
		closeCheckpointer := s.OnClose
		s.Stamps = st
		s.OnClose = func() error { return errors.Join(st.close(), closeCheckpointer()) }
	}
	return s, nil
}

// retryBusy runs f again while it fails with SQLITE_BUSY, for up to 10 s.
func retryBusy(ctx context.Context, f func() error) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := f()
		var e *sqlite.Error
		if err == nil || !errors.As(err, &e) || e.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func isDuplicate(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	c := e.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || c == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// isReadOnly reports a write refused because the file cannot be written:
// opened read-only (its mode, its directory, a read-only mount) or its disk
// full.
func isReadOnly(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_FULL:
		return true
	}
	return false
}

func isUnavailable(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_BUSY:
		return true
	}
	return false
}
