package httpapi_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/schema"
)

// Two servers on one database, as two replicas: a published version cached
// by B and deleted through A stops being served by B once B has read the
// deletion log, with no cache expiry at all.
func TestDeletionThroughAnotherReplicaReachesTheCache(t *testing.T) {
	a := newEnv(t, nil)
	b := &httpapi.Server{Service: &agentry.Service{Store: a.store, Rules: schema.Rules{}}, Keys: a.keys, Store: a.store,
		CacheBytes: 1 << 20, Logger: slog.New(slog.DiscardHandler)}
	tsB := httptest.NewServer(b.Handler())
	t.Cleanup(tsB.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go b.WatchDeletions(ctx, 20*time.Millisecond)
	onB := &env{t: t, url: tsB.URL, keyA: a.keyA, keyB: a.keyB, keys: a.keys, store: a.store}

	for _, c := range []struct {
		name   string
		delete func(id string)
	}{
		{"version", func(id string) { a.do("DELETE", "/delete-agent-version/"+id+"?version=1", a.keyA, nil) }},
		{"agent", func(id string) { a.do("DELETE", "/delete-agent/"+id, a.keyA, nil) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := a.createAgent(a.keyA)
			a.do("POST", "/create-agent-version/"+id, a.keyA, []byte(`{"base_version":0}`))
			if r := a.do("POST", "/publish-agent-version/"+id, a.keyA, []byte(`{"version":1}`)); r.status != 200 {
				t.Fatalf("publish: %d %s", r.status, r.body)
			}
			if r := onB.do("GET", "/get-agent/"+id+"?version=1", a.keyA, nil); r.status != 200 {
				t.Fatalf("B's first read: %d %s", r.status, r.body)
			}
			c.delete(id)
			deadline := time.Now().Add(10 * time.Second)
			for {
				r := onB.do("GET", "/get-agent/"+id+"?version=1", a.keyA, nil)
				if r.status == 422 {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("B still serves the deleted version: %d %s", r.status, r.body)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}
