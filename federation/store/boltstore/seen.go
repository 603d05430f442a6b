package boltstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Seen marks expire lazily: a mark past its expiry counts as absent. So that
// the buckets do not grow without bound, MarkSeen and Claim also purge a
// bounded batch of expired marks through the seenexp index, oldest first.

// MarkSeen records activityID for ttl; first is false when a live mark for it
// already exists.
func (s *Store) MarkSeen(ctx context.Context, activityID string, ttl time.Duration) (bool, error) {
	what := fmt.Sprintf("mark seen %q", activityID)
	if ttl <= 0 {
		return false, fmt.Errorf("boltstore: %s: ttl %v is not positive", what, ttl)
	}
	var first bool
	err := s.update(ctx, what, func(tx *bolt.Tx) error {
		now := s.now()
		seen, exp := tx.Bucket([]byte(bucketSeen)), tx.Bucket([]byte(bucketSeenExp))
		if v := seen.Get([]byte(activityID)); v != nil {
			old := decodeUint64(v)
			if old > nanos(now) {
				return nil
			}
			if err := exp.Delete(timeKey(old, activityID)); err != nil {
				return err
			}
		}
		first = true
		until := nanos(now.Add(ttl))
		if err := seen.Put([]byte(activityID), encodeUint64(until)); err != nil {
			return err
		}
		if err := exp.Put(timeKey(until, activityID), []byte{}); err != nil {
			return err
		}
		return purgeSeen(tx, now, s.cfg.purgeBatch)
	})
	return first, err
}

// purgeSeen deletes up to max seen marks that expired by now.
func purgeSeen(tx *bolt.Tx, now time.Time, max int) error {
	seen, exp := tx.Bucket([]byte(bucketSeen)), tx.Bucket([]byte(bucketSeenExp))
	limit := nanos(now)
	var keys [][]byte
	c := exp.Cursor()
	for k, _ := c.First(); k != nil && len(keys) < max; k, _ = c.Next() {
		if until, _ := splitTimeKey(k); until > limit {
			break
		}
		keys = append(keys, clone(k))
	}
	var errs []error
	for _, k := range keys {
		until, id := splitTimeKey(k)
		errs = append(errs, exp.Delete(k))
		// Only drop the mark this index entry describes; a renewed mark has
		// its own, later index entry.
		if decodeUint64(seen.Get([]byte(id))) == until {
			errs = append(errs, seen.Delete([]byte(id)))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("purge expired seen marks: %w", err)
	}
	return nil
}

// ForgetSeen removes a mark, so that an activity whose handling failed is
// handled when its sender retries.
func (s *Store) ForgetSeen(ctx context.Context, activityID string) error {
	return s.update(ctx, fmt.Sprintf("forget seen %q", activityID), func(tx *bolt.Tx) error {
		seen, exp := tx.Bucket([]byte(bucketSeen)), tx.Bucket([]byte(bucketSeenExp))
		v := seen.Get([]byte(activityID))
		if v == nil {
			return nil
		}
		if err := exp.Delete(timeKey(decodeUint64(v), activityID)); err != nil {
			return err
		}
		return seen.Delete([]byte(activityID))
	})
}
