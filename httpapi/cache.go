package httpapi

import (
	"container/list"
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/agentry/agentry"
)

// publishedCache keeps the encoded responses of published versions. A
// published version never changes, so an entry is only ever removed when its
// version or agent is deleted, when the byte budget evicts it (least recently
// used first), or when it is older than ttl. ttl bounds how long a deletion
// made through another replica can go unseen here; zero means no expiry (one
// process owns the database).
type publishedCache struct {
	mu       sync.Mutex
	maxBytes int
	ttl      time.Duration
	now      func() time.Time
	bytes    int
	lru      *list.List               // front: most recently used *cacheEntry
	entries  map[string]*list.Element // by cacheKey
	byAgent  map[string][]string      // workspace+agent → cache keys, for deleting an agent
}

type cacheEntry struct {
	key, agent string
	body       []byte
	etag       string
	added      time.Time
}

func newPublishedCache(maxBytes int, ttl time.Duration) *publishedCache {
	return &publishedCache{maxBytes: maxBytes, ttl: ttl, now: time.Now, lru: list.New(),
		entries: map[string]*list.Element{}, byAgent: map[string][]string{}}
}

func agentKey(workspace, agentID string) string { return workspace + "\x00" + agentID }

func cacheKey(workspace, channel, agentID string, number int64) string {
	return workspace + "\x00" + agentID + "\x00" + channel + "\x00" + strconv.FormatInt(number, 10)
}

// get returns the cached body and ETag for key.
func (c *publishedCache) get(key string) ([]byte, string, bool) {
	if c == nil || c.maxBytes <= 0 {
		return nil, "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, "", false
	}
	e := el.Value.(*cacheEntry)
	if c.ttl > 0 && c.now().Sub(e.added) > c.ttl {
		c.remove(el)
		return nil, "", false
	}
	c.lru.MoveToFront(el)
	return e.body, e.etag, true
}

// put stores a published version's response.
func (c *publishedCache) put(key, workspace, agentID string, body []byte, etag string) {
	if c == nil || c.maxBytes <= 0 || len(body) > c.maxBytes/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	e := &cacheEntry{key: key, agent: agentKey(workspace, agentID), body: body, etag: etag, added: c.now()}
	c.entries[key] = c.lru.PushFront(e)
	c.byAgent[e.agent] = append(c.byAgent[e.agent], key)
	c.bytes += len(body) + len(key)
	for c.bytes > c.maxBytes {
		c.remove(c.lru.Back())
	}
}

// deleteVersion forgets one version (every channel's entry for it).
func (c *publishedCache) deleteVersion(workspace, agentID string, number int64) {
	if c == nil {
		return
	}
	suffix := "\x00" + strconv.FormatInt(number, 10)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, key := range c.byAgent[agentKey(workspace, agentID)] {
		if len(key) >= len(suffix) && key[len(key)-len(suffix):] == suffix {
			if el, ok := c.entries[key]; ok {
				c.remove(el)
			}
		}
	}
}

// deleteAgent forgets every version of an agent.
func (c *publishedCache) deleteAgent(workspace, agentID string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, key := range c.byAgent[agentKey(workspace, agentID)] {
		if el, ok := c.entries[key]; ok {
			c.remove(el)
		}
	}
	delete(c.byAgent, agentKey(workspace, agentID))
}

func (c *publishedCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.bytes -= len(e.body) + len(e.key)
	keys := c.byAgent[e.agent]
	for i, k := range keys {
		if k == e.key {
			keys[i] = keys[len(keys)-1]
			keys = keys[:len(keys)-1]
			break
		}
	}
	if len(keys) == 0 {
		delete(c.byAgent, e.agent)
	} else {
		c.byAgent[e.agent] = keys
	}
}

// keyCache remembers which workspace a key hash belongs to for ttl, so that
// a request does not cost a database read to authenticate. A revoked key is
// refused on every replica within ttl.
type keyCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	now     func() time.Time
	entries map[string]keyEntry
}

type keyEntry struct {
	caller  agentry.Caller
	expires time.Time
}

const maxCachedKeys = 10000

func (c *keyCache) get(key string) (agentry.Caller, bool) {
	if c == nil || c.ttl <= 0 {
		return agentry.Caller{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || c.now().After(e.expires) {
		return agentry.Caller{}, false
	}
	return e.caller, true
}

func (c *keyCache) put(key string, caller agentry.Caller) {
	if c == nil || c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedKeys {
		c.entries = map[string]keyEntry{}
	}
	c.entries[key] = keyEntry{caller: caller, expires: c.now().Add(c.ttl)}
}

// deletionOverlap is how far back each read of the deletion log reaches
// before the previous read: it covers deletions committed late (a slow
// transaction stamps its entry when it starts) and clocks of replicas that
// disagree by less than this. Forgetting an entry twice is harmless.
const deletionOverlap = 30 * time.Second

// WatchDeletions reads the deletion log every interval until ctx ends and
// forgets the cached published versions it names, so that a version deleted
// through another replica stops being served here within about interval.
// It reads the route change log too, and forgets the routing snapshots
// (Service.Routes) that either log names, so that a tag moved or a number
// rebound through another replica is resolved here within the same bound.
// Call it after Handler, in its own goroutine.
func (s *Server) WatchDeletions(ctx context.Context, interval time.Duration) {
	if (s.published == nil || s.published.maxBytes <= 0) && s.Service.Routes == nil {
		return
	}
	routes := newRouteWatch(s.Service)
	since := time.Now().Add(-deletionOverlap).UnixMilli()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		started := time.Now()
		ds, err := s.Service.DeletionsSince(ctx, since)
		if err != nil {
			if !failing && ctx.Err() == nil {
				s.logger().Warn("cannot read the deletion log; cached versions are kept until it can be read", "err", err)
			}
			failing = true
			continue
		}
		if failing {
			s.logger().Info("reading the deletion log again")
			failing = false
		}
		for _, d := range ds {
			if d.Number == nil {
				s.published.deleteAgent(d.WorkspaceID, d.ResourceID)
			} else {
				s.published.deleteVersion(d.WorkspaceID, d.ResourceID, *d.Number)
			}
			s.Service.Routes.Forget(d.WorkspaceID, d.ResourceID)
		}
		if err := routes.read(ctx, since); err != nil {
			if !failing && ctx.Err() == nil {
				s.logger().Warn("cannot read the route change log; cached routing is kept until it can be read", "err", err)
			}
			failing = true
			continue
		}
		since = started.Add(-deletionOverlap).UnixMilli()
	}
}

// routeWatch applies the route change log to the service's routing
// snapshots. Each entry is applied once: the log is read with the same
// overlap as the deletion log, and the ids seen in the overlap are
// remembered (forgetting a snapshot again would only cost a reload).
type routeWatch struct {
	svc  *agentry.Service
	seen map[string]int64 // entry id → its time, pruned past the overlap
}

func newRouteWatch(svc *agentry.Service) *routeWatch {
	return &routeWatch{svc: svc, seen: map[string]int64{}}
}

func (w *routeWatch) read(ctx context.Context, since int64) error {
	if w.svc.Routes == nil {
		return nil
	}
	chs, err := w.svc.RouteChangesSince(ctx, since)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		if _, done := w.seen[ch.ID]; done {
			continue
		}
		w.seen[ch.ID] = ch.At
		w.svc.Routes.Forget(ch.WorkspaceID, ch.Subject)
	}
	for id, at := range w.seen {
		if at < since {
			delete(w.seen, id)
		}
	}
	return nil
}
