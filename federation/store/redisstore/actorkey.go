package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/wikipub/wikipub/federation/store"
)

// createActorKeyLua sets KEYS[1] to ARGV[1] unless it exists (SETNX) and
// returns the value stored afterwards, in one step, so racing replicas all
// end up with the first writer's key.
const createActorKeyLua = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  return ARGV[1]
end
return redis.call('GET', KEYS[1])
`

// ActorKey returns actorID's private key PEM, or an error wrapping
// store.ErrNotFound.
func (s *Store) ActorKey(ctx context.Context, actorID string) ([]byte, error) {
	v, err := s.client.Get(ctx, s.keys.actorKey(actorID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("redisstore: actor key %q: %w", actorID, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: actor key %q: %w", actorID, err)
	}
	return v, nil
}

// CreateActorKey stores pem unless actorID already has a key, and returns the
// key stored afterwards.
func (s *Store) CreateActorKey(ctx context.Context, actorID string, pem []byte) ([]byte, error) {
	v, err := s.scripts.createActorKey.Run(ctx, s.client, []string{s.keys.actorKey(actorID)}, pem).Text()
	if err != nil {
		return nil, fmt.Errorf("redisstore: create actor key %q: %w", actorID, err)
	}
	return []byte(v), nil
}
