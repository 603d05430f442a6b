package boltstore

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wikipub/wikipub/federation/store"
)

// Claim hands out up to limit deliveries due at now, earliest first, and
// refiles them as due at now+lease so no other claimer sees them until the
// lease ends. It reads only the due entries, never the whole queue.
func (s *Store) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []store.Delivery
	err := s.update(ctx, fmt.Sprintf("claim up to %d deliveries", limit), func(tx *bolt.Tx) error {
		out = out[:0]
		due := tx.Bucket([]byte(bucketDue))
		cutoff := nanos(now)
		var keys [][]byte
		c := due.Cursor()
		for k, _ := c.First(); k != nil && len(keys) < limit; k, _ = c.Next() {
			if at, _ := splitTimeKey(k); at > cutoff {
				break
			}
			keys = append(keys, clone(k))
		}
		until := nanos(now.Add(lease))
		for _, k := range keys {
			_, id := splitTimeKey(k)
			rec, ok, err := getRecord(tx, id)
			if err != nil {
				return err
			}
			if !ok {
				// An index entry without its delivery: drop it.
				if err := due.Delete(k); err != nil {
					return err
				}
				continue
			}
			if err := deleteRecord(tx, rec); err != nil {
				return err
			}
			rec.Due = until
			if err := putRecord(tx, rec); err != nil {
				return err
			}
			out = append(out, rec.Delivery)
		}
		return purgeSeen(tx, s.now(), s.cfg.purgeBatch)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
