package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/wikipub/wikipub/federation/store"
)

// The queue is one hash per delivery plus the sorted set due of delivery ids
// scored by when each is next due: its NextAttempt, or the end of its lease
// while claimed. Claim pops from due by score, never scanning the queue.
// The sorted set queue-ids holds the same ids all scored 0, so that
// QueuedDeliveries pages the queue in id order; Enqueue, Ack and Claim keep it
// in step with due, and QueuedDeliveries fills it from due once for
// deliveries queued before it existed.
//
// Durability: a write is acknowledged once Redis has applied it; surviving a
// Redis crash (not just a restart) needs appendonly yes with appendfsync
// always on the server.

// enqueueStride is how many ARGV items enqueueLua takes per delivery.
const enqueueStride = 9

// enqueueLua: KEYS[1] = due, KEYS[2] = queue-ids, KEYS[3..] = one hash per
// delivery; ARGV holds
// enqueueStride items per delivery: id, inbox, signer, body, attempts, next,
// error, created, due score. A delivery whose hash exists is skipped, so a
// replayed Enqueue keeps the first copy. Returns how many were added.
const enqueueLua = `
local n = 0
for i = 3, #KEYS do
  local b = (i - 3) * 9
  if redis.call('EXISTS', KEYS[i]) == 0 then
    redis.call('HSET', KEYS[i],
      'id', ARGV[b+1], 'inbox', ARGV[b+2], 'signer', ARGV[b+3], 'body', ARGV[b+4],
      'attempts', ARGV[b+5], 'next', ARGV[b+6], 'error', ARGV[b+7], 'created', ARGV[b+8])
    redis.call('ZADD', KEYS[1], ARGV[b+9], ARGV[b+1])
    redis.call('ZADD', KEYS[2], 0, ARGV[b+1])
    n = n + 1
  end
end
return n
`

// rescheduleLua: KEYS = due, delivery hash; ARGV = id, attempts, next, error,
// due score. Returns 0 when the delivery is no longer queued.
const rescheduleLua = `
if redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
redis.call('HSET', KEYS[2], 'attempts', ARGV[2], 'next', ARGV[3], 'error', ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
return 1
`

// queuedDeliveriesLua: KEYS = due, queue-ids, queue-ids-built; ARGV =
// ZRANGEBYLEX min, limit, delivery key prefix. It first fills queue-ids from
// due if that was never done, then returns the hashes (HGETALL replies) of up
// to limit deliveries in id order, changing nothing else: nothing is claimed.
// An id whose hash is gone is dropped from queue-ids, so a page is empty only
// at the end. Like claimLua it builds keys, relying on the {prefix} hash tag.
const queuedDeliveriesLua = `
if redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('ZUNIONSTORE', KEYS[2], 2, KEYS[2], KEYS[1], 'WEIGHTS', 1, 0, 'AGGREGATE', 'MIN')
  redis.call('SET', KEYS[3], '1')
end
local limit = tonumber(ARGV[2])
local from = ARGV[1]
local out = {}
while #out < limit do
  local ids = redis.call('ZRANGEBYLEX', KEYS[2], from, '+', 'LIMIT', 0, limit - #out)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    local h = redis.call('HGETALL', ARGV[3] .. id)
    if #h == 0 then
      redis.call('ZREM', KEYS[2], id)
    else
      out[#out + 1] = h
    end
  end
  from = '(' .. ids[#ids]
end
return out
`

// Enqueue adds ds in one atomic script; a delivery whose ID is already queued
// is left untouched.
func (s *Store) Enqueue(ctx context.Context, ds ...store.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	now := time.Now()
	keys := make([]string, 0, 2+len(ds))
	keys = append(keys, s.keys.due(), s.keys.queueIDs())
	args := make([]any, 0, enqueueStride*len(ds))
	for _, d := range ds {
		d = d.Prepared(now)
		keys = append(keys, s.keys.delivery(d.ID))
		args = append(args, d.ID, d.Inbox, d.Signer, d.Body, d.Attempts,
			nanosString(d.NextAttempt), d.LastError, nanosString(d.Created), score(d.NextAttempt))
	}
	if err := s.scripts.enqueue.Run(ctx, s.client, keys, args...).Err(); err != nil {
		return fmt.Errorf("redisstore: enqueue %d deliveries: %w", len(ds), err)
	}
	return nil
}

// Ack removes delivery id and its index entries in one MULTI; an absent one is not
// an error.
func (s *Store) Ack(ctx context.Context, id string) error {
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, s.keys.due(), id)
		p.ZRem(ctx, s.keys.queueIDs(), id)
		p.Del(ctx, s.keys.delivery(id))
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: ack delivery %q: %w", id, err)
	}
	return nil
}

// ackChunk bounds how many ids one command of AckMany's MULTI carries, so a
// large acknowledgement does not build one huge command.
const ackChunk = 512

// AckMany removes every delivery in ids and their index entries in one
// MULTI, so they leave the queue in one step; absent ids are skipped.
func (s *Store) AckMany(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for start := 0; start < len(ids); start += ackChunk {
			chunk := ids[start:min(start+ackChunk, len(ids))]
			members := make([]any, len(chunk))
			keys := make([]string, len(chunk))
			for i, id := range chunk {
				members[i] = id
				keys[i] = s.keys.delivery(id)
			}
			p.ZRem(ctx, s.keys.due(), members...)
			p.ZRem(ctx, s.keys.queueIDs(), members...)
			p.Del(ctx, keys...)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: ack %d deliveries: %w", len(ids), err)
	}
	return nil
}

// Reschedule stores d's Attempts, NextAttempt and LastError and makes it due
// at NextAttempt; it fails with store.ErrNotFound when d is not queued.
func (s *Store) Reschedule(ctx context.Context, d store.Delivery) error {
	if d.NextAttempt.IsZero() {
		d.NextAttempt = time.Now()
	}
	keys := []string{s.keys.due(), s.keys.delivery(d.ID)}
	n, err := s.scripts.reschedule.Run(ctx, s.client, keys, d.ID, strconv.Itoa(d.Attempts),
		nanosString(d.NextAttempt), d.LastError, score(d.NextAttempt)).Int()
	if err != nil {
		return fmt.Errorf("redisstore: reschedule delivery %q: %w", d.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: reschedule delivery %q: %w", d.ID, store.ErrNotFound)
	}
	return nil
}

// QueueLen returns how many deliveries are queued, claimed or not.
func (s *Store) QueueLen(ctx context.Context) (int, error) {
	n, err := s.client.ZCard(ctx, s.keys.due()).Result()
	if err != nil {
		return 0, fmt.Errorf("redisstore: queue length: %w", err)
	}
	return int(n), nil
}

// QueuedDeliveries pages through the queue in delivery-id order, due or not
// and claimed or not, starting after the delivery id after, without claiming
// anything.
func (s *Store) QueuedDeliveries(ctx context.Context, after string, limit int) ([]store.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	from := "-"
	if after != "" {
		from = "(" + after
	}
	keys := []string{s.keys.due(), s.keys.queueIDs(), s.keys.queueIDsBuilt()}
	res, err := s.scripts.queuedDeliveries.Run(ctx, s.client, keys, from, limit, s.keys.deliveryPrefix()).Slice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: list queued deliveries: %w", err)
	}
	out := make([]store.Delivery, 0, len(res))
	for _, r := range res {
		flat, ok := r.([]any)
		if !ok {
			return nil, fmt.Errorf("redisstore: list queued deliveries: unexpected reply item %T", r)
		}
		d, err := decodeDelivery(flat)
		if err != nil {
			return nil, fmt.Errorf("redisstore: list queued deliveries: decode %w", err)
		}
		out = append(out, d)
	}
	return out, nil
}
