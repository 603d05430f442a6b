package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// claimLua: KEYS = due, queue-ids; ARGV = now score, limit, lease-end
// score, delivery key prefix. It takes the due ids earliest first, re-scores each to the end
// of the lease and returns their hashes (HGETALL replies), all in one step,
// so two claimers never get the same delivery. It reads delivery hashes by
// keys it builds, which Redis Cluster allows only because every key shares
// the {prefix} hash tag. An id whose hash is gone is dropped from due and
// queue-ids.
const claimLua = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
for _, id in ipairs(ids) do
  local h = redis.call('HGETALL', ARGV[4] .. id)
  if #h == 0 then
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
  else
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    out[#out + 1] = h
  end
end
return out
`

// Claim hands out up to limit deliveries due at now, earliest first, and
// hides them from every other claimer, in any process, until now+lease.
func (s *Store) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	res, err := s.scripts.claim.Run(ctx, s.client, []string{s.keys.due(), s.keys.queueIDs()},
		score(now), limit, score(now.Add(lease)), s.keys.deliveryPrefix()).Slice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: claim up to %d deliveries: %w", limit, err)
	}
	out := make([]store.Delivery, 0, len(res))
	for _, r := range res {
		flat, ok := r.([]any)
		if !ok {
			return nil, fmt.Errorf("redisstore: claim: unexpected reply item %T", r)
		}
		d, err := decodeDelivery(flat)
		if err != nil {
			return nil, fmt.Errorf("redisstore: claim: decode %w", err)
		}
		out = append(out, d)
	}
	return out, nil
}
