package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/sqlstore"
	"github.com/agentry/agentry/sqlite"
)

func mustStamp(t *testing.T, s *sqlstore.Store) agentry.Stamp {
	t.Helper()
	st, ok := s.Stamp(t.Context())
	if !ok {
		t.Fatal("no stamp: the store should stamp a WAL database")
	}
	return st
}

func commit(t *testing.T, s *sqlstore.Store, label string) {
	t.Helper()
	if _, err := (&agentry.KeyService{Store: s}).CreateKey(t.Context(), label, ""); err != nil {
		t.Fatal(err)
	}
}

// TestStampMovesOnCommitsOnly: a commit through the store, or through a
// second store on the same file, gives a new stamp; reads do not.
func TestStampMovesOnCommitsOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agentry.db")
	a, b := mustOpen(t, path), mustOpen(t, path)
	seen := map[agentry.Stamp]bool{}
	prev := mustStamp(t, a)
	seen[prev] = true
	for i := range 20 {
		// Reads through both stores, in transactions and not.
		var n int
		if err := a.R.QueryRowContext(t.Context(), "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if _, err := (&agentry.Service{Store: b}).ListAgents(t.Context(), agentry.Caller{Workspace: "ws"}, agentry.AgentFilter{}, agentry.PageRequest{}); err != nil {
			t.Fatal(err)
		}
		if got := mustStamp(t, a); got != prev {
			t.Fatalf("round %d: the stamp moved after reads only", i)
		}
		w := a
		if i%2 == 1 {
			w = b
		}
		commit(t, w, "k"+strconv.Itoa(i))
		got := mustStamp(t, a)
		if seen[got] {
			t.Fatalf("round %d: a commit gave a stamp seen before", i)
		}
		if other := mustStamp(t, b); other != got {
			t.Fatalf("round %d: two stores on one file disagree on the stamp", i)
		}
		seen[got], prev = true, got
	}
}

// TestStampAfterOtherStoreCloses: closing one store of a file must not
// disturb another store's stamp (nor SQLite's locks in this process).
func TestStampAfterOtherStoreCloses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agentry.db")
	a := mustOpen(t, path)
	b, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	commit(t, b, "b")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	before := mustStamp(t, a)
	commit(t, a, "a")
	if mustStamp(t, a) == before {
		t.Fatal("the stamp did not move after a commit")
	}
}

// TestStampSeesAnotherProcess: commits made by another process (this test
// binary run again as a writer) move the stamp this process reads.
func TestStampSeesAnotherProcess(t *testing.T) {
	if os.Getenv("AGENTRY_STAMP_WRITER") != "" {
		return
	}
	path := filepath.Join(t.TempDir(), "agentry.db")
	a := mustOpen(t, path)
	cmd := exec.Command(os.Args[0], "-test.run=^TestStampWriterProcess$")
	cmd.Env = append(os.Environ(), "AGENTRY_STAMP_WRITER="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	lines := bufio.NewScanner(stdout)
	wait := func(want string) {
		t.Helper()
		for lines.Scan() {
			if lines.Text() == want {
				return
			}
		}
		t.Fatalf("the writer process stopped before %q: %v", want, lines.Err())
	}
	wait("ready")
	seen := map[agentry.Stamp]bool{}
	for i := range 20 {
		before := mustStamp(t, a)
		seen[before] = true
		fmt.Fprintln(stdin, "commit")
		wait("committed")
		got := mustStamp(t, a)
		if seen[got] {
			t.Fatalf("round %d: the other process's commit did not move the stamp", i)
		}
	}
}

// TestStampWriterProcess is the writer of TestStampSeesAnotherProcess: it
// commits once for each line it reads, and says so.
func TestStampWriterProcess(t *testing.T) {
	path := os.Getenv("AGENTRY_STAMP_WRITER")
	if path == "" {
		t.Skip("run by TestStampSeesAnotherProcess")
	}
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	for i := 0; in.Scan(); i++ {
		if _, err := (&agentry.KeyService{Store: s}).CreateKey(context.Background(), "p"+strconv.Itoa(i), ""); err != nil {
			t.Fatal(err)
		}
		fmt.Println("committed")
	}
}
