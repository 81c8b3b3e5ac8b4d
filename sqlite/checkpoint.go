package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// checkpointer copies the write-ahead log into the database file from a
// goroutine and a connection of its own, so that no commit pays for it.
// A PASSIVE checkpoint copies what no reader still needs and waits for
// nobody; once it has copied everything, the next commit starts the log
// over from its beginning. Readers that always hold an old snapshot can keep
// a checkpoint from finishing, and the log would then grow without end: past
// its limit, the writer empties the log itself (cachingConn.emptyLog).
type checkpointer struct {
	db   *sql.DB
	mu   *sync.Mutex // held while checkpointing; the writer's emptyLog takes it too
	stop chan struct{}
	done chan struct{}
}

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
		// An error (a full disk, the file gone) is left to the writes that
		// will meet it and report it; the next tick tries again.
		var busy, logFrames, copied int64
		c.mu.Lock()
		_ = c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
		c.mu.Unlock()
	}
}
