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

// Interactions live in four buckets kept in step in one transaction:
// interactions holds each record by id; interactionlist files it under
// listKey(Object, Kind) ‖ Published ‖ id, so one object's interactions of one
// kind are a contiguous range in (Published, id) order; interactioncount
// keeps the size of each such range, so counting reads one key; and
// interactiondue files the pending ones under Due ‖ id for the talk-page
// writer. Index keys are derived from the stored record, so a replace can
// find and delete the ones it supersedes.
//
// Times are indexed at nanosecond precision via nanos, which files times
// before 1970 as 1970, as for published posts.

// talkPending is the TalkState of an interaction waiting for the talk-page
// writer; only those are filed in interactiondue.
const talkPending = "pending"

// AddInteraction stores i by ID, replacing any earlier record of it and
// moving its index entries when Object, Kind, Published, TalkState or Due
// changed; added is false when it existed.
func (s *Store) AddInteraction(ctx context.Context, i store.Interaction) (bool, error) {
	what := fmt.Sprintf("add interaction %q", i.ID)
	if i.ID == "" {
		// bbolt cannot store an empty key; redisstore refuses it alike.
		return false, fmt.Errorf("boltstore: %s: empty id", what)
	}
	v, err := json.Marshal(i)
	if err != nil {
		return false, fmt.Errorf("boltstore: %s: encode: %w", what, err)
	}
	var added bool
	err = s.update(ctx, what, func(tx *bolt.Tx) error {
		old, ok, err := getInteraction(tx, i.ID)
		if err != nil {
			return err
		}
		added = !ok
		if ok {
			if err := deleteInteractionIndex(tx, old); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte(bucketInteractions)).Put([]byte(i.ID), v); err != nil {
			return err
		}
		return putInteractionIndex(tx, i)
	})
	return added, err
}

// GetInteraction returns the interaction id, or an error wrapping
// store.ErrNotFound.
func (s *Store) GetInteraction(ctx context.Context, id string) (store.Interaction, error) {
	var out store.Interaction
	err := s.view(ctx, fmt.Sprintf("interaction %q", id), func(tx *bolt.Tx) error {
		i, ok, err := getInteraction(tx, id)
		if err != nil {
			return err
		}
		if !ok {
			return store.ErrNotFound
		}
		out = i
		return nil
	})
	return out, err
}

// RemoveInteraction deletes the interaction id and its index entries; an
// absent one is not an error.
func (s *Store) RemoveInteraction(ctx context.Context, id string) error {
	return s.update(ctx, fmt.Sprintf("remove interaction %q", id), func(tx *bolt.Tx) error {
		old, ok, err := getInteraction(tx, id)
		if err != nil || !ok {
			return err
		}
		if err := deleteInteractionIndex(tx, old); err != nil {
			return err
		}
		return tx.Bucket([]byte(bucketInteractions)).Delete([]byte(id))
	})
}

// Interactions pages through object's interactions of kind in (Published,
// id) order, walking only that range of the list index. A page continues
// strictly after the (Published, id) position of the interaction afterID as
// it is stored now; when it does not exist the page starts at the beginning,
// so an unknown afterID restarts the walk rather than failing it.
func (s *Store) Interactions(ctx context.Context, object, kind, afterID string, limit int) ([]store.Interaction, error) {
	out := []store.Interaction{}
	if limit <= 0 {
		return out, nil
	}
	what := fmt.Sprintf("interactions %q of %q after %q", kind, object, afterID)
	err := s.view(ctx, what, func(tx *bolt.Tx) error {
		out = out[:0]
		prefix := listKey(object, kind)
		start := prefix
		var after []byte
		if afterID != "" {
			i, ok, err := getInteraction(tx, afterID)
			if err != nil {
				return err
			}
			if ok {
				after = append(bytes.Clone(prefix), timeKey(nanos(i.Published), afterID)...)
				start = after
			}
		}
		c := tx.Bucket([]byte(bucketInteractionList)).Cursor()
		k, _ := c.Seek(start)
		if k != nil && after != nil && bytes.Equal(k, after) {
			k, _ = c.Next()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Next() {
			_, id := splitTimeKey(k[len(prefix):])
			i, ok, err := getInteraction(tx, id)
			if err != nil {
				return err
			}
			if ok { // an index entry without its record: skip it
				out = append(out, i)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CountInteractions returns how many interactions of kind object has,
// reading the count kept beside the list index.
func (s *Store) CountInteractions(ctx context.Context, object, kind string) (int, error) {
	var n int
	err := s.view(ctx, fmt.Sprintf("count interactions %q of %q", kind, object), func(tx *bolt.Tx) error {
		n = int(decodeUint64(tx.Bucket([]byte(bucketInteractionCount)).Get(listKey(object, kind))))
		return nil
	})
	return n, err
}

// DueTalk returns up to limit pending interactions with Due <= now, oldest
// Due first and equal Due by id, walking the due index from its start.
func (s *Store) DueTalk(ctx context.Context, now time.Time, limit int) ([]store.Interaction, error) {
	out := []store.Interaction{}
	if limit <= 0 {
		return out, nil
	}
	err := s.view(ctx, fmt.Sprintf("talk due at %s", now.Format(time.RFC3339Nano)), func(tx *bolt.Tx) error {
		out = out[:0]
		end := nanos(now)
		c := tx.Bucket([]byte(bucketInteractionDue)).Cursor()
		for k, _ := c.First(); k != nil && len(out) < limit; k, _ = c.Next() {
			due, id := splitTimeKey(k)
			if due > end {
				break
			}
			i, ok, err := getInteraction(tx, id)
			if err != nil {
				return err
			}
			if ok { // an index entry without its record: skip it
				out = append(out, i)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// getInteraction loads the record of id; ok is false when there is none.
func getInteraction(tx *bolt.Tx, id string) (store.Interaction, bool, error) {
	return getJSON[store.Interaction](tx, bucketInteractions, id, "interaction")
}

// putInteractionIndex files i in the list index, counts it, and files it in
// the due index when it is pending.
func putInteractionIndex(tx *bolt.Tx, i store.Interaction) error {
	lk := listKey(i.Object, i.Kind)
	if err := tx.Bucket([]byte(bucketInteractionList)).Put(
		append(bytes.Clone(lk), timeKey(nanos(i.Published), i.ID)...), []byte{}); err != nil {
		return err
	}
	if err := addCount(tx.Bucket([]byte(bucketInteractionCount)), lk, 1); err != nil {
		return err
	}
	if i.TalkState == talkPending {
		return tx.Bucket([]byte(bucketInteractionDue)).Put(timeKey(nanos(i.Due), i.ID), []byte{})
	}
	return nil
}

// deleteInteractionIndex removes the index entries filed for i, and its
// count, before i is replaced or removed.
func deleteInteractionIndex(tx *bolt.Tx, i store.Interaction) error {
	lk := listKey(i.Object, i.Kind)
	list := tx.Bucket([]byte(bucketInteractionList))
	k := append(bytes.Clone(lk), timeKey(nanos(i.Published), i.ID)...)
	if list.Get(k) != nil { // only a filed entry was counted
		if err := list.Delete(k); err != nil {
			return err
		}
		if err := addCount(tx.Bucket([]byte(bucketInteractionCount)), lk, -1); err != nil {
			return err
		}
	}
	if i.TalkState == talkPending {
		return tx.Bucket([]byte(bucketInteractionDue)).Delete(timeKey(nanos(i.Due), i.ID))
	}
	return nil
}

// addCount adds delta to the count under key, deleting it at zero so lists
// that emptied leave nothing behind.
func addCount(b *bolt.Bucket, key []byte, delta int) error {
	n := int64(decodeUint64(b.Get(key))) + int64(delta)
	if n <= 0 {
		return b.Delete(key)
	}
	return b.Put(key, encodeUint64(uint64(n)))
}

// listKey names one object's list of one kind: the 4-byte big-endian length
// of object, object, the length of kind, kind. The lengths make it
// prefix-free, so one list's range never takes in another's whatever bytes
// the ids hold.
func listKey(object, kind string) []byte {
	k := make([]byte, 0, 8+len(object)+len(kind))
	k = binary.BigEndian.AppendUint32(k, uint32(len(object)))
	k = append(k, object...)
	k = binary.BigEndian.AppendUint32(k, uint32(len(kind)))
	return append(k, kind...)
}
