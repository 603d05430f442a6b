package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/wikipub/wikipub/federation/store"
)

// An interaction is a hash interaction:<id> with its JSON record, the key and
// member of the list it is filed in, and, while its TalkState is pending, its
// member in interactions-due. The list interactions:<kind>:<object> holds one
// object's interactions of one kind, so its ZCARD is their count; its members
// are Published as 16 hex digits of Unix nanoseconds followed by the id, and
// interactions-due's are Due followed by the id, all scored 0, so member
// order is (time, id) order at nanosecond precision, as for published posts
// and as in boltstore. The hash keeps the list key and members so a replace
// or removal can remove the entries it supersedes without parsing the JSON
// in Lua.

// talkPending is the TalkState of an interaction waiting for the talk-page
// writer; only those are filed in interactions-due.
const talkPending = "pending"

// addInteractionLua: KEYS = interaction hash, new list set, due set; ARGV =
// JSON record, list member, due member ("" unless pending). It removes the
// entries the previous record was filed under, from the list its hash names
// (a key read in the script, which Redis Cluster allows only because every
// key shares the {prefix} hash tag), then stores and files the new one, in
// one step. Returns 1 when the interaction is new.
const addInteractionLua = `
local old = redis.call('HMGET', KEYS[1], 'list', 'member', 'due')
if old[1] and old[2] then
  redis.call('ZREM', old[1], old[2])
end
if old[3] then
  redis.call('ZREM', KEYS[3], old[3])
end
local added = redis.call('HSET', KEYS[1], 'record', ARGV[1], 'list', KEYS[2], 'member', ARGV[2])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'due', ARGV[3])
  redis.call('ZADD', KEYS[3], 0, ARGV[3])
else
  redis.call('HDEL', KEYS[1], 'due')
end
if added > 0 then
  return 1
end
return 0
`

// removeInteractionLua: KEYS = interaction hash, due set. It removes the
// record and the entries it was filed under, in one step.
const removeInteractionLua = `
local old = redis.call('HMGET', KEYS[1], 'list', 'member', 'due')
if old[1] and old[2] then
  redis.call('ZREM', old[1], old[2])
end
if old[3] then
  redis.call('ZREM', KEYS[2], old[3])
end
redis.call('DEL', KEYS[1])
return 1
`

// interactionsLua: KEYS[1] = list set; ARGV = id to continue after ("" for
// none), limit, interaction-hash key prefix. The page starts just past the
// member the after interaction is filed under now (whichever list that is,
// so its (Published, id) position counts), or at the start when it does not
// exist. Returns the JSON records of the page, read in one consistent step;
// a member whose hash is gone is skipped.
const interactionsLua = `
local from = '-'
if ARGV[1] ~= '' then
  local m = redis.call('HGET', ARGV[3] .. ARGV[1], 'member')
  if m then
    from = '(' .. m
  end
end
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYLEX', KEYS[1], from, '+', 'LIMIT', 0, ARGV[2])) do
  local v = redis.call('HGET', ARGV[3] .. string.sub(m, 17), 'record')
  if v then
    out[#out + 1] = v
  end
end
return out
`

// dueTalkLua: KEYS[1] = due set; ARGV = exclusive upper bound (the member
// prefix of the nanosecond after now), limit, interaction-hash key prefix.
// Returns the JSON records of the due ones, oldest Due first, read in one
// consistent step; a member whose hash is gone is skipped.
const dueTalkLua = `
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYLEX', KEYS[1], '-', '(' .. ARGV[1], 'LIMIT', 0, ARGV[2])) do
  local v = redis.call('HGET', ARGV[3] .. string.sub(m, 17), 'record')
  if v then
    out[#out + 1] = v
  end
end
return out
`

// AddInteraction stores i by ID, replacing any earlier record of it and
// moving its index entries when Object, Kind, Published, TalkState or Due
// changed, in one script; added is false when it existed.
func (s *Store) AddInteraction(ctx context.Context, i store.Interaction) (bool, error) {
	what := fmt.Sprintf("add interaction %q", i.ID)
	if i.ID == "" {
		// boltstore cannot store an empty key; refuse it alike.
		return false, fmt.Errorf("redisstore: %s: empty id", what)
	}
	v, err := json.Marshal(i)
	if err != nil {
		return false, fmt.Errorf("redisstore: %s: encode: %w", what, err)
	}
	due := ""
	if i.TalkState == talkPending {
		due = indexMember(i.Due, i.ID)
	}
	keys := []string{s.keys.interaction(i.ID), s.keys.interactionList(i.Object, i.Kind), s.keys.interactionDue()}
	n, err := s.scripts.addInteraction.Run(ctx, s.client, keys, v, indexMember(i.Published, i.ID), due).Int()
	if err != nil {
		return false, fmt.Errorf("redisstore: %s: %w", what, err)
	}
	return n == 1, nil
}

// GetInteraction returns the interaction id, or an error wrapping
// store.ErrNotFound.
func (s *Store) GetInteraction(ctx context.Context, id string) (store.Interaction, error) {
	v, err := s.client.HGet(ctx, s.keys.interaction(id), "record").Result()
	if errors.Is(err, redis.Nil) {
		return store.Interaction{}, fmt.Errorf("redisstore: interaction %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Interaction{}, fmt.Errorf("redisstore: interaction %q: %w", id, err)
	}
	var i store.Interaction
	if err := json.Unmarshal([]byte(v), &i); err != nil {
		return store.Interaction{}, fmt.Errorf("redisstore: decode interaction %q: %w", id, err)
	}
	return i, nil
}

// RemoveInteraction deletes the interaction id and its index entries; an
// absent one is not an error.
func (s *Store) RemoveInteraction(ctx context.Context, id string) error {
	keys := []string{s.keys.interaction(id), s.keys.interactionDue()}
	if err := s.scripts.removeInteraction.Run(ctx, s.client, keys).Err(); err != nil {
		return fmt.Errorf("redisstore: remove interaction %q: %w", id, err)
	}
	return nil
}

// Interactions pages through object's interactions of kind in (Published,
// id) order. A page continues strictly after the (Published, id) position of
// the interaction afterID as it is stored now; when it does not exist the
// page starts at the beginning, so an unknown afterID restarts the walk
// rather than failing it.
func (s *Store) Interactions(ctx context.Context, object, kind, afterID string, limit int) ([]store.Interaction, error) {
	if limit <= 0 {
		return []store.Interaction{}, nil
	}
	what := fmt.Sprintf("interactions %q of %q after %q", kind, object, afterID)
	vals, err := s.scripts.interactions.Run(ctx, s.client, []string{s.keys.interactionList(object, kind)},
		afterID, limit, s.keys.interactionPrefix()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: %s: %w", what, err)
	}
	return decodeInteractions(what, vals)
}

// CountInteractions returns how many interactions of kind object has: the
// size of its list.
func (s *Store) CountInteractions(ctx context.Context, object, kind string) (int, error) {
	n, err := s.client.ZCard(ctx, s.keys.interactionList(object, kind)).Result()
	if err != nil {
		return 0, fmt.Errorf("redisstore: count interactions %q of %q: %w", kind, object, err)
	}
	return int(n), nil
}

// DueTalk returns up to limit pending interactions with Due <= now, oldest
// Due first and equal Due by id. Times before 1970 count as 1970, as in
// boltstore.
func (s *Store) DueTalk(ctx context.Context, now time.Time, limit int) ([]store.Interaction, error) {
	if limit <= 0 {
		return []store.Interaction{}, nil
	}
	what := fmt.Sprintf("talk due at %s", now.Format(time.RFC3339Nano))
	// Members at or before now sort strictly below the bare prefix of the
	// next nanosecond, since every member is that prefix's length plus an id.
	if epoch := time.Unix(0, 0); now.Before(epoch) {
		now = epoch // as indexMember files it
	}
	end := indexMember(now.Add(time.Nanosecond), "")
	vals, err := s.scripts.dueTalk.Run(ctx, s.client, []string{s.keys.interactionDue()},
		end, limit, s.keys.interactionPrefix()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: %s: %w", what, err)
	}
	return decodeInteractions(what, vals)
}

// decodeInteractions decodes the JSON records a script returned.
func decodeInteractions(what string, vals []string) ([]store.Interaction, error) {
	out := make([]store.Interaction, 0, len(vals))
	for _, v := range vals {
		var i store.Interaction
		if err := json.Unmarshal([]byte(v), &i); err != nil {
			return nil, fmt.Errorf("redisstore: %s: decode: %w", what, err)
		}
		out = append(out, i)
	}
	return out, nil
}
