package ttlcache

import (
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	c := New[string, int](time.Minute, 2)
	c.now = func() time.Time { return now }
	c.Put("a", 1)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get(a) = %d, %v", v, ok)
	}
	now = now.Add(time.Minute + time.Nanosecond)
	if _, ok := c.Get("a"); ok {
		t.Error("an entry outlived its ttl")
	}
	c.Put("a", 1)
	c.Put("b", 2)
	c.Put("c", 3) // full: one of a and b makes room
	n := 0
	for _, k := range []string{"a", "b", "c"} {
		if _, ok := c.Get(k); ok {
			n++
		}
	}
	if _, ok := c.Get("c"); !ok || n != 2 {
		t.Errorf("after a third Put into two places: c kept %v, %d entries", ok, n)
	}
	c.Put("c", 4) // replacing evicts nothing
	if v, _ := c.Get("c"); v != 4 {
		t.Errorf("c = %d after replacing", v)
	}
	c.Drop("c")
	if _, ok := c.Get("c"); ok {
		t.Error("Drop kept the entry")
	}
}
