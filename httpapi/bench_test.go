package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
	"github.com/agentry/agentry/sqlite"
)

// benchConfig is a stored configuration of about 1 KB.
var benchConfig = json.RawMessage(`{"agent_name":"Front desk 42","ambient_sound":"coffee-shop","ambient_sound_volume":0.4,` +
	`"backchannel_words":["yeah","uh-huh","I see","right"],"boosted_keywords":["Acme","Northwind","appointment","reschedule"],` +
	`"language":"en-US","pronunciation_dictionary":[{"alphabet":"ipa","phoneme":"ˈækmi","word":"Acme"}],` +
	`"response_engine":{"llm_websocket_url":"wss://llm.example.com/agents/42","type":"custom-llm"},"voice_id":"11labs-Adrian",` +
	`"voice_speed":0.95,"voicemail_option":{"action":{"text":"Hi, this is the front desk of Acme returning your call.","type":"static_text"}},` +
	`"webhook_url":"https://hooks.example.com/retell/agent-42"}`)

func BenchmarkAppendResponse(b *testing.B) {
	base, title := int64(1), "release 2"
	v := &agentry.Version{ResourceID: "agent_0123456789abcdef0123456789abcdef", Kind: agentry.VoiceAgent, Number: 2,
		BaseVersion: &base, Published: true, Title: &title, Config: benchConfig, ModifiedAt: 1764340000000}
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(len(appendResponse(nil, v))))
	b.ReportAllocs()
	for b.Loop() {
		buf = appendResponse(buf[:0], v)
	}
}

// benchServer is the API on a temp SQLite store with one agent: version 0
// published, version 1 a draft. Logs are discarded.
func benchServer(b testing.TB) (http.Handler, string, string) {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "agentry.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	keys := &agentry.KeyService{Store: st}
	key, err := keys.CreateKey(ctx, "bench", "")
	if err != nil {
		b.Fatal(err)
	}
	svc := &agentry.Service{Store: st, Rules: schema.Rules{}, Routes: agentry.NewRouteCache(1000)} // as serve has it
	s := &Server{Service: svc, Keys: keys, Store: st, CacheBytes: 1 << 20, AnswerCacheBytes: benchAnswerBytes(), KeyTTL: 1 << 62, Logger: slog.New(slog.DiscardHandler),
		RequestTimeout: 30 * time.Second} // serve's default
	h := s.Handler()
	c, err := keys.Authenticate(ctx, key)
	if err != nil {
		b.Fatal(err)
	}
	var fields agentry.Fields
	if err := json.Unmarshal(benchConfig, &fields); err != nil {
		b.Fatal(err)
	}
	cfg, err := svc.CheckCreate(agentry.VoiceAgent, fields)
	if err != nil {
		b.Fatal(err)
	}
	v, err := svc.Create(ctx, c, cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.Publish(ctx, c, agentry.PublishRequest{AgentID: v.ResourceID, Version: 0}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Branch(ctx, c, agentry.BranchRequest{AgentID: v.ResourceID, Base: 0}); err != nil {
		b.Fatal(err)
	}
	return h, key, v.ResourceID
}

// benchAnswerBytes is serve's answer cache budget, or 0 when
// AGENTRY_BENCH_ANSWER_CACHE=off (to compare with the cache off).
func benchAnswerBytes() int {
	if os.Getenv("AGENTRY_BENCH_ANSWER_CACHE") == "off" {
		return 0
	}
	return 8 << 20
}

func benchGet(b *testing.B, version int) {
	h, key, id := benchServer(b)
	req := httptest.NewRequest("GET", fmt.Sprintf("/get-agent/%s?version=%d", id, version), nil)
	req.Header.Set("Authorization", "Bearer "+key)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkGetPublished is the whole handler for a cached published version:
// request id, routing, key cache, published cache, access log (discarded).
func BenchmarkGetPublished(b *testing.B) { benchGet(b, 0) }

// BenchmarkGetDraft is the same for a draft, read from SQLite.
func BenchmarkGetDraft(b *testing.B) { benchGet(b, 1) }
