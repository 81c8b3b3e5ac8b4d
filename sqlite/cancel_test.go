package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/agentry/agentry"
)

// Statements run to their end, but a request that ends between two of them
// stops there: its transaction commits nothing and it gets the error of a
// canceled request.
func TestARequestThatEndsStopsAtItsNextStatement(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "agentry.db"))
	ctx, cancel := context.WithCancel(context.Background())
	err := s.Update(ctx, func(tx agentry.Tx) error {
		if err := tx.InsertWorkspace(&agentry.Workspace{ID: "ws_a", Name: "a"}); err != nil {
			return err
		}
		cancel()
		return tx.InsertWorkspace(&agentry.Workspace{ID: "ws_b", Name: "b"})
	})
	var e *agentry.Error
	if !errors.As(err, &e) || e.Code != agentry.ECANCELED {
		t.Fatalf("Update canceled between statements: %v, want an error of code %s", err, agentry.ECANCELED)
	}
	err = s.View(context.Background(), func(tx agentry.Tx) error { _, err := tx.WorkspaceByID("ws_a"); return err })
	if !errors.Is(err, agentry.ErrNotFound) {
		t.Fatalf("the canceled transaction's first write: %v, want it rolled back (not found)", err)
	}
	for name, call := range map[string]func(context.Context, func(agentry.Tx) error) error{"View": s.View, "Read": s.Read} {
		err := call(ctx, func(tx agentry.Tx) error { _, err := tx.WorkspaceByName("default"); return err })
		if !errors.As(err, &e) || e.Code != agentry.ECANCELED {
			t.Errorf("%s with a canceled request: %v, want an error of code %s", name, err, agentry.ECANCELED)
		}
	}
}
