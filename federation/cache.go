package federation

import (
	"sync"
	"time"
)

// ttlCache keeps recent answers so that a hot actor is not an API call per
// request. It is bounded: when full, an arbitrary entry makes room, which is
// enough for a cache whose entries all expire within a minute or so.
type ttlCache[K comparable, V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	items map[K]cacheItem[V]
	now   func() time.Time
}

type cacheItem[V any] struct {
	v   V
	exp time.Time
}

func newTTLCache[K comparable, V any](ttl time.Duration, max int) *ttlCache[K, V] {
	return &ttlCache[K, V]{ttl: ttl, max: max, items: make(map[K]cacheItem[V]), now: time.Now}
}

func (c *ttlCache[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[k]
	if !ok || c.now().After(it.exp) {
		var zero V
		return zero, false
	}
	return it.v, true
}

func (c *ttlCache[K, V]) put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; !ok && len(c.items) >= c.max {
		for old := range c.items {
			delete(c.items, old)
			break
		}
	}
	c.items[k] = cacheItem[V]{v: v, exp: c.now().Add(c.ttl)}
}

func (c *ttlCache[K, V]) drop(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, k)
}
