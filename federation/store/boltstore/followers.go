package boltstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/wikipub/wikipub/federation/store"
)

// Followers live in two nested layouts kept in step in one transaction:
// followers/<actor>/<follower> holds the record, in follower-id order for
// paging, and following/<follower>/<actor> is the reverse index that lets
// RemoveFollowerEverywhere avoid scanning every actor.
//
// A third index, inboxes/<inbox>/pairKey(follower, actor), lists the follows
// whose record names inbox as its Inbox or SharedInbox, so that
// RemoveFollowersByInbox need not scan either. It is kept per follow, not per
// follower, because each follow has its own record and a refresh through one
// actor leaves the follower's records under other actors as they were.
// Follows stored before this index existed have no entries in it, so
// RemoveFollowersByInbox misses them until their record is next refreshed by
// AddFollower; that is accepted rather than migrated.

// AddFollower records f as following actorID; added is false when it already
// did, in which case the record is refreshed.
func (s *Store) AddFollower(ctx context.Context, actorID string, f store.Follower) (bool, error) {
	v, err := json.Marshal(f)
	if err != nil {
		return false, fmt.Errorf("boltstore: encode follower %q: %w", f.ID, err)
	}
	var added bool
	err = s.update(ctx, fmt.Sprintf("add follower %q to %q", f.ID, actorID), func(tx *bolt.Tx) error {
		fb, err := tx.Bucket([]byte(bucketFollowers)).CreateBucketIfNotExists([]byte(actorID))
		if err != nil {
			return err
		}
		old := fb.Get([]byte(f.ID))
		added = old == nil
		if old != nil {
			if err := unindexInboxes(tx, actorID, f.ID, old); err != nil {
				return err
			}
		}
		if err := fb.Put([]byte(f.ID), v); err != nil {
			return err
		}
		if err := indexInboxes(tx, actorID, f); err != nil {
			return err
		}
		rb, err := tx.Bucket([]byte(bucketFollowing)).CreateBucketIfNotExists([]byte(f.ID))
		if err != nil {
			return err
		}
		return rb.Put([]byte(actorID), []byte{})
	})
	return added, err
}

// RemoveFollower removes one follow; removed is false when there was none.
func (s *Store) RemoveFollower(ctx context.Context, actorID, followerID string) (bool, error) {
	var removed bool
	err := s.update(ctx, fmt.Sprintf("remove follower %q from %q", followerID, actorID), func(tx *bolt.Tx) error {
		var err error
		removed, err = unfollow(tx, actorID, followerID)
		if err != nil {
			return err
		}
		if rb := tx.Bucket([]byte(bucketFollowing)).Bucket([]byte(followerID)); rb != nil {
			if err := rb.Delete([]byte(actorID)); err != nil {
				return err
			}
			return dropIfEmpty(tx.Bucket([]byte(bucketFollowing)), followerID)
		}
		return nil
	})
	return removed, err
}

// RemoveFollowerEverywhere removes followerID from every actor it follows,
// walking only that follower's reverse index.
func (s *Store) RemoveFollowerEverywhere(ctx context.Context, followerID string) (int, error) {
	var n int
	err := s.update(ctx, fmt.Sprintf("remove follower %q everywhere", followerID), func(tx *bolt.Tx) error {
		following := tx.Bucket([]byte(bucketFollowing))
		rb := following.Bucket([]byte(followerID))
		if rb == nil {
			return nil
		}
		var actors []string
		if err := rb.ForEach(func(k, _ []byte) error {
			actors = append(actors, string(k))
			return nil
		}); err != nil {
			return err
		}
		for _, actorID := range actors {
			removed, err := unfollow(tx, actorID, followerID)
			if err != nil {
				return err
			}
			if removed {
				n++
			}
		}
		return following.DeleteBucket([]byte(followerID))
	})
	return n, err
}

// RemoveFollowersByInbox removes every follow whose record names inbox as its
// Inbox or SharedInbox, walking only that inbox's index. Follows stored before
// the inbox index existed are not found (see the top of this file).
func (s *Store) RemoveFollowersByInbox(ctx context.Context, inbox string) (int, error) {
	if inbox == "" {
		return 0, nil // never indexed; an empty bucket name is invalid anyway
	}
	var n int
	err := s.update(ctx, fmt.Sprintf("remove followers by inbox %q", inbox), func(tx *bolt.Tx) error {
		inboxes := tx.Bucket([]byte(bucketInboxes))
		ib := inboxes.Bucket([]byte(inbox))
		if ib == nil {
			return nil
		}
		type pair struct{ followerID, actorID string }
		var pairs []pair
		if err := ib.ForEach(func(k, _ []byte) error {
			followerID, actorID, ok := splitPairKey(k)
			if ok {
				pairs = append(pairs, pair{followerID, actorID})
			}
			return nil
		}); err != nil {
			return err
		}
		followers := tx.Bucket([]byte(bucketFollowers))
		following := tx.Bucket([]byte(bucketFollowing))
		for _, p := range pairs {
			fb := followers.Bucket([]byte(p.actorID))
			if fb == nil {
				continue
			}
			v := fb.Get([]byte(p.followerID))
			if v == nil || !usesInbox(v, inbox) {
				continue // a stale index entry: the bucket goes below
			}
			removed, err := unfollow(tx, p.actorID, p.followerID)
			if err != nil {
				return err
			}
			if removed {
				n++
			}
			if rb := following.Bucket([]byte(p.followerID)); rb != nil {
				if err := rb.Delete([]byte(p.actorID)); err != nil {
					return err
				}
				if err := dropIfEmpty(following, p.followerID); err != nil {
					return err
				}
			}
		}
		if inboxes.Bucket([]byte(inbox)) != nil {
			return inboxes.DeleteBucket([]byte(inbox))
		}
		return nil
	})
	return n, err
}

// Follows returns every follow of followerID keyed by our actor id, reading
// the reverse index and then each forward record in one read transaction.
// An unknown follower has an empty map, not an error.
func (s *Store) Follows(ctx context.Context, followerID string) (map[string]store.Follower, error) {
	out := map[string]store.Follower{}
	err := s.view(ctx, fmt.Sprintf("list follows of %q", followerID), func(tx *bolt.Tx) error {
		rb := tx.Bucket([]byte(bucketFollowing)).Bucket([]byte(followerID))
		if rb == nil {
			return nil
		}
		followers := tx.Bucket([]byte(bucketFollowers))
		return rb.ForEach(func(k, _ []byte) error {
			fb := followers.Bucket(k)
			if fb == nil {
				return nil // an index entry without its record: skip it
			}
			v := fb.Get([]byte(followerID))
			if v == nil {
				return nil
			}
			var f store.Follower
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("decode follower of %q: %w", k, err)
			}
			out[string(k)] = f
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Followers pages through actorID's followers in follower-id order, starting
// after the follower id after.
func (s *Store) Followers(ctx context.Context, actorID, after string, limit int) ([]store.Follower, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []store.Follower
	err := s.view(ctx, fmt.Sprintf("list followers of %q", actorID), func(tx *bolt.Tx) error {
		fb := tx.Bucket([]byte(bucketFollowers)).Bucket([]byte(actorID))
		if fb == nil {
			return nil
		}
		c := fb.Cursor()
		k, v := c.First()
		if after != "" {
			k, v = c.Seek([]byte(after))
			if k != nil && string(k) == after {
				k, v = c.Next()
			}
		}
		for ; k != nil && len(out) < limit; k, v = c.Next() {
			var f store.Follower
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("decode follower %q: %w", k, err)
			}
			out = append(out, f)
		}
		return nil
	})
	return out, err
}

// CountFollowers returns how many followers actorID has.
func (s *Store) CountFollowers(ctx context.Context, actorID string) (int, error) {
	var n int
	err := s.view(ctx, fmt.Sprintf("count followers of %q", actorID), func(tx *bolt.Tx) error {
		if fb := tx.Bucket([]byte(bucketFollowers)).Bucket([]byte(actorID)); fb != nil {
			n = fb.Stats().KeyN
		}
		return nil
	})
	return n, err
}

// unfollow deletes the forward record and its inbox index entries (the
// reverse index is the caller's), dropping the actor's bucket once it is
// empty so departed actors leave nothing behind.
func unfollow(tx *bolt.Tx, actorID, followerID string) (bool, error) {
	followers := tx.Bucket([]byte(bucketFollowers))
	fb := followers.Bucket([]byte(actorID))
	if fb == nil {
		return false, nil
	}
	v := fb.Get([]byte(followerID))
	if v == nil {
		return false, nil
	}
	if err := unindexInboxes(tx, actorID, followerID, v); err != nil {
		return false, err
	}
	if err := fb.Delete([]byte(followerID)); err != nil {
		return false, err
	}
	return true, dropIfEmpty(followers, actorID)
}

// dropIfEmpty deletes the nested bucket name of parent when it has no keys.
func dropIfEmpty(parent *bolt.Bucket, name string) error {
	b := parent.Bucket([]byte(name))
	if b == nil {
		return nil
	}
	if k, _ := b.Cursor().First(); k != nil {
		return nil
	}
	return parent.DeleteBucket([]byte(name))
}

// inboxesOf lists the distinct non-empty inboxes of f.
func inboxesOf(f store.Follower) []string {
	var out []string
	if f.Inbox != "" {
		out = append(out, f.Inbox)
	}
	if f.SharedInbox != "" && f.SharedInbox != f.Inbox {
		out = append(out, f.SharedInbox)
	}
	return out
}

// usesInbox reports whether the JSON record v names inbox; an undecodable
// record counts as using it, so its index entry still removes it.
func usesInbox(v []byte, inbox string) bool {
	var f store.Follower
	if err := json.Unmarshal(v, &f); err != nil {
		return true
	}
	return f.Inbox == inbox || f.SharedInbox == inbox
}

// indexInboxes adds the inbox index entries of the follow (actorID, f).
func indexInboxes(tx *bolt.Tx, actorID string, f store.Follower) error {
	inboxes := tx.Bucket([]byte(bucketInboxes))
	k := pairKey(f.ID, actorID)
	for _, inbox := range inboxesOf(f) {
		ib, err := inboxes.CreateBucketIfNotExists([]byte(inbox))
		if err != nil {
			return err
		}
		if err := ib.Put(k, []byte{}); err != nil {
			return err
		}
	}
	return nil
}

// unindexInboxes removes the inbox index entries of the follow (actorID,
// followerID) whose stored JSON record is v, dropping emptied inbox buckets.
// An undecodable record has no entries to find, so it is left alone rather
// than blocking the write.
func unindexInboxes(tx *bolt.Tx, actorID, followerID string, v []byte) error {
	var f store.Follower
	if err := json.Unmarshal(v, &f); err != nil {
		return nil
	}
	inboxes := tx.Bucket([]byte(bucketInboxes))
	k := pairKey(followerID, actorID)
	for _, inbox := range inboxesOf(f) {
		ib := inboxes.Bucket([]byte(inbox))
		if ib == nil {
			continue // e.g. a follow stored before the index existed
		}
		if err := ib.Delete(k); err != nil {
			return err
		}
		if err := dropIfEmpty(inboxes, inbox); err != nil {
			return err
		}
	}
	return nil
}

// pairKey names one follow in an inbox bucket: the follower id's length as
// a uvarint, the follower id, then our actor id, so no two pairs collide
// whatever bytes the ids hold.
func pairKey(followerID, actorID string) []byte {
	k := binary.AppendUvarint(nil, uint64(len(followerID)))
	k = append(k, followerID...)
	return append(k, actorID...)
}

// splitPairKey undoes pairKey; ok is false for a malformed key.
func splitPairKey(k []byte) (followerID, actorID string, ok bool) {
	n, w := binary.Uvarint(k)
	if w <= 0 || n > uint64(len(k)-w) {
		return "", "", false
	}
	rest := k[w:]
	return string(rest[:n]), string(rest[n:]), true
}

// FollowedActors pages through the ids of our actors with at least one
// follower, in id order, starting after the actor id after. It seeks over
// the followers bucket's nested actor buckets, which unfollow drops once they
// are empty; an empty one left by older versions is skipped all the same.
func (s *Store) FollowedActors(ctx context.Context, after string, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []string
	err := s.view(ctx, "list followed actors", func(tx *bolt.Tx) error {
		followers := tx.Bucket([]byte(bucketFollowers))
		c := followers.Cursor()
		k, _ := c.First()
		if after != "" {
			k, _ = c.Seek([]byte(after))
			if k != nil && string(k) == after {
				k, _ = c.Next()
			}
		}
		for ; k != nil && len(out) < limit; k, _ = c.Next() {
			fb := followers.Bucket(k)
			if fb == nil {
				continue // not a nested bucket: nothing we wrote
			}
			if first, _ := fb.Cursor().First(); first == nil {
				continue
			}
			out = append(out, string(k))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
