package sqlite

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"time"
)

// checkpointer copies the write-ahead log into the database file from a
// goroutine and a connection of its own, so that no commit pays for it.
// A PASSIVE checkpoint copies what no reader still needs and waits for
// nobody. The log starts over from its beginning only at a commit that finds
// everything in it copied, which under a steady stream of writes a
// checkpoint beside them never achieves (measured: the log grew to its 64 MiB
// limit under 64 updating goroutines). So once the log holds more than
// restartAt, and right after a checkpoint of its own has copied the bulk,
// the checkpointer copies the few frames written meanwhile on the writer's
// connection, between two write transactions: then everything is copied and
// the next commit starts the log over. Readers that always hold an old
// snapshot can still keep a checkpoint from finishing: past its limit, the
// writer empties the log itself (cachingConn.emptyLog).
type checkpointer struct {
	db       *sql.DB // its own connection
	w        *sql.DB // the writer's pool
	pageSize int64
	mu       *sync.Mutex // held while checkpointing; the writer's emptyLog takes it too
	stop     chan struct{}
	done     chan struct{}
	// dbFile is the database file, opened once to flush it before the
	// step on the writer's connection (below); nil if it could not be. It
	// is closed only after every SQLite connection of this process: closing
	// a descriptor of a file releases all of the process's POSIX locks on
	// it, SQLite's included.
	dbFile *os.File
	// The log file, and its size and time of change at the last tick.
	walPath  string
	lastSize int64
	lastMod  time.Time
}

// restartAt is the size of log past which the checkpointer makes it start
// over. The step that does it holds the writer's connection while it
// copies the frames written since the checkpoint before it and flushes the
// log and the file, so every write waits for it; the flushes cost the most.
// At 4 MiB (SQLite's own 1,000 pages) writes to cold pages of a large file
// (publishes at 100,000 × 10, 40 KB of log each) took that step at nearly
// every tick, and the group commit's BEGIN spent 27% of the time waiting
// for the connection (block profile); 16 MiB made it a quarter as often.
// Cold publishes at 10,000 × 5 still took it six times a second, for 11–13%
// of the writer's time (the execution trace's system calls), and their p99
// at 64 clients was 4.4–5.2× the median; at 40 MiB it is 3.6–3.8×, update's
// 3.4–3.5×, and both rates are unchanged or higher (docs/BENCHMARKS.md). It
// stays well under the log's 64 MiB limit, past which every write waits for
// the writer to empty it: at 160 MB of log a second, a tick adds 4 MB.
const restartAt = 40 << 20

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		// A log that no commit has touched since the last tick has nothing
		// new to copy (a commit changes its size or its time of change).
		if fi, err := os.Stat(c.walPath); err == nil {
			if fi.Size() == c.lastSize && fi.ModTime().Equal(c.lastMod) {
				continue
			}
			c.lastSize, c.lastMod = fi.Size(), fi.ModTime()
		}
		// An error (a full disk, the file gone) is left to the writes that
		// will meet it and report it; the next tick tries again.
		var busy, logFrames, copied int64
		// A checkpoint that copies pages ends with an fsync (widen.go).
		release := widen()
		c.mu.Lock()
		err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
		c.mu.Unlock()
		// Not under mu: the writer's connection may be in emptyLog, which
		// takes it. The writer's own checkpoints never overlap, being on
		// one connection.
		if err == nil && logFrames*c.pageSize > restartAt {
			// A checkpoint flushes the database file only when it has
			// copied the whole log, which the ones above, beside a stream of
			// writes, never have: the pages they copied (tens of MB at
			// 100,000 × 10, scattered over the file) are all flushed by the
			// step below, while every write waits (85–95 ms, measured).
			// Flushed here, beside the writes, they leave the step its own
			// few pages.
			if c.dbFile != nil {
				_ = c.dbFile.Sync()
			}
			_ = c.w.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
		}
		release()
	}
}
