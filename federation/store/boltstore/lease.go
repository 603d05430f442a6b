package boltstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// lease is the stored form of a named lease: who holds it until when.
type lease struct {
	Holder  string    `json:"holder"`
	Expires time.Time `json:"expires"`
}

// AcquireLease takes or renews the named lease for holder until ttl from now;
// it returns false while another holder's lease is live.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	what := fmt.Sprintf("acquire lease %q for %q", name, holder)
	if ttl <= 0 {
		return false, fmt.Errorf("boltstore: %s: ttl %v is not positive", what, ttl)
	}
	var ok bool
	err := s.update(ctx, what, func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketLeases))
		now := s.now()
		if v := b.Get([]byte(name)); v != nil {
			var cur lease
			if err := json.Unmarshal(v, &cur); err != nil {
				return fmt.Errorf("decode lease: %w", err)
			}
			if cur.Holder != holder && now.Before(cur.Expires) {
				return nil
			}
		}
		v, err := json.Marshal(lease{Holder: holder, Expires: now.Add(ttl)})
		if err != nil {
			return fmt.Errorf("encode lease: %w", err)
		}
		ok = true
		return b.Put([]byte(name), v)
	})
	return ok, err
}

// ReleaseLease gives the named lease up if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return s.update(ctx, fmt.Sprintf("release lease %q for %q", name, holder), func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketLeases))
		v := b.Get([]byte(name))
		if v == nil {
			return nil
		}
		var cur lease
		if err := json.Unmarshal(v, &cur); err != nil {
			return fmt.Errorf("decode lease: %w", err)
		}
		if cur.Holder != holder {
			return nil
		}
		return b.Delete([]byte(name))
	})
}
