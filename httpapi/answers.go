package httpapi

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/agentry/agentry"
)

// answerCache keeps the encoded answers of reads whose data can change — a
// draft, a version got by number or by latest, a page of list-agents or of
// list-agent-versions — for as long as the store's change stamp
// (agentry.Stamper) stays the same. The stamp moves at every commit, by any
// process that shares the database, so an answer is served only while
// nothing at all has been committed since the read that made it began:
//
//   - the caller takes the stamp (get) BEFORE it reads the database, and
//     stores the answer (put) with that stamp;
//   - get serves an entry only when the current stamp equals the stamp the
//     cache's entries were read at.
//
// A write acknowledged before a request began has moved the stamp before
// that request's get, so the request either misses or finds an entry read
// after that write. A store without a stamp (none at all, or a moment when a
// commit is being published, or a database that does not answer) caches
// nothing.
//
// On SQLite a stamp is read from memory; on PostgreSQL it costs a round trip
// (postgres/stamp.go), shared by the requests that ask at the same time. A
// read that misses then pays that round trip on top of its own, so where
// writes change the state too often for answers to be reused, the cache
// stops asking for a while: when fewer than one get in eight found its
// answer over a window of gets, the next skipGets gets read the database
// directly; then it tries again.
//
// The entries are one generation: all read at the same stamp. When a put
// comes with a newer stamp than the generation's, the generation is dropped
// whole (everything in it is stale anyway). A full generation turns new
// answers away — so a client that cycles through twice as many answers as
// fit still finds a good share of them (about 40%), where evicting the least
// recently used, or everything, would find none — until it has turned away
// as many as it holds; then it drops half its entries, chosen at random, so
// that a read-only server still follows a hot set that moves.
type answerCache struct {
	stamps     agentry.Stamper
	maxBytes   int
	maxEntries int

	mu      sync.RWMutex
	stamp   agentry.Stamp // the stamp every entry was read at
	bytes   int
	refused int // answers turned away since the cache was last full and evicted
	entries map[string]*answer
	// latest is the stamp the newest get saw: put starts a new generation
	// only for answers read at it (an answer read at an older stamp is of
	// no use to anyone).
	latest atomic.Pointer[agentry.Stamp]

	// With a stamp that costs a round trip (costly): gets and hits in the
	// current window, and how many gets are still to skip the cache.
	costly           bool
	windowGets, hits atomic.Int64
	skip             atomic.Int64
}

// The window over which a costly stamp's use is judged, and how many gets
// skip the cache after a window in which it did not pay.
const (
	windowGets = 256
	skipGets   = 1024
)

// answer is one encoded answer. Agent versions' bodies are without their
// assigned tags, which are spliced in as for the published cache; kind and
// number say which version a get resolved to.
type answer struct {
	body   []byte
	etag   string
	kind   *agentry.Kind
	number int64
}

// answerOverhead is what an entry costs beyond its key and body (the map
// slot, the answer, slice and string headers), roughly.
const answerOverhead = 128

// maxAnswerEntries bounds the entries of one generation, whatever their size.
const maxAnswerEntries = 20000

func newAnswerCache(stamps agentry.Stamper, maxBytes int) *answerCache {
	if stamps == nil || maxBytes <= 0 {
		return nil
	}
	c := &answerCache{stamps: stamps, maxBytes: maxBytes, maxEntries: maxAnswerEntries, entries: map[string]*answer{}}
	if cs, ok := stamps.(agentry.CostlyStamper); ok {
		c.costly = cs.StampCostsARoundTrip()
	}
	return c
}

// get returns the entry for key if it is current, and the stamp to store a
// fresh answer with; ok is false when nothing may be cached (no stamp).
func (c *answerCache) get(ctx context.Context, key string) (a *answer, st agentry.Stamp, ok bool) {
	if c == nil {
		return nil, st, false
	}
	if c.costly && c.skip.Load() > 0 {
		c.skip.Add(-1)
		return nil, st, false
	}
	if st, ok = c.stamps.Stamp(ctx); !ok {
		return nil, st, false
	}
	if p := c.latest.Load(); p == nil || *p != st {
		c.latest.Store(&st)
	}
	c.mu.RLock()
	if c.stamp == st {
		a = c.entries[key]
	}
	c.mu.RUnlock()
	if c.costly {
		c.judge(a != nil)
	}
	return a, st, true
}

// judge counts a get of a costly stamp, and at the end of a window in which
// fewer than one get in eight hit, has the next skipGets gets skip the cache.
func (c *answerCache) judge(hit bool) {
	if hit {
		c.hits.Add(1)
	}
	if n := c.windowGets.Add(1); n == windowGets {
		hits := c.hits.Swap(0)
		c.windowGets.Store(0)
		if hits*8 < n {
			c.skip.Store(skipGets)
		}
	}
}

// put stores a, read after the stamp st was taken.
func (c *answerCache) put(key string, st agentry.Stamp, a *answer) {
	if c == nil {
		return
	}
	size := len(key) + len(a.body) + len(a.etag) + answerOverhead
	if size > c.maxBytes/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stamp != st {
		// A new generation, if st is the newest stamp a get has seen.
		if cur := c.latest.Load(); cur == nil || *cur != st {
			return
		}
		c.stamp, c.bytes, c.refused, c.entries = st, 0, 0, map[string]*answer{}
	}
	if old := c.entries[key]; old != nil {
		return // another request read the same answer at the same stamp
	}
	if c.bytes+size > c.maxBytes || len(c.entries) >= c.maxEntries {
		// Full: keep what is held (a client cycling through more answers
		// than fit still finds the share that fits), until so many answers
		// were turned away that the reads have evidently moved on.
		if c.refused++; c.refused <= len(c.entries) {
			return
		}
		c.evictHalf()
		c.refused = 0
	}
	c.entries[key] = a
	c.bytes += size
}

// evictHalf drops entries until at most half the budget and half the
// entries are left: those a map iteration meets first, an order unrelated
// to how they are used.
func (c *answerCache) evictHalf() {
	for k, a := range c.entries {
		if c.bytes <= c.maxBytes/2 && len(c.entries) <= c.maxEntries/2 {
			return
		}
		delete(c.entries, k)
		c.bytes -= len(k) + len(a.body) + len(a.etag) + answerOverhead
	}
}

// keyOf joins the parts of a cache key, each prefixed with its length, so
// that no two lists of parts give the same key whatever bytes they hold.
func keyOf(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p) + 4
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = strconv.AppendInt(b, int64(len(p)), 10)
		b = append(b, ':')
		b = append(b, p...)
	}
	return string(b)
}

// pageParts are the parts of a key that a page request contributes.
func pageParts(p agentry.PageRequest) (string, string, string) {
	return strconv.Itoa(p.Limit), strconv.FormatBool(p.Desc), p.Key
}
