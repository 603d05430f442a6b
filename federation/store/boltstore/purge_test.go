package boltstore

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wikipub/wikipub/federation/store"
)

// fakeClock is a settable clock for expiry tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// openWithClock opens a store in a temp dir whose clock the test controls.
func openWithClock(t *testing.T) (*Store, *fakeClock) {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "wikipub.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	clock := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	s.cfg.now = clock.now
	return s, clock
}

// keyCount returns how many keys bucket holds.
func keyCount(t *testing.T, s *Store, bucket string) int {
	t.Helper()
	var n int
	if err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket([]byte(bucket)).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func markSeen(t *testing.T, s *Store, id string, ttl time.Duration, want bool) {
	t.Helper()
	first, err := s.MarkSeen(t.Context(), id, ttl)
	if err != nil {
		t.Fatalf("MarkSeen(%s): %v", id, err)
	}
	if first != want {
		t.Errorf("MarkSeen(%s) first = %v, want %v", id, first, want)
	}
}

// TestSeenPurgeIsBounded checks that expired marks are removed a bounded
// batch per call, so the seen buckets do not grow without bound.
func TestSeenPurgeIsBounded(t *testing.T) {
	s, clock := openWithClock(t)
	t0 := clock.now()
	for i := range 100 {
		markSeen(t, s, fmt.Sprintf("old-%03d", i), time.Minute, true)
	}
	clock.set(t0.Add(2 * time.Minute))

	markSeen(t, s, "new-1", time.Hour, true) // purges 64 of the 100
	if got, want := keyCount(t, s, bucketSeen), 100+1-64; got != want {
		t.Errorf("after one purge: %d marks, want %d", got, want)
	}
	// An expired mark not yet purged counts as absent.
	markSeen(t, s, "old-099", time.Hour, true)
	if _, err := s.Claim(t.Context(), clock.now(), 1, time.Minute); err != nil { // Claim purges too
		t.Fatalf("Claim: %v", err)
	}
	for _, b := range []string{bucketSeen, bucketSeenExp} {
		if got := keyCount(t, s, b); got != 2 {
			t.Errorf("after purging: bucket %s has %d keys, want 2 (new-1, old-099)", b, got)
		}
	}
	markSeen(t, s, "old-099", time.Hour, false) // the renewed mark survived its old index entry
}

// TestDueIndexInStep checks that every queued delivery has exactly one
// due-index entry through enqueue, claim, reschedule and ack.
func TestDueIndexInStep(t *testing.T) {
	s, clock := openWithClock(t)
	ctx := t.Context()
	now := clock.now()
	check := func(what string, want int) {
		t.Helper()
		q, d := keyCount(t, s, bucketQueue), keyCount(t, s, bucketDue)
		if q != want || d != want {
			t.Errorf("%s: %d deliveries and %d due entries, want %d of each", what, q, d, want)
		}
	}
	var ds []store.Delivery
	for i := range 10 {
		ds = append(ds, store.Delivery{ID: fmt.Sprint(i), NextAttempt: now})
	}
	if err := s.Enqueue(ctx, ds...); err != nil {
		t.Fatal(err)
	}
	check("enqueue", 10)
	got, err := s.Claim(ctx, now, 4, time.Minute)
	if err != nil || len(got) != 4 {
		t.Fatalf("Claim = %d, %v", len(got), err)
	}
	check("claim", 10)
	got[0].NextAttempt = now.Add(time.Hour)
	if err := s.Reschedule(ctx, got[0]); err != nil {
		t.Fatal(err)
	}
	check("reschedule", 10)
	if err := s.Ack(ctx, got[1].ID); err != nil {
		t.Fatal(err)
	}
	check("ack", 9)
	if err := s.AckMany(ctx, got[2].ID, "absent", got[3].ID, ds[9].ID, got[1].ID); err != nil {
		t.Fatal(err)
	}
	check("ack many", 6)
}
