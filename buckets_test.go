package agentry

import (
	"math/rand/v2"
	"testing"
)

// A StickyTable answers every bucket as the table it holds does: for new
// lists' tables, for tables rebalanced many times, and for tables with no
// runs to speak of. The first two are held as runs, in far fewer bytes than
// the table; the last as the table itself.
func TestStickyTableHoldsTheTable(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(name string, table []byte, wantRuns bool) {
		t.Helper()
		h := NewStickyTable(table)
		if h.Len() != len(table) {
			t.Fatalf("%s: Len %d, table of %d", name, h.Len(), len(table))
		}
		for i, e := range table {
			if got := h.Entry(i); got != int(e) {
				t.Fatalf("%s: bucket %d answered entry %d, the table says %d", name, i, got, e)
			}
		}
		held := len(h.starts)*2 + len(h.entries) + len(h.raw)
		if wantRuns && (h.starts == nil || held > len(table)/50) {
			t.Errorf("%s: %d bytes held for a table of %d bytes in %d runs", name, held, len(table), len(h.starts))
		}
		if !wantRuns && h.raw == nil {
			t.Errorf("%s: a table without runs was held as %d runs", name, len(h.starts))
		}
	}
	table := Rebalance(nil, nil, list(0.9, 0.1))
	check("new list of two", table, true)
	check("new list of one", Rebalance(nil, nil, list(1)), true)
	previous := list(0.9, 0.1)
	for i := range 20 {
		next := list(r.Float64()+0.01, r.Float64()+0.01, r.Float64()+0.01)
		if i%2 == 0 {
			next = list(r.Float64()+0.01, r.Float64()+0.01)
		}
		table = Rebalance(table, previous, next)
		previous = next
	}
	check("rebalanced 20 times", table, true)
	noise := make([]byte, StickyBuckets)
	for i := range noise {
		noise[i] = byte(r.IntN(MaxBindings))
	}
	check("random", noise, false)
	noise[0] = 7
	if NewStickyTable(noise).Entry(0) != 7 || (&noise[0] == &NewStickyTable(noise).raw[0]) {
		t.Error("a table held as it is must be a copy of the caller's")
	}
}
