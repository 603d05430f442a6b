package redisstore_test

import (
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/redisstore"
	"github.com/wikipub/wikipub/internal/testenv"
)

// TestQueuedDeliveriesBackfill lists deliveries queued before the queue-ids
// index existed (simulated by deleting it), and skips index entries whose
// delivery is gone (as an older replica's Ack would leave them).
func TestQueuedDeliveriesBackfill(t *testing.T) {
	ctx := t.Context()
	srv := testenv.Redis(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { client.Close() })
	s := redisstore.New(client, "backfill")
	now := time.Now()
	var ds []store.Delivery
	for _, id := range []string{"c", "a", "b", "d"} {
		ds = append(ds, store.Delivery{ID: id, Inbox: "https://remote.example/inbox", NextAttempt: now})
	}
	if err := s.Enqueue(ctx, ds...); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if err := client.Del(ctx, "{backfill}:queue-ids", "{backfill}:queue-ids-built").Err(); err != nil {
		t.Fatalf("Del: %v", err)
	}
	// An older replica acks b without touching queue-ids.
	if err := client.ZAdd(ctx, "{backfill}:queue-ids", redis.Z{Member: "b"}).Err(); err != nil {
		t.Fatalf("ZAdd: %v", err)
	}
	if err := client.Set(ctx, "{backfill}:queue-ids-built", "1", 0).Err(); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := client.Del(ctx, "{backfill}:delivery:b").Err(); err != nil {
		t.Fatalf("Del b: %v", err)
	}
	if got := listIDs(t, s, 1); len(got) != 0 {
		t.Errorf("with the index marked built but holding only a gone id: %q, want none", got)
	}
	// Now the index was never built: it is filled from due.
	if err := client.Del(ctx, "{backfill}:queue-ids-built").Err(); err != nil {
		t.Fatalf("Del: %v", err)
	}
	if got, want := listIDs(t, s, 1), []string{"a", "c", "d"}; !slices.Equal(got, want) {
		t.Errorf("after backfill: %q, want %q", got, want)
	}
}

func listIDs(t *testing.T, s *redisstore.Store, limit int) []string {
	t.Helper()
	var out []string
	after := ""
	for {
		ds, err := s.QueuedDeliveries(t.Context(), after, limit)
		if err != nil {
			t.Fatalf("QueuedDeliveries: %v", err)
		}
		if len(ds) == 0 {
			return out
		}
		for _, d := range ds {
			out = append(out, d.ID)
		}
		after = ds[len(ds)-1].ID
	}
}

// TestFollowedActorsStale skips (and drops) an index entry for an actor
// without followers, as an older replica's removal would leave it.
func TestFollowedActorsStale(t *testing.T) {
	ctx := t.Context()
	srv := testenv.Redis(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { client.Close() })
	s := redisstore.New(client, "stale")
	if _, err := s.AddFollower(ctx, "https://wiki.example/ap/b", store.Follower{ID: "https://r.example/u", Inbox: "https://r.example/u/inbox"}); err != nil {
		t.Fatalf("AddFollower: %v", err)
	}
	if err := client.ZAdd(ctx, "{stale}:followed-actors", redis.Z{Member: "https://wiki.example/ap/a"}).Err(); err != nil {
		t.Fatalf("ZAdd: %v", err)
	}
	ids, err := s.FollowedActors(ctx, "", 1)
	if err != nil || !slices.Equal(ids, []string{"https://wiki.example/ap/b"}) {
		t.Errorf("FollowedActors = %q, %v; want only b", ids, err)
	}
	if n, _ := client.ZCard(ctx, "{stale}:followed-actors").Result(); n != 1 {
		t.Errorf("stale entry kept: %d entries, want 1", n)
	}
}
