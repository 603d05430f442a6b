package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/wikipub/wikipub/federation/store"
)

// claimHandleLua: KEYS[1] = handle key; ARGV[1] = owner. It sets the owner
// unless the handle has one (SET NX) and returns the owner afterwards, in one
// step, so of replicas racing for a handle exactly one wins and all of them
// see that one. The key has no TTL and is never overwritten, so a handle once
// shown keeps naming the same actor.
const claimHandleLua = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  return ARGV[1]
end
return redis.call('GET', KEYS[1])
`

// ClaimHandle gives handle to owner unless another owner has it, and returns
// the owner afterwards.
func (s *Store) ClaimHandle(ctx context.Context, handle, owner string) (string, error) {
	if err := checkHandleClaim(handle, owner); err != nil {
		return "", fmt.Errorf("redisstore: claim handle %q for %q: %w", handle, owner, err)
	}
	v, err := s.scripts.claimHandle.Run(ctx, s.client, []string{s.keys.handle(handle)}, owner).Text()
	if err != nil {
		return "", fmt.Errorf("redisstore: claim handle %q for %q: %w", handle, owner, err)
	}
	return v, nil
}

// HandleOwner returns who has handle, or an error wrapping store.ErrNotFound.
func (s *Store) HandleOwner(ctx context.Context, handle string) (string, error) {
	v, err := s.client.Get(ctx, s.keys.handle(handle)).Result()
	if errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("redisstore: handle owner %q: %w", handle, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("redisstore: handle owner %q: %w", handle, err)
	}
	return v, nil
}

// checkHandleClaim refuses an empty handle or owner, as boltstore does (it
// cannot store an empty key), and because an empty owner could not be told
// from no owner.
func checkHandleClaim(handle, owner string) error {
	switch {
	case handle == "":
		return errors.New("empty handle")
	case owner == "":
		return errors.New("empty owner")
	}
	return nil
}
