package boltstore

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/wikipub/wikipub/federation/store"
)

// Cursor returns the named cursor, or an error wrapping store.ErrNotFound.
func (s *Store) Cursor(ctx context.Context, name string) ([]byte, error) {
	var out []byte
	err := s.view(ctx, fmt.Sprintf("cursor %q", name), func(tx *bolt.Tx) error {
		v := tx.Bucket([]byte(bucketCursors)).Get([]byte(name))
		if v == nil {
			return store.ErrNotFound
		}
		out = clone(v)
		return nil
	})
	return out, err
}

// SetCursor durably replaces the named cursor.
func (s *Store) SetCursor(ctx context.Context, name string, value []byte) error {
	return s.update(ctx, fmt.Sprintf("set cursor %q", name), func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketCursors)).Put([]byte(name), nonNil(value))
	})
}

// nonNil turns a nil value into an empty one, which bbolt stores as present.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
