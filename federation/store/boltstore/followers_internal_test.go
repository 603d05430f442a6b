package boltstore

import (
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/wikipub/wikipub/federation/store"
)

// nestedBuckets counts the nested buckets under a top-level bucket.
func nestedBuckets(t *testing.T, s *Store, bucket string) int {
	t.Helper()
	var n int
	if err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucket)).ForEachBucket(func([]byte) error { n++; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFollowerBucketsCleanedUp checks that removing follows leaves no empty
// per-actor or per-follower buckets behind.
func TestFollowerBucketsCleanedUp(t *testing.T) {
	s, _ := openWithClock(t)
	ctx := t.Context()
	for _, actorID := range []string{"a", "b"} {
		for _, f := range []string{"x", "y"} {
			rec := store.Follower{ID: f, Inbox: f + "/inbox", SharedInbox: "shared"}
			if _, err := s.AddFollower(ctx, actorID, rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n, err := s.RemoveFollowerEverywhere(ctx, "x"); err != nil || n != 2 {
		t.Fatalf("RemoveFollowerEverywhere = %d, %v", n, err)
	}
	if _, err := s.RemoveFollower(ctx, "a", "y"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.RemoveFollowersByInbox(ctx, "y/inbox"); err != nil || n != 1 {
		t.Fatalf("RemoveFollowersByInbox = %d, %v", n, err)
	}
	for _, b := range []string{bucketFollowers, bucketFollowing, bucketInboxes} {
		if n := nestedBuckets(t, s, b); n != 0 {
			t.Errorf("bucket %s still has %d nested buckets", b, n)
		}
	}
}
