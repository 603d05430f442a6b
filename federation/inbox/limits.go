package inbox

import (
	"sync"
	"time"
)

// Limits bound what remote servers can make wikipub store, fetch, compute
// or write. Each is per process: replicas each allow as much. The README's
// "Security" section lists every limit, with the fixed ones beside these.
type Limits struct {
	// InboxPerMinute is how many activities one remote host may have
	// handled a minute, with bursts of InboxBurst; over it, 429 with
	// Retry-After. Defaults 60 and 600.
	InboxPerMinute, InboxBurst int
	// ReportsPerHost and ReportsPerHour bound the reports (Flag) written
	// to the reports page: from one host, and from all together, an hour.
	// Defaults 5 and 30.
	ReportsPerHost, ReportsPerHour int
}

func (l Limits) withDefaults() Limits {
	if l.InboxPerMinute <= 0 {
		l.InboxPerMinute = 60
	}
	if l.InboxBurst <= 0 {
		l.InboxBurst = 600
	}
	if l.ReportsPerHost <= 0 {
		l.ReportsPerHost = 5
	}
	if l.ReportsPerHour <= 0 {
		l.ReportsPerHour = 30
	}
	return l
}

// buckets is a token bucket per key (a remote host, an actor, a keyId):
// each holds up to burst tokens and gains one every `every`; take spends
// one. Keys are bounded: a full bucket is the same as none, so those are
// dropped first when the map is full.
type buckets struct {
	burst float64
	every time.Duration
	now   func() time.Time

	mu sync.Mutex
	m  map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxBucketKeys bounds the memory of a limiter (~100 bytes a key).
const maxBucketKeys = 100_000

func newBuckets(burst int, every time.Duration) *buckets {
	return &buckets{burst: float64(max(burst, 1)), every: every, now: time.Now, m: map[string]*bucket{}}
}

// take spends a token of key's bucket; when there is none it reports how
// long until there is.
func (b *buckets) take(key string) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	k, ok := b.m[key]
	if !ok {
		if len(b.m) >= maxBucketKeys {
			b.prune(now)
		}
		k = &bucket{tokens: b.burst, at: now}
		b.m[key] = k
	}
	k.refill(now, b.burst, b.every)
	if k.tokens < 1 {
		return false, time.Duration((1 - k.tokens) * float64(b.every))
	}
	k.tokens--
	return true, 0
}

func (k *bucket) refill(now time.Time, burst float64, every time.Duration) {
	if el := now.Sub(k.at); el > 0 {
		k.tokens = min(burst, k.tokens+float64(el)/float64(every))
		k.at = now
	}
}

// prune drops the buckets that are full again, or all when none is.
func (b *buckets) prune(now time.Time) {
	for key, k := range b.m {
		k.refill(now, b.burst, b.every)
		if k.tokens >= b.burst {
			delete(b.m, key)
		}
	}
	if len(b.m) >= maxBucketKeys {
		b.m = map[string]*bucket{}
	}
}
