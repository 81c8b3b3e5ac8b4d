package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/storetest"
)

// Writes queued behind the writer are committed in one transaction, and
// each keeps its own outcome: a write that fails, panics or whose request
// ended changes nothing and answers only its own caller; the others are
// committed, and a write sees the changes of the writes ahead of it in its
// group.
func TestGroupCommitKeepsEachWritesOutcome(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agentry.db")
	s := mustOpen(t, path)
	groups0, writes0 := s.GroupStats()
	release := holdWriter(t, s)

	insert := func(id string) func(agentry.Tx) error {
		return func(tx agentry.Tx) error { return tx.InsertWorkspace(&agentry.Workspace{ID: id, Name: id}) }
	}
	errBoom := errors.New("boom")
	canceled, cancel := context.WithCancel(context.Background())
	type write struct {
		name string
		ctx  context.Context
		fn   func(agentry.Tx) error
	}
	writes := []write{
		{"first", context.Background(), insert("ws_first")},
		{"fails", context.Background(), func(tx agentry.Tx) error {
			if err := insert("ws_fails")(tx); err != nil {
				return err
			}
			return errBoom
		}},
		// Sees the first write, in the same transaction.
		{"reads", context.Background(), func(tx agentry.Tx) error {
			if _, err := tx.WorkspaceByID("ws_first"); err != nil {
				return fmt.Errorf("the write ahead in the group: %w", err)
			}
			return insert("ws_reads")(tx)
		}},
		{"duplicate", context.Background(), insert("ws_first")},
		{"panics", context.Background(), func(tx agentry.Tx) error {
			if err := insert("ws_panics")(tx); err != nil {
				return err
			}
			panic("in a write")
		}},
		{"canceled", canceled, func(tx agentry.Tx) error { return insert("ws_canceled")(tx) }},
		{"last", context.Background(), insert("ws_last")},
	}
	errs := make([]error, len(writes))
	panics := make([]any, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = s.Update(w.ctx, w.fn)
		})
		storetest.WaitersAtGate(t, i+1) // queued in this order
	}
	cancel()
	// The canceled write leaves the queue and is answered before the
	// writer is free.
	storetest.WaitersAtGate(t, len(writes)-1)
	release()
	wg.Wait()

	want := map[string]func(error) bool{
		"first":     func(err error) bool { return err == nil },
		"fails":     func(err error) bool { return errors.Is(err, errBoom) },
		"reads":     func(err error) bool { return err == nil },
		"duplicate": func(err error) bool { return errors.Is(err, agentry.ErrDuplicate) },
		"panics":    func(err error) bool { return err == nil },
		"canceled":  func(err error) bool { return agentry.ErrorCode(err) == agentry.ECANCELED },
		"last":      func(err error) bool { return err == nil },
	}
	for i, w := range writes {
		if !want[w.name](errs[i]) {
			t.Errorf("write %q answered %v", w.name, errs[i])
		}
		if (panics[i] != nil) != (w.name == "panics") {
			t.Errorf("write %q: panic %v in its caller", w.name, panics[i])
		}
	}
	if panics[4] != "in a write" {
		t.Errorf("the panicking write's caller got panic %v, want the write's own", panics[4])
	}
	// The held write ran alone; the six writes still queued when it ended
	// (all but the canceled one) ran in one transaction.
	if groups, n := s.GroupStats(); groups-groups0 != 2 || n-writes0 != 1+int64(len(writes)-1) {
		t.Errorf("%d transactions for %d writes, want 2 (the held write's, then one group) for %d",
			groups-groups0, n-writes0, 1+len(writes)-1)
	}

	// What another store reads from the file: exactly the committed writes.
	other := mustOpen(t, path)
	for id, kept := range map[string]bool{"ws_first": true, "ws_reads": true, "ws_last": true,
		"ws_fails": false, "ws_panics": false, "ws_canceled": false} {
		err := other.View(context.Background(), func(tx agentry.Tx) error { _, err := tx.WorkspaceByID(id); return err })
		switch {
		case kept && err != nil:
			t.Errorf("%s: %v, want it committed", id, err)
		case !kept && !errors.Is(err, agentry.ErrNotFound):
			t.Errorf("%s: %v, want it never written", id, err)
		}
	}
}

// A lone write, with nobody queued, runs in a transaction of its own; writes
// from many goroutines at once are grouped, and every one is committed.
func TestGroupCommitUnderConcurrentWriters(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "agentry.db"))
	if err := s.Update(context.Background(), func(tx agentry.Tx) error {
		return tx.InsertWorkspace(&agentry.Workspace{ID: "ws_alone", Name: "ws_alone"})
	}); err != nil {
		t.Fatal(err)
	}
	if groups, writes := s.GroupStats(); groups != writes {
		t.Fatalf("a lone write: %d transactions for %d writes", groups, writes)
	}
	const writers, each = 32, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("ws_%d_%d", w, i)
				if err := s.Update(context.Background(), func(tx agentry.Tx) error {
					return tx.InsertWorkspace(&agentry.Workspace{ID: id, Name: id})
				}); err != nil {
					t.Errorf("write %s: %v", id, err)
					return
				}
			}
		})
	}
	wg.Wait()
	groups, writes := s.GroupStats()
	t.Logf("%d transactions for %d writes", groups, writes)
	if writes != writers*each+1 {
		t.Errorf("%d writes counted, want %d", writes, writers*each+1)
	}
	if groups >= writes {
		t.Errorf("no write was grouped: %d transactions for %d writes", groups, writes)
	}
	for w := range writers {
		for i := range each {
			id := fmt.Sprintf("ws_%d_%d", w, i)
			if err := s.View(context.Background(), func(tx agentry.Tx) error { _, err := tx.WorkspaceByID(id); return err }); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
		}
	}
}
