package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/wikipub/wikipub/federation/store"
)

// Published posts live in three buckets kept in step in one transaction:
// published holds each record by object id, publishedat files it under
// At ‖ object id so PublishedSince seeks straight to a time, and
// publishedpage files it under page id ‖ At ‖ object id so PublishedByPage
// reads one contiguous range. Index keys are derived from the stored record,
// so a replace can find and delete the ones it supersedes.
//
// At is indexed at nanosecond precision via nanos, which files times before
// 1970 as 1970: such records sort first, by object id, and count as at or
// after any since before 1970. The wiki has no changes that old.

// RecordPublished stores p by ObjectID, replacing any earlier record of it
// and moving its index entries when At or PageID changed.
func (s *Store) RecordPublished(ctx context.Context, p store.Published) error {
	what := fmt.Sprintf("record published %q", p.ObjectID)
	if p.ObjectID == "" {
		// bbolt cannot store an empty key; redisstore refuses it alike.
		return fmt.Errorf("boltstore: %s: empty object id", what)
	}
	v, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("boltstore: %s: encode: %w", what, err)
	}
	return s.update(ctx, what, func(tx *bolt.Tx) error {
		old, ok, err := getPublished(tx, p.ObjectID)
		if err != nil {
			return err
		}
		if ok {
			if err := deletePublishedIndex(tx, old); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte(bucketPublished)).Put([]byte(p.ObjectID), v); err != nil {
			return err
		}
		at := nanos(p.At)
		if err := tx.Bucket([]byte(bucketPublishedAt)).Put(timeKey(at, p.ObjectID), []byte{}); err != nil {
			return err
		}
		return tx.Bucket([]byte(bucketPublishedPage)).Put(pageKey(p.PageID, at, p.ObjectID), []byte{})
	})
}

// PublishedPost returns the record of objectID, or an error wrapping
// store.ErrNotFound.
func (s *Store) PublishedPost(ctx context.Context, objectID string) (store.Published, error) {
	var out store.Published
	err := s.view(ctx, fmt.Sprintf("published post %q", objectID), func(tx *bolt.Tx) error {
		p, ok, err := getPublished(tx, objectID)
		if err != nil {
			return err
		}
		if !ok {
			return store.ErrNotFound
		}
		out = p
		return nil
	})
	return out, err
}

// PublishedByPage returns every record of pageID, oldest first and equal At
// by object id, walking only that page's range of the page index.
func (s *Store) PublishedByPage(ctx context.Context, pageID int64) ([]store.Published, error) {
	var out []store.Published
	err := s.view(ctx, fmt.Sprintf("published posts of page %d", pageID), func(tx *bolt.Tx) error {
		prefix := encodeUint64(uint64(pageID))
		c := tx.Bucket([]byte(bucketPublishedPage)).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			_, id := splitTimeKey(k[len(prefix):])
			p, ok, err := getPublished(tx, id)
			if err != nil {
				return err
			}
			if ok { // an index entry without its record: skip it
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
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
	var out []store.Published
	what := fmt.Sprintf("published posts since %s after %q", since.Format(time.RFC3339Nano), afterObjectID)
	err := s.view(ctx, what, func(tx *bolt.Tx) error {
		out = out[:0]
		start := encodeUint64(nanos(since)) // sorts before every key at since
		var after []byte
		if afterObjectID != "" {
			p, ok, err := getPublished(tx, afterObjectID)
			if err != nil {
				return err
			}
			if ok {
				after = timeKey(nanos(p.At), afterObjectID)
				if bytes.Compare(after, start) > 0 {
					start = after
				}
			}
		}
		c := tx.Bucket([]byte(bucketPublishedAt)).Cursor()
		k, _ := c.Seek(start)
		if k != nil && after != nil && bytes.Equal(k, after) {
			k, _ = c.Next()
		}
		for ; k != nil && len(out) < limit; k, _ = c.Next() {
			_, id := splitTimeKey(k)
			p, ok, err := getPublished(tx, id)
			if err != nil {
				return err
			}
			if ok { // an index entry without its record: skip it
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// getPublished loads the record of objectID; ok is false when there is none.
func getPublished(tx *bolt.Tx, objectID string) (store.Published, bool, error) {
	return getJSON[store.Published](tx, bucketPublished, objectID, "published")
}

// deletePublishedIndex removes the index entries filed for p, before p is
// replaced by a record whose At or PageID may differ.
func deletePublishedIndex(tx *bolt.Tx, p store.Published) error {
	at := nanos(p.At)
	if err := tx.Bucket([]byte(bucketPublishedAt)).Delete(timeKey(at, p.ObjectID)); err != nil {
		return err
	}
	return tx.Bucket([]byte(bucketPublishedPage)).Delete(pageKey(p.PageID, at, p.ObjectID))
}

// pageKey is the 8-byte big-endian page id followed by timeKey(at, id), so
// one page's entries are contiguous and in (At, id) order. A negative page id
// sorts after the positive ones, which only moves its range.
func pageKey(pageID int64, at uint64, id string) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 16+len(id)), uint64(pageID))
	return append(k, timeKey(at, id)...)
}
