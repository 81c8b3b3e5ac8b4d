package agentry

import (
	"hash/maphash"
	"sync"
)

// RouteCache keeps routing snapshots (agents' tags and versions, phone
// numbers' lists) between requests, so that resolve and the assigned_tags of
// version responses need no database read. Unlike the cache of published
// versions, what it holds can change; it stays right because every write
// that changes a snapshot's contents forgets it on the writing replica after
// commit, and logs a route change (or a deletion) that every other replica
// reads within its poll interval (httpapi's WatchDeletions) and forgets too.
//
// A snapshot read from the database while a write commits could be stored
// after the write forgot it, and then served stale. Each shard of the cache
// counts the forgets it has seen; a read notes the count before it starts
// and stores its snapshot only if the count has not moved.
//
// A nil *RouteCache caches nothing: every snapshot is read.
type RouteCache struct {
	seed   maphash.Seed
	max    int
	shards [routeShards]routeShard
}

const routeShards = 64

type routeShard struct {
	mu     sync.RWMutex
	gen    uint64
	agents map[routeKey]*AgentRoutes
	phones map[routeKey]*PhoneRoutes
}

// routeKey names a snapshot: a workspace and an agent id or phone number.
// (A struct, not a joined string: a lookup allocates nothing.)
type routeKey struct{ ws, id string }

// NewRouteCache returns a cache of at most maxEntries snapshots (agents and
// phone numbers together; a shard that fills up starts over).
func NewRouteCache(maxEntries int) *RouteCache {
	c := &RouteCache{seed: maphash.MakeSeed(), max: max(maxEntries/routeShards, 1)}
	for i := range c.shards {
		c.shards[i].agents = map[routeKey]*AgentRoutes{}
		c.shards[i].phones = map[routeKey]*PhoneRoutes{}
	}
	return c
}

func (c *RouteCache) shard(key routeKey) *routeShard {
	return &c.shards[maphash.String(c.seed, key.id)%routeShards]
}

func (c *RouteCache) agent(key routeKey) *AgentRoutes {
	if c == nil {
		return nil
	}
	sh := c.shard(key)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.agents[key]
}

func (c *RouteCache) phone(key routeKey) *PhoneRoutes {
	if c == nil {
		return nil
	}
	sh := c.shard(key)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.phones[key]
}

// generation is the count of forgets of key's shard, read before a load.
func (c *RouteCache) generation(key routeKey) uint64 {
	if c == nil {
		return 0
	}
	sh := c.shard(key)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.gen
}

func (c *RouteCache) putAgent(key routeKey, a *AgentRoutes, gen uint64) {
	if c == nil {
		return
	}
	sh := c.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.gen != gen {
		return
	}
	if len(sh.agents)+len(sh.phones) >= c.max {
		sh.agents, sh.phones = map[routeKey]*AgentRoutes{}, map[routeKey]*PhoneRoutes{}
	}
	sh.agents[key] = a
}

func (c *RouteCache) putPhone(key routeKey, p *PhoneRoutes, gen uint64) {
	if c == nil {
		return
	}
	sh := c.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.gen != gen {
		return
	}
	if len(sh.agents)+len(sh.phones) >= c.max {
		sh.agents, sh.phones = map[routeKey]*AgentRoutes{}, map[routeKey]*PhoneRoutes{}
	}
	sh.phones[key] = p
}

// ForgetAgent drops the snapshot of an agent.
func (c *RouteCache) ForgetAgent(ws, id string) { c.forget(routeKey{ws, id}) }

// ForgetPhone drops the snapshot of a phone number.
func (c *RouteCache) ForgetPhone(ws, number string) { c.forget(routeKey{ws, number}) }

// Forget drops whatever snapshot subject (an agent id or a phone number)
// has: what a replica does with each entry of the route change log.
func (c *RouteCache) Forget(ws, subject string) { c.forget(routeKey{ws, subject}) }

func (c *RouteCache) forget(key routeKey) {
	if c == nil {
		return
	}
	sh := c.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.gen++
	delete(sh.agents, key)
	delete(sh.phones, key)
}
