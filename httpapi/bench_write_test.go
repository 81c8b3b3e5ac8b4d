package httpapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkUpdateDraft is the whole handler for a small PATCH of a draft on
// SQLite: one write transaction, the audit entry and the outbox query
// included. Compare builds with it to see what a change to the write path
// costs.
func BenchmarkUpdateDraft(b *testing.B) {
	h, key, id := benchServer(b)
	body := []byte(`{"voice_speed":1.1}`)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("PATCH", "/update-agent/"+id+"?version=1", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
