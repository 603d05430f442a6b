package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/wikipub/wikipub/federation/store"
)

// Cursor returns the named cursor, or an error wrapping store.ErrNotFound.
func (s *Store) Cursor(ctx context.Context, name string) ([]byte, error) {
	v, err := s.client.Get(ctx, s.keys.cursor(name)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("redisstore: cursor %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: cursor %q: %w", name, err)
	}
	return v, nil
}

// SetCursor replaces the named cursor.
func (s *Store) SetCursor(ctx context.Context, name string, value []byte) error {
	if err := s.client.Set(ctx, s.keys.cursor(name), value, 0).Err(); err != nil {
		return fmt.Errorf("redisstore: set cursor %q: %w", name, err)
	}
	return nil
}
