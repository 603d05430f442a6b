package redisstore_test

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/redisstore"
	"github.com/wikipub/wikipub/federation/store/storetest"
	"github.com/wikipub/wikipub/internal/testenv"
)

// TestConformance runs the suite against a real redis-server, each sub-test
// under its own key prefix so they stay independent while sharing it.
func TestConformance(t *testing.T) {
	srv := testenv.Redis(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { client.Close() })
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T) store.Store {
		return redisstore.New(client, fmt.Sprintf("conformance-%d", n.Add(1)))
	})
}

// replicas returns n stores sharing one prefix but each with its own client
// and connection pool, as separate wikipub processes would.
func replicas(t *testing.T, srv *testenv.RedisServer, n int) []*redisstore.Store {
	t.Helper()
	out := make([]*redisstore.Store, n)
	for i := range out {
		client := redis.NewClient(&redis.Options{Addr: srv.Addr})
		t.Cleanup(func() { client.Close() })
		out[i] = redisstore.New(client, "replicas")
	}
	return out
}

// TestReplicasShareQueue has separately connected replicas drain one queue at
// once: every delivery goes to exactly one of them.
func TestReplicasShareQueue(t *testing.T) {
	ctx := t.Context()
	srv := testenv.Redis(t)
	rs := replicas(t, srv, 4)
	now := time.Now()
	var ds []store.Delivery
	for i := range 300 {
		ds = append(ds, store.Delivery{ID: fmt.Sprintf("d%03d", i), Inbox: "https://remote.example/inbox", NextAttempt: now})
	}
	if err := rs[0].Enqueue(ctx, ds...); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	var (
		mu    sync.Mutex
		owner = map[string]int{}
		wg    sync.WaitGroup
	)
	for i, r := range rs {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range len(ds) { // bounded: a broken Claim must fail, not spin
					got, err := r.Claim(ctx, now, 5, time.Hour)
					if err != nil {
						t.Errorf("replica %d Claim: %v", i, err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, d := range got {
						if prev, dup := owner[d.ID]; dup {
							t.Errorf("%s claimed by replica %d and again by %d", d.ID, prev, i)
						}
						owner[d.ID] = i
					}
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if len(owner) != len(ds) {
		t.Errorf("claimed %d deliveries, want %d", len(owner), len(ds))
	}
}

// TestReplicasRaceForActorKey has separately connected replicas create the
// same actor key at once: all must end up with the same key.
func TestReplicasRaceForActorKey(t *testing.T) {
	ctx := t.Context()
	srv := testenv.Redis(t)
	rs := replicas(t, srv, 8)
	got := make([][]byte, len(rs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, r := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var err error
			if got[i], err = r.CreateActorKey(ctx, "https://wiki.example/actor", fmt.Appendf(nil, "key-%d", i)); err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	for i := range got {
		if !bytes.Equal(got[i], got[0]) {
			t.Errorf("replica %d has key %q, replica 0 has %q", i, got[i], got[0])
		}
	}
}

// TestPrefixesAreIsolated checks two prefixes on one Redis do not see each
// other's state.
func TestPrefixesAreIsolated(t *testing.T) {
	ctx := t.Context()
	srv := testenv.Redis(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { client.Close() })
	a, b := redisstore.New(client, "a"), redisstore.New(client, "b")
	if err := a.Enqueue(ctx, store.Delivery{ID: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := a.SetCursor(ctx, "rc", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if n, err := b.QueueLen(ctx); err != nil || n != 0 {
		t.Errorf("QueueLen under another prefix = %d, %v; want 0", n, err)
	}
	if _, err := b.Cursor(ctx, "rc"); err == nil {
		t.Errorf("Cursor under another prefix found a value")
	}
}
