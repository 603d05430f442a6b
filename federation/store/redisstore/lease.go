package redisstore

import (
	"context"
	"fmt"
	"time"
)

// acquireLeaseLua: KEYS[1] = lease key; ARGV = holder, ttl ms. It takes a free
// lease (SET NX PX) or renews one the holder already has, atomically; returns
// 1 on success, 0 while another holder's lease is live.
const acquireLeaseLua = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`

// releaseLeaseLua: KEYS[1] = lease key; ARGV[1] = holder. It deletes the
// lease only if holder has it, so a late release cannot end a successor's.
const releaseLeaseLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`

// AcquireLease takes or renews the named lease for holder until ttl from now,
// measured by Redis's clock; it returns false while another holder's lease is
// live.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("redisstore: acquire lease %q for %q: ttl %v is not positive", name, holder, ttl)
	}
	n, err := s.scripts.acquireLease.Run(ctx, s.client, []string{s.keys.lease(name)}, holder, ceilMillis(ttl).Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("redisstore: acquire lease %q for %q: %w", name, holder, err)
	}
	return n == 1, nil
}

// ReleaseLease gives the named lease up if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if err := s.scripts.releaseLease.Run(ctx, s.client, []string{s.keys.lease(name)}, holder).Err(); err != nil {
		return fmt.Errorf("redisstore: release lease %q for %q: %w", name, holder, err)
	}
	return nil
}
