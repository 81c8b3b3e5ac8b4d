package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
	"github.com/agentry/agentry/sqlite"
)

// benchResolve measures the whole resolve handler with cached snapshots:
// request id, routing, key cache, body checks, the pick, the answer.
func benchResolve(b *testing.B, mode string, body func(i int) string) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "agentry.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	keys := &agentry.KeyService{Store: st}
	key, _ := keys.CreateKey(ctx, "bench", "")
	c, _ := keys.Authenticate(ctx, key)
	svc := &agentry.Service{Store: st, Rules: schema.Rules{}, Routes: agentry.NewRouteCache(1000)}
	h := (&Server{Service: svc, Keys: keys, Store: st, CacheBytes: 1 << 20, KeyTTL: 1 << 62, Logger: slog.New(slog.DiscardHandler)}).Handler()
	var fields agentry.Fields
	json.Unmarshal(benchConfig, &fields)
	cfg, _ := svc.CheckCreate(agentry.VoiceAgent, fields)
	v, err := svc.Create(ctx, c, cfg)
	if err != nil {
		b.Fatal(err)
	}
	svc.Publish(ctx, c, agentry.PublishRequest{AgentID: v.ResourceID, Version: 0})
	svc.Branch(ctx, c, agentry.BranchRequest{AgentID: v.ResourceID, Base: 0})
	zero := int64(0)
	if _, _, err := svc.PutTag(ctx, c, agentry.PutTagRequest{AgentID: v.ResourceID, Name: "prod", Version: &zero, Variables: map[string]string{"region": "eu"}}); err != nil {
		b.Fatal(err)
	}
	json.Unmarshal([]byte(fmt.Sprintf(`{"phone_number":"+14155550100","termination_uri":"x","inbound_agents":[
		{"agent_id":%q,"agent_version":"prod","weight":0.9},{"agent_id":%q,"agent_version":1,"weight":0.1}]}`, v.ResourceID, v.ResourceID)), &fields)
	if _, err := svc.ImportPhone(ctx, c, fields); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.SetRoutingMode(ctx, c, "+14155550100", mode); err != nil {
		b.Fatal(err)
	}
	bodies := make([][]byte, 64)
	for i := range bodies {
		bodies[i] = []byte(body(i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		req := httptest.NewRequest("POST", "/agentry/v1/resolve", bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Authorization", "Bearer "+key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
		i++
	}
}

// BenchmarkResolveNumber resolves calls to a number that routes sticky.
func BenchmarkResolveNumber(b *testing.B) {
	benchResolve(b, agentry.ModeSticky, func(i int) string {
		return fmt.Sprintf(`{"phone_number":"+14155550100","direction":"inbound","from_number":"+1646555%04d"}`, i)
	})
}
