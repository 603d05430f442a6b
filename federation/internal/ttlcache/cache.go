package ttlcache

import (
	"sync"
	"time"
)

// Cache keeps recent answers so that a hot actor is not an API call per
// request. It is bounded: when full, an arbitrary entry makes room, which is
// enough for a cache whose entries all expire within a minute or so.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	items map[K]item[V]
	now   func() time.Time
}

type item[V any] struct {
	v   V
	exp time.Time
}

// New returns a cache whose entries live ttl, holding at most max of them.
func New[K comparable, V any](ttl time.Duration, max int) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, max: max, items: make(map[K]item[V]), now: time.Now}
}

// Get returns the value of k while it has not expired.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[k]
	if !ok || c.now().After(it.exp) {
		var zero V
		return zero, false
	}
	return it.v, true
}

// Put keeps v for k for the cache's ttl.
func (c *Cache[K, V]) Put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; !ok && len(c.items) >= c.max {
		for old := range c.items {
			delete(c.items, old)
			break
		}
	}
	c.items[k] = item[V]{v: v, exp: c.now().Add(c.ttl)}
}

// Drop forgets k at once (the thing it named changed).
func (c *Cache[K, V]) Drop(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, k)
}
