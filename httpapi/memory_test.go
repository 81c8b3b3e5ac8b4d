package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// hostileBody is a request body shaped to cost the server more than its
// size: deep, wide, full of fields to ignore, or broken at the very end.
type hostileBody struct {
	name, path string
	body       string
	status     int
}

// fill repeats item until the body reaches about n bytes.
func fill(item string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+",", n/(len(item)+1)), ",")
}

func hostileBodies() []hostileBody {
	const mib = 1000 << 10 // under the 1 MiB limit with room for the rest of the body
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tool := func(extra string) string {
		return `{"general_tools":[{"type":"end_call","name":"t","x":` + extra + `}]}`
	}
	return []hostileBody{
		{"nested 10,000 deep (20 KB)", "/create-agent", `{"agent_name":` + deep(10_000) + `}`, 400},
		{"nested 10,000 deep, not even JSON", "/create-agent", `{"agent_name":` + strings.Repeat("[", 10_000), 400},
		{"nested at the cap, many times", "/create-retell-llm", tool("[" + fill(deep(120), mib) + "]"), 201},
		{"a million empty objects", "/create-retell-llm", tool("[" + fill("{}", mib) + "]"), 201},
		{"a million empty objects, broken at the end", "/create-retell-llm", tool("[" + fill("{}", mib) + ",]"), 400},
		{"a repeated key", "/create-agent", `{"voice_id":"v","response_engine":{"type":"custom-llm","llm_websocket_url":"u"},` +
			fill(`"f":0`, mib) + `}`, 400},
		{"a hundred thousand top-level fields", "/create-agent", `{"voice_id":"v","response_engine":{"type":"custom-llm","llm_websocket_url":"u"},` +
			distinctFields(mib) + `}`, 400},
		{"a hundred thousand nested fields", "/create-agent", `{"voice_id":"v","response_engine":{"type":"custom-llm","llm_websocket_url":"u"},` +
			`"voicemail_option":{"action":{"type":"hangup"},` + distinctFields(mib) + `}}`, 400},
		{"ten thousand top-level fields to ignore", "/create-agent", `{"voice_id":"v","response_engine":{"type":"custom-llm","llm_websocket_url":"u"},` +
			distinctFields(90<<10) + `}`, 201},
		{"fields to ignore in every item", "/create-agent", `{"voice_id":"v","response_engine":{"type":"custom-llm","llm_websocket_url":"u"},` +
			`"pronunciation_dictionary":[` + fill(`{"word":"w","alphabet":"ipa","phoneme":"p",`+distinctFields(1000)+`}`, mib) + `]}`, 201},
		{"a million short strings", "/create-agent", `{"voice_id":"v","response_engine":{"type":"custom-llm","llm_websocket_url":"u"},` +
			`"boosted_keywords":[` + fill(`"a"`, mib) + `]}`, 201},
	}
}

// distinctFields is about n bytes of members with distinct names.
func distinctFields(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"f%x":0`, i)
	}
	return b.String()
}

// serveBody runs one request through the whole handler, in process.
func serveBody(tb testing.TB, h http.Handler, key string, c hostileBody) {
	req := httptest.NewRequest("POST", c.path, strings.NewReader(c.body))
	req.Header.Set("Authorization", "Bearer "+key)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != c.status {
		tb.Errorf("%s: status %d, want %d: %.200s", c.name, w.Code, c.status, w.Body)
	}
}

// No body costs the server more than a few times its size: the bytes
// allocated to answer it (an upper bound of what it holds at once) stay
// within maxAllocRatio times the body, plus a constant: the request's own
// bookkeeping and, at most, the map of a body's top-level fields
// (schema.MaxMembers of them). (Memory, not time: nothing here depends on
// the clock.)
func TestHostileBodiesCostAFewTimesTheirSize(t *testing.T) {
	const maxAllocRatio, fixed = 8, 1536 << 10
	h, key, _ := benchServer(t)
	for _, c := range hostileBodies() {
		serveBody(t, h, key, c) // warm up caches and pools
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		serveBody(t, h, key, c)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		if limit := uint64(maxAllocRatio*len(c.body) + fixed); alloc > limit {
			t.Errorf("%s: %d bytes allocated for a body of %d (%.1f×), want at most %d", c.name, alloc, len(c.body),
				float64(alloc)/float64(len(c.body)), limit)
		}
	}
}

// Sixteen deep bodies at once, as in the report: each is refused with the
// nesting message.
func TestDeepBodiesConcurrently(t *testing.T) {
	h, key, _ := benchServer(t)
	c := hostileBodies()[0]
	var wg sync.WaitGroup
	var refused atomic.Int32
	for range 16 {
		wg.Go(func() {
			req := httptest.NewRequest("POST", c.path, strings.NewReader(c.body))
			req.Header.Set("Authorization", "Bearer "+key)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code == 400 && strings.Contains(w.Body.String(), "nested deeper than 128 levels") {
				refused.Add(1)
			}
		})
	}
	wg.Wait()
	if refused.Load() != 16 {
		t.Errorf("%d of 16 deep bodies refused with the nesting message", refused.Load())
	}
}

// BenchmarkHostileBodies answers each hostile body sixteen at a time and
// reports, besides time, the bytes allocated per body byte and the peak of
// the heap above its level before the requests (sampled while they run).
func BenchmarkHostileBodies(b *testing.B) {
	h, key, _ := benchServer(b)
	for _, c := range hostileBodies() {
		b.Run(c.name, func(b *testing.B) {
			const concurrent = 16
			b.SetBytes(int64(len(c.body)) * concurrent)
			var peak uint64
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for b.Loop() {
				done := make(chan struct{})
				sampled := make(chan uint64)
				go func() {
					var max uint64
					var m runtime.MemStats
					for {
						runtime.ReadMemStats(&m)
						if m.HeapAlloc > max {
							max = m.HeapAlloc
						}
						select {
						case <-done:
							sampled <- max
							return
						default:
						}
					}
				}()
				var wg sync.WaitGroup
				for range concurrent {
					wg.Go(func() { serveBody(b, h, key, c) })
				}
				wg.Wait()
				close(done)
				if m := <-sampled; m > before.HeapAlloc && m-before.HeapAlloc > peak {
					peak = m - before.HeapAlloc
				}
			}
			runtime.ReadMemStats(&after)
			body := float64(len(c.body)) * concurrent * float64(b.N)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/body, "alloc/body-byte")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(len(c.body)*concurrent)/(1<<20), "bodies-MiB")
		})
	}
}
