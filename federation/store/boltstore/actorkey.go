package boltstore

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/wikipub/wikipub/federation/store"
)

// ActorKey returns actorID's private key PEM, or an error wrapping
// store.ErrNotFound.
func (s *Store) ActorKey(ctx context.Context, actorID string) ([]byte, error) {
	var out []byte
	err := s.view(ctx, fmt.Sprintf("actor key %q", actorID), func(tx *bolt.Tx) error {
		v := tx.Bucket([]byte(bucketKeys)).Get([]byte(actorID))
		if v == nil {
			return store.ErrNotFound
		}
		out = clone(v)
		return nil
	})
	return out, err
}

// CreateActorKey stores pem unless actorID already has a key, and returns the
// key stored afterwards; the check and the write share one transaction.
func (s *Store) CreateActorKey(ctx context.Context, actorID string, pem []byte) ([]byte, error) {
	var out []byte
	err := s.update(ctx, fmt.Sprintf("create actor key %q", actorID), func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketKeys))
		if v := b.Get([]byte(actorID)); v != nil {
			out = clone(v)
			return nil
		}
		out = clone(nonNil(pem))
		return b.Put([]byte(actorID), out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
