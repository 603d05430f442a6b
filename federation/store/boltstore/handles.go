package boltstore

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/wikipub/wikipub/federation/store"
)

// Handles are first-claimer-wins: the handles bucket maps each handle to the
// owner that claimed it first, and an entry is never overwritten, so a handle
// once shown keeps naming the same actor.

// ClaimHandle gives handle to owner unless another owner has it, and returns
// the owner afterwards; the check and the write share one transaction, so of
// racing claimers exactly one wins and all of them see that one.
func (s *Store) ClaimHandle(ctx context.Context, handle, owner string) (string, error) {
	what := fmt.Sprintf("claim handle %q for %q", handle, owner)
	if err := checkHandleClaim(handle, owner); err != nil {
		return "", fmt.Errorf("boltstore: %s: %w", what, err)
	}
	var out string
	err := s.update(ctx, what, func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucketHandles))
		if v := b.Get([]byte(handle)); v != nil {
			out = string(v)
			return nil
		}
		out = owner
		return b.Put([]byte(handle), []byte(owner))
	})
	if err != nil {
		return "", err
	}
	return out, nil
}

// HandleOwner returns who has handle, or an error wrapping store.ErrNotFound.
func (s *Store) HandleOwner(ctx context.Context, handle string) (string, error) {
	var out string
	err := s.view(ctx, fmt.Sprintf("handle owner %q", handle), func(tx *bolt.Tx) error {
		v := tx.Bucket([]byte(bucketHandles)).Get([]byte(handle))
		if v == nil {
			return store.ErrNotFound
		}
		out = string(v)
		return nil
	})
	return out, err
}

// checkHandleClaim refuses an empty handle or owner: bbolt cannot store an
// empty key, and an empty owner could not be told from no owner, so both
// backends refuse them alike.
func checkHandleClaim(handle, owner string) error {
	switch {
	case handle == "":
		return errors.New("empty handle")
	case owner == "":
		return errors.New("empty owner")
	}
	return nil
}
