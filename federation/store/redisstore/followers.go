package redisstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wikipub/wikipub/federation/store"
)

// An actor's followers are a sorted set of ids (all scored 0, so ZRANGEBYLEX
// pages them in id order) plus a hash of id → JSON record; the reverse index
// following:<follower> lists the actors a follower follows, so
// RemoveFollowerEverywhere needs no SCAN, and inbox:<inbox> lists the follows
// whose record names that inbox as its Inbox or SharedInbox, so
// RemoveFollowersByInbox needs none either. The inbox index is kept per
// follow (actor, follower), not per follower, because each follow has its own
// record and refreshing it through one actor leaves the others as they were.
// The scripts keep all four in step; they read a record's inboxes with cjson,
// so the index always matches what is stored. They also keep the sorted set
// followed-actors, the ids of our actors with at least one follower, for
// FollowedActors: an actor goes in with its first follower and out when a
// removal leaves its ids zset empty.
//
// Follows stored before the followed-actors index existed are not in it, so
// FollowedActors misses an actor none of whose follows was added or
// refreshed since; listing them would take a SCAN of the whole keyspace,
// which this store never does.
//
// Follows stored before the inbox index existed have no entries in it, so
// RemoveFollowersByInbox misses them until AddFollower next refreshes their
// record; that is accepted rather than migrated.

// followLuaLib is prepended to the scripts that touch the inbox index.
// member names one follow in an inbox set: the actor id's length, ":", the
// actor id, then the follower id, so no two pairs collide; split undoes it.
// inboxes lists a JSON record's distinct non-empty inboxes (none when it
// cannot be decoded); unindex removes a follow's entries given its record.
const followLuaLib = `
local function member(actor, follower)
  return string.len(actor) .. ':' .. actor .. follower
end
local function split(m)
  local c = string.find(m, ':', 1, true)
  local n = c and tonumber(string.sub(m, 1, c - 1))
  if not n then return nil end
  return string.sub(m, c + 1, c + n), string.sub(m, c + n + 1)
end
local function inboxes(json)
  local out = {}
  local ok, rec = pcall(cjson.decode, json)
  if not ok or type(rec) ~= 'table' then return out end
  local a, b = rec['Inbox'], rec['SharedInbox']
  if type(a) == 'string' and a ~= '' then out[#out + 1] = a end
  if type(b) == 'string' and b ~= '' and b ~= a then out[#out + 1] = b end
  return out
end
local function unindex(prefix, actor, follower, json)
  if not json then return end
  local m = member(actor, follower)
  for _, inbox in ipairs(inboxes(json)) do
    redis.call('SREM', prefix .. inbox, m)
  end
end
`

// addFollowerLua: KEYS = ids zset, data hash, reverse set, followed-actors
// zset; ARGV = follower id, JSON, actor id, inbox-set key prefix. A refreshed
// record's old inboxes are unindexed before its new ones are indexed.
// Returns 1 when the follow is new.
const addFollowerLua = followLuaLib + `
unindex(ARGV[4], ARGV[3], ARGV[1], redis.call('HGET', KEYS[2], ARGV[1]))
redis.call('ZADD', KEYS[1], 0, ARGV[1])
local added = redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('ZADD', KEYS[4], 0, ARGV[3])
local m = member(ARGV[3], ARGV[1])
for _, inbox in ipairs(inboxes(ARGV[2])) do
  redis.call('SADD', ARGV[4] .. inbox, m)
end
return added
`

// removeFollowerLua: KEYS as addFollowerLua; ARGV = follower id, actor id,
// inbox-set key prefix. The actor leaves followed-actors with its last
// follower. Returns 1 when a follow was removed.
const removeFollowerLua = followLuaLib + `
unindex(ARGV[3], ARGV[2], ARGV[1], redis.call('HGET', KEYS[2], ARGV[1]))
local removed = redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[2])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[4], ARGV[2])
end
return removed
`

// removeEverywhereLua: KEYS = reverse set, followed-actors zset; ARGV =
// follower id, ids-zset key prefix, data-hash key prefix, inbox-set key
// prefix. An actor left without followers leaves followed-actors. It touches keys it
// builds from the reverse index, which Redis Cluster allows only because
// every key shares the {prefix} hash tag. Returns how many follows were
// removed.
const removeEverywhereLua = followLuaLib + `
local n = 0
for _, actor in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  unindex(ARGV[4], actor, ARGV[1], redis.call('HGET', ARGV[3] .. actor, ARGV[1]))
  n = n + redis.call('HDEL', ARGV[3] .. actor, ARGV[1])
  redis.call('ZREM', ARGV[2] .. actor, ARGV[1])
  if redis.call('ZCARD', ARGV[2] .. actor) == 0 then
    redis.call('ZREM', KEYS[2], actor)
  end
end
redis.call('DEL', KEYS[1])
return n
`

// removeByInboxLua: KEYS = inbox set, followed-actors zset; ARGV = inbox,
// ids-zset key prefix, data-hash key prefix, reverse-set key prefix,
// inbox-set key prefix. An actor left without followers leaves
// followed-actors. Like
// removeEverywhereLua it builds keys from an index, relying on the shared
// {prefix} hash tag. A member whose record is gone or no longer names the
// inbox is stale and only dropped (an undecodable record is removed, since
// the index says it used the inbox). Returns how many follows were removed.
const removeByInboxLua = followLuaLib + `
local n = 0
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local actor, follower = split(m)
  if actor then
    local data = ARGV[3] .. actor
    local v = redis.call('HGET', data, follower)
    local uses = false
    if v then
      local ok, rec = pcall(cjson.decode, v)
      uses = not ok or type(rec) ~= 'table' or rec['Inbox'] == ARGV[1] or rec['SharedInbox'] == ARGV[1]
    end
    if uses then
      unindex(ARGV[5], actor, follower, v)
      n = n + redis.call('HDEL', data, follower)
      redis.call('ZREM', ARGV[2] .. actor, follower)
      redis.call('SREM', ARGV[4] .. follower, actor)
      if redis.call('ZCARD', ARGV[2] .. actor) == 0 then
        redis.call('ZREM', KEYS[2], actor)
      end
    end
  end
end
redis.call('DEL', KEYS[1])
return n
`

// followersPageLua: KEYS = ids zset, data hash; ARGV = ZRANGEBYLEX min, limit.
// Returns the JSON records of one page, read in one consistent step.
const followersPageLua = `
local ids = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], '+', 'LIMIT', 0, ARGV[2])
local out = {}
for i, id in ipairs(ids) do
  out[i] = redis.call('HGET', KEYS[2], id)
end
return out
`

// followedActorsLua: KEYS[1] = followed-actors zset; ARGV = ZRANGEBYLEX
// min, limit, ids-zset key prefix. Returns up to limit actor ids in id order
// whose ids zset is not empty, dropping any index entry that is (one an older
// replica left behind), so a page is empty only at the end. Like
// removeEverywhereLua it builds keys, relying on the shared {prefix} hash tag.
const followedActorsLua = `
local limit = tonumber(ARGV[2])
local from = ARGV[1]
local out = {}
while #out < limit do
  local ids = redis.call('ZRANGEBYLEX', KEYS[1], from, '+', 'LIMIT', 0, limit - #out)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    if redis.call('ZCARD', ARGV[3] .. id) > 0 then
      out[#out + 1] = id
    else
      redis.call('ZREM', KEYS[1], id)
    end
  end
  from = '(' .. ids[#ids]
end
return out
`

// followsLua: KEYS[1] = reverse set; ARGV = follower id, data-hash key
// prefix. Returns actor id, JSON pairs for every follow of the follower, read
// in one consistent step; like removeEverywhereLua it builds keys from the
// reverse index, relying on the shared {prefix} hash tag. An actor whose
// record is gone is skipped.
const followsLua = `
local out = {}
for _, actor in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local v = redis.call('HGET', ARGV[2] .. actor, ARGV[1])
  if v then
    out[#out + 1] = actor
    out[#out + 1] = v
  end
end
return out
`

// AddFollower records f as following actorID; added is false when it already
// did, in which case the record is refreshed.
func (s *Store) AddFollower(ctx context.Context, actorID string, f store.Follower) (bool, error) {
	v, err := json.Marshal(f)
	if err != nil {
		return false, fmt.Errorf("redisstore: encode follower %q: %w", f.ID, err)
	}
	n, err := s.scripts.addFollower.Run(ctx, s.client, s.followKeys(actorID, f.ID),
		f.ID, v, actorID, s.keys.inboxFollowsPrefix()).Int()
	if err != nil {
		return false, fmt.Errorf("redisstore: add follower %q to %q: %w", f.ID, actorID, err)
	}
	return n == 1, nil
}

// RemoveFollower removes one follow; removed is false when there was none.
func (s *Store) RemoveFollower(ctx context.Context, actorID, followerID string) (bool, error) {
	n, err := s.scripts.removeFollower.Run(ctx, s.client, s.followKeys(actorID, followerID),
		followerID, actorID, s.keys.inboxFollowsPrefix()).Int()
	if err != nil {
		return false, fmt.Errorf("redisstore: remove follower %q from %q: %w", followerID, actorID, err)
	}
	return n == 1, nil
}

// RemoveFollowerEverywhere removes followerID from every actor it follows.
func (s *Store) RemoveFollowerEverywhere(ctx context.Context, followerID string) (int, error) {
	n, err := s.scripts.removeEverywhere.Run(ctx, s.client, []string{s.keys.following(followerID), s.keys.followedActors()},
		followerID, s.keys.followerIDsPrefix(), s.keys.followerDataPrefix(), s.keys.inboxFollowsPrefix()).Int()
	if err != nil {
		return 0, fmt.Errorf("redisstore: remove follower %q everywhere: %w", followerID, err)
	}
	return n, nil
}

// RemoveFollowersByInbox removes every follow whose record names inbox as its
// Inbox or SharedInbox, walking only that inbox's index. Follows stored
// before the inbox index existed are not found (see the top of this file).
func (s *Store) RemoveFollowersByInbox(ctx context.Context, inbox string) (int, error) {
	if inbox == "" {
		return 0, nil // empty inboxes are never indexed
	}
	n, err := s.scripts.removeByInbox.Run(ctx, s.client, []string{s.keys.inboxFollows(inbox), s.keys.followedActors()},
		inbox, s.keys.followerIDsPrefix(), s.keys.followerDataPrefix(), s.keys.followingPrefix(),
		s.keys.inboxFollowsPrefix()).Int()
	if err != nil {
		return 0, fmt.Errorf("redisstore: remove followers by inbox %q: %w", inbox, err)
	}
	return n, nil
}

// Followers pages through actorID's followers in follower-id order, starting
// after the follower id after.
func (s *Store) Followers(ctx context.Context, actorID, after string, limit int) ([]store.Follower, error) {
	if limit <= 0 {
		return nil, nil
	}
	from := "-" // ZRANGEBYLEX: "-" is the lowest id, "(x" excludes x
	if after != "" {
		from = "(" + after
	}
	keys := []string{s.keys.followerIDs(actorID), s.keys.followerData(actorID)}
	vals, err := s.scripts.followersPage.Run(ctx, s.client, keys, from, limit).Slice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: list followers of %q: %w", actorID, err)
	}
	out := make([]store.Follower, 0, len(vals))
	for _, v := range vals {
		raw, ok := v.(string)
		if !ok {
			continue // an id without a record: skip it rather than fail the page
		}
		var f store.Follower
		if err := json.Unmarshal([]byte(raw), &f); err != nil {
			return nil, fmt.Errorf("redisstore: decode follower of %q: %w", actorID, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// Follows returns every follow of followerID keyed by our actor id; an
// unknown follower has an empty map, not an error.
func (s *Store) Follows(ctx context.Context, followerID string) (map[string]store.Follower, error) {
	vals, err := s.scripts.follows.Run(ctx, s.client, []string{s.keys.following(followerID)},
		followerID, s.keys.followerDataPrefix()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: list follows of %q: %w", followerID, err)
	}
	if len(vals)%2 != 0 {
		return nil, fmt.Errorf("redisstore: list follows of %q: odd reply of %d items", followerID, len(vals))
	}
	out := make(map[string]store.Follower, len(vals)/2)
	for i := 0; i < len(vals); i += 2 {
		var f store.Follower
		if err := json.Unmarshal([]byte(vals[i+1]), &f); err != nil {
			return nil, fmt.Errorf("redisstore: decode follower %q of %q: %w", followerID, vals[i], err)
		}
		out[vals[i]] = f
	}
	return out, nil
}

// FollowedActors pages through the ids of our actors with at least one
// follower, in id order, starting after the actor id after, from the
// followed-actors index (see the top of this file for what it misses).
func (s *Store) FollowedActors(ctx context.Context, after string, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	from := "-"
	if after != "" {
		from = "(" + after
	}
	ids, err := s.scripts.followedActors.Run(ctx, s.client, []string{s.keys.followedActors()},
		from, limit, s.keys.followerIDsPrefix()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: list followed actors: %w", err)
	}
	return ids, nil
}

// CountFollowers returns how many followers actorID has.
func (s *Store) CountFollowers(ctx context.Context, actorID string) (int, error) {
	n, err := s.client.ZCard(ctx, s.keys.followerIDs(actorID)).Result()
	if err != nil {
		return 0, fmt.Errorf("redisstore: count followers of %q: %w", actorID, err)
	}
	return int(n), nil
}

// followKeys are the four keys one follow touches.
func (s *Store) followKeys(actorID, followerID string) []string {
	return []string{s.keys.followerIDs(actorID), s.keys.followerData(actorID), s.keys.following(followerID),
		s.keys.followedActors()}
}
