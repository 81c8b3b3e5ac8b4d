package storetest

import (
	"runtime"
	"strings"
	"testing"
)

// WaitersAtGate waits until n goroutines are parked waiting for a store's
// writer or connections: at the FIFO gate in front of a pool, or in the
// group commit's queue (not the goroutine running the group), as a full
// goroutine dump shows them. It fails the test if more than n wait.
func WaitersAtGate(t *testing.T, n int) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for {
		got := 0
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			queued := strings.Contains(g, "sqlstore.(*committer).update") && !strings.Contains(g, "sqlstore.(*committer).lead")
			if strings.Contains(g, "[select") && (strings.Contains(g, "sqlstore.gate.enter") || queued) {
				got++
			}
		}
		if got == n {
			return
		}
		if got > n {
			t.Fatalf("%d goroutines wait at the gate, want %d", got, n)
		}
		runtime.Gosched()
	}
}
