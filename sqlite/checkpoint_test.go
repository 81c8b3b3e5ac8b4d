package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/sqlstore"
	"github.com/agentry/agentry/sqlite"
)

func mustOpenWith(tb testing.TB, path string, opts sqlite.Options) *sqlstore.Store {
	tb.Helper()
	s, err := sqlite.OpenWith(context.Background(), path, opts)
	if err != nil {
		tb.Fatalf("OpenWith(%s, %+v): %v", path, opts, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// Under writes from many goroutines, with readers busy at the same time,
// the write-ahead log never grows much past its limit, and another store
// on the same file reads every write that was committed.
func TestTheLogStaysBoundedUnderSustainedWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agentry.db")
	const limit = 512 << 10
	s := mustOpenWith(t, path, sqlite.Options{WALLimit: limit})
	big := strings.Repeat("x", 4000) // with its index entry, two or three pages per write
	const writers, each = 8, 60      // about 4 MiB of log in all, 8 times the limit
	var maxWAL atomic.Int64
	var stopReaders atomic.Bool
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for !stopReaders.Load() {
				_ = s.View(context.Background(), func(tx agentry.Tx) error {
					_, err := tx.WorkspaceByID("ws_0_0")
					return err
				})
			}
		})
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("ws_%d_%d", w, i)
				err := s.Update(context.Background(), func(tx agentry.Tx) error {
					return tx.InsertWorkspace(&agentry.Workspace{ID: id, Name: id + big})
				})
				if err != nil {
					t.Errorf("write %s: %v", id, err)
					return
				}
				if fi, err := os.Stat(path + "-wal"); err == nil {
					for m := maxWAL.Load(); fi.Size() > m && !maxWAL.CompareAndSwap(m, fi.Size()); m = maxWAL.Load() {
					}
				}
			}
		})
	}
	wg.Wait()
	stopReaders.Store(true)
	readers.Wait()
	// The writer checks the log before each transaction, so the log can
	// pass the limit by at most one transaction's pages. A transaction is a
	// group of at most one write per writer (group commit), and one write
	// here changes up to six pages of 4 KiB (measured: groups of eight
	// passed the limit by 90–180 KiB): the table's leaf and its 4,000-byte
	// overflow, the name index's, and the pages above them.
	if got := maxWAL.Load(); got > limit+writers*32<<10 {
		t.Errorf("the log grew to %d bytes, limit %d", got, limit)
	}

	other := mustOpen(t, path)
	for w := range writers {
		for i := range each {
			id := fmt.Sprintf("ws_%d_%d", w, i)
			err := other.View(context.Background(), func(tx agentry.Tx) error {
				ws, err := tx.WorkspaceByID(id)
				if err == nil && ws.Name != id+big {
					err = fmt.Errorf("name of %d bytes, want %d", len(ws.Name), len(id+big))
				}
				return err
			})
			if err != nil {
				t.Fatalf("the second store reading %s: %v", id, err)
			}
		}
	}
}

// Close stops the background checkpointer.
func TestCloseStopsTheCheckpointer(t *testing.T) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "agentry.db"))
	if err != nil {
		t.Fatal(err)
	}
	// A goroutine just started may not have run yet; it is listed once it has.
	n := goroutinesIn("sqlite.(*checkpointer).run")
	for deadline := time.Now().Add(5 * time.Second); n == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
		n = goroutinesIn("sqlite.(*checkpointer).run")
	}
	if n != 1 {
		s.Close()
		t.Fatalf("%d checkpointers run after Open, want 1", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// It has closed its done channel; it may still be returning.
	n = goroutinesIn("sqlite.(*checkpointer).run")
	for deadline := time.Now().Add(5 * time.Second); n != 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
		n = goroutinesIn("sqlite.(*checkpointer).run")
	}
	if n != 0 {
		t.Fatalf("%d checkpointers still run after Close", n)
	}
}

func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), fn+"(")
}

// The synchronous option reaches every connection: the writer's and the
// readers'.
func TestSynchronousMode(t *testing.T) {
	for mode, want := range map[string]int{"": 1, "normal": 1, "full": 2, "FULL": 2} {
		s := mustOpenWith(t, filepath.Join(t.TempDir(), "agentry.db"), sqlite.Options{Synchronous: mode})
		var w, r int
		if err := s.W.QueryRow("PRAGMA synchronous").Scan(&w); err != nil {
			t.Fatal(err)
		}
		if err := s.R.QueryRow("PRAGMA synchronous").Scan(&r); err != nil {
			t.Fatal(err)
		}
		if w != want || r != want {
			t.Errorf("Synchronous %q: PRAGMA synchronous is %d on the writer and %d on a reader, want %d", mode, w, r, want)
		}
	}
	_, err := sqlite.OpenWith(context.Background(), filepath.Join(t.TempDir(), "agentry.db"), sqlite.Options{Synchronous: "extra"})
	if err == nil || !strings.Contains(err.Error(), "normal or full") {
		t.Errorf("Synchronous extra: %v, want an error naming normal and full", err)
	}
}
