package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/wikipub/wikipub/federation/store"
)

// A published post is a hash published:post:<object id> with its JSON record,
// its index member and its page id, filed in two sorted sets: published:at
// holds every post, published:page:<id> one page's. The sets are scored 0 and
// ordered by member, which is At as 16 hex digits of Unix nanoseconds followed
// by the object id, so member order is exactly (At, object id) order, at
// nanosecond precision, as in boltstore. Scoring by time instead would lose
// precision: a float64 score holds Unix nanoseconds only to about a quarter
// microsecond, so posts within a microsecond would sort by id, not by At.
// Times before 1970 are filed as 1970, as boltstore does. The hash keeps the
// member and page id so a replace can remove the entries it supersedes
// without parsing the JSON in Lua.

// memberTimeLen is how many leading characters of an index member hold At;
// the Lua scripts below read the object id from character memberTimeLen+1.
const memberTimeLen = 16

// recordPublishedLua: KEYS = post hash, at set, new page set; ARGV = JSON
// record, index member, page id, page-set key prefix. It removes the entries
// the previous record of the post was filed under, from the page set it names
// (a key built in the script, which Redis Cluster allows only because every
// key shares the {prefix} hash tag), then stores and files the new one, in one
// step.
const recordPublishedLua = `
local old = redis.call('HMGET', KEYS[1], 'index', 'page')
if old[1] then
  redis.call('ZREM', KEYS[2], old[1])
  if old[2] then
    redis.call('ZREM', ARGV[4] .. old[2], old[1])
  end
end
redis.call('HSET', KEYS[1], 'record', ARGV[1], 'index', ARGV[2], 'page', ARGV[3])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
redis.call('ZADD', KEYS[3], 0, ARGV[2])
return 1
`

// publishedByPageLua: KEYS[1] = page set; ARGV[1] = post-hash key prefix.
// Returns the JSON records of the page in member order, read in one
// consistent step; a member whose hash is gone is skipped.
const publishedByPageLua = `
local out = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local v = redis.call('HGET', ARGV[1] .. string.sub(m, 17), 'record')
  if v then
    out[#out + 1] = v
  end
end
return out
`

// publishedSinceLua: KEYS[1] = at set; ARGV = since as 16 hex digits, object
// id to continue after ("" for none), limit, post-hash key prefix. The page
// starts at the rank of the first member at or after since, or just past the
// after record's member when that record exists and ranks later. Ranks are
// compared rather than members because Lua compares strings by locale.
// Returns the JSON records of the page, read in one consistent step.
const publishedSinceLua = `
local start = redis.call('ZLEXCOUNT', KEYS[1], '-', '(' .. ARGV[1])
if ARGV[2] ~= '' then
  local m = redis.call('HGET', ARGV[4] .. ARGV[2], 'index')
  if m then
    local r = redis.call('ZRANK', KEYS[1], m)
    if r and r + 1 > start then
      start = r + 1
    end
  end
end
local out = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], start, start + tonumber(ARGV[3]) - 1)) do
  local v = redis.call('HGET', ARGV[4] .. string.sub(m, 17), 'record')
  if v then
    out[#out + 1] = v
  end
end
return out
`

// RecordPublished stores p by ObjectID, replacing any earlier record of it
// and moving its index entries when At or PageID changed, in one script.
func (s *Store) RecordPublished(ctx context.Context, p store.Published) error {
	what := fmt.Sprintf("record published %q", p.ObjectID)
	if p.ObjectID == "" {
		// boltstore cannot store an empty key; refuse it alike.
		return fmt.Errorf("redisstore: %s: empty object id", what)
	}
	v, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("redisstore: %s: encode: %w", what, err)
	}
	keys := []string{s.keys.published(p.ObjectID), s.keys.publishedAt(), s.keys.publishedPage(p.PageID)}
	err = s.scripts.recordPublished.Run(ctx, s.client, keys, v, indexMember(p.At, p.ObjectID),
		strconv.FormatInt(p.PageID, 10), s.keys.publishedPagePrefix()).Err()
	if err != nil {
		return fmt.Errorf("redisstore: %s: %w", what, err)
	}
	return nil
}

// PublishedPost returns the record of objectID, or an error wrapping
// store.ErrNotFound.
func (s *Store) PublishedPost(ctx context.Context, objectID string) (store.Published, error) {
	v, err := s.client.HGet(ctx, s.keys.published(objectID), "record").Result()
	if errors.Is(err, redis.Nil) {
		return store.Published{}, fmt.Errorf("redisstore: published post %q: %w", objectID, store.ErrNotFound)
	}
	if err != nil {
		return store.Published{}, fmt.Errorf("redisstore: published post %q: %w", objectID, err)
	}
	var p store.Published
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return store.Published{}, fmt.Errorf("redisstore: decode published post %q: %w", objectID, err)
	}
	return p, nil
}

// PublishedByPage returns every record of pageID, oldest first and equal At
// by object id.
func (s *Store) PublishedByPage(ctx context.Context, pageID int64) ([]store.Published, error) {
	what := fmt.Sprintf("published posts of page %d", pageID)
	vals, err := s.scripts.publishedByPage.Run(ctx, s.client, []string{s.keys.publishedPage(pageID)},
		s.keys.publishedPrefix()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: %s: %w", what, err)
	}
	return decodePublished(what, vals)
}

// PublishedSince pages through the records with At >= since in (At, object
// id) order. A page continues strictly after the record afterObjectID, found
// by its stored At; when that record does not exist, or is older than since,
// the page starts at since, so an unknown afterObjectID restarts the walk
// rather than failing it.
func (s *Store) PublishedSince(ctx context.Context, since time.Time, afterObjectID string, limit int) ([]store.Published, error) {
	if limit <= 0 {
		return nil, nil
	}
	what := fmt.Sprintf("published posts since %s after %q", since.Format(time.RFC3339Nano), afterObjectID)
	vals, err := s.scripts.publishedSince.Run(ctx, s.client, []string{s.keys.publishedAt()},
		indexMember(since, ""), afterObjectID, limit, s.keys.publishedPrefix()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redisstore: %s: %w", what, err)
	}
	return decodePublished(what, vals)
}

// indexMember is the sorted-set member a post at `at` is filed under: At as
// memberTimeLen hex digits of Unix nanoseconds (times before 1970 as zero),
// then the object id. With an empty id it is the lower bound of the members
// at `at`.
func indexMember(at time.Time, objectID string) string {
	var n uint64
	if ns := at.UnixNano(); ns > 0 && !at.Before(time.Unix(0, 0)) {
		n = uint64(ns)
	}
	return fmt.Sprintf("%0*x", memberTimeLen, n) + objectID
}

// decodePublished decodes the JSON records a script returned.
func decodePublished(what string, vals []string) ([]store.Published, error) {
	out := make([]store.Published, 0, len(vals))
	for _, v := range vals {
		var p store.Published
		if err := json.Unmarshal([]byte(v), &p); err != nil {
			return nil, fmt.Errorf("redisstore: %s: decode: %w", what, err)
		}
		out = append(out, p)
	}
	return out, nil
}
