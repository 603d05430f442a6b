package boltstore

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/wikipub/wikipub/federation/store"
)

// The queue keeps each delivery in the queue bucket and one entry per
// delivery in the due bucket, keyed by due time ‖ id, so Claim walks only the
// deliveries that are due. Due is the delivery's NextAttempt until it is
// claimed, and the end of the lease while it is claimed.

// record is the stored form of a delivery, with the due-index time it is
// filed under.
type record struct {
	store.Delivery
	Due uint64 `json:"due"`
}

// Enqueue durably adds ds in one transaction; a delivery whose ID is already
// queued is left untouched, so a replay after a crash is harmless.
func (s *Store) Enqueue(ctx context.Context, ds ...store.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	now := s.now()
	return s.update(ctx, fmt.Sprintf("enqueue %d deliveries", len(ds)), func(tx *bolt.Tx) error {
		q := tx.Bucket([]byte(bucketQueue))
		for _, d := range ds {
			d = d.Prepared(now)
			if q.Get([]byte(d.ID)) != nil {
				continue
			}
			if err := putRecord(tx, record{Delivery: d, Due: nanos(d.NextAttempt)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Ack removes delivery id; an absent one is not an error.
func (s *Store) Ack(ctx context.Context, id string) error {
	return s.update(ctx, fmt.Sprintf("ack delivery %q", id), func(tx *bolt.Tx) error {
		rec, ok, err := getRecord(tx, id)
		if err != nil || !ok {
			return err
		}
		return deleteRecord(tx, rec)
	})
}

// AckMany removes every delivery in ids in one durable transaction, so one
// fsync settles them all; absent ids (and repeated ones) are skipped.
func (s *Store) AckMany(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.update(ctx, fmt.Sprintf("ack %d deliveries", len(ids)), func(tx *bolt.Tx) error {
		for _, id := range ids {
			rec, ok, err := getRecord(tx, id)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if err := deleteRecord(tx, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// Reschedule stores d's Attempts, NextAttempt and LastError and files it as
// due at NextAttempt; it fails with store.ErrNotFound when d is not queued.
func (s *Store) Reschedule(ctx context.Context, d store.Delivery) error {
	return s.update(ctx, fmt.Sprintf("reschedule delivery %q", d.ID), func(tx *bolt.Tx) error {
		rec, ok, err := getRecord(tx, d.ID)
		if err != nil {
			return err
		}
		if !ok {
			return store.ErrNotFound
		}
		if err := deleteRecord(tx, rec); err != nil {
			return err
		}
		if d.NextAttempt.IsZero() {
			d.NextAttempt = s.now()
		}
		rec.Attempts, rec.NextAttempt, rec.LastError = d.Attempts, d.NextAttempt, d.LastError
		rec.Due = nanos(d.NextAttempt)
		return putRecord(tx, rec)
	})
}

// QueueLen returns how many deliveries are queued, claimed or not.
func (s *Store) QueueLen(ctx context.Context) (int, error) {
	var n int
	err := s.view(ctx, "queue length", func(tx *bolt.Tx) error {
		n = tx.Bucket([]byte(bucketQueue)).Stats().KeyN
		return nil
	})
	return n, err
}

// getRecord loads delivery id; ok is false when it is not queued.
func getRecord(tx *bolt.Tx, id string) (rec record, ok bool, err error) {
	v := tx.Bucket([]byte(bucketQueue)).Get([]byte(id))
	if v == nil {
		return record{}, false, nil
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return record{}, false, fmt.Errorf("decode delivery %q: %w", id, err)
	}
	return rec, true, nil
}

// putRecord writes rec and its due-index entry.
func putRecord(tx *bolt.Tx, rec record) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode delivery %q: %w", rec.ID, err)
	}
	if err := tx.Bucket([]byte(bucketQueue)).Put([]byte(rec.ID), v); err != nil {
		return err
	}
	return tx.Bucket([]byte(bucketDue)).Put(timeKey(rec.Due, rec.ID), []byte{})
}

// deleteRecord removes rec and its due-index entry.
func deleteRecord(tx *bolt.Tx, rec record) error {
	if err := tx.Bucket([]byte(bucketDue)).Delete(timeKey(rec.Due, rec.ID)); err != nil {
		return err
	}
	return tx.Bucket([]byte(bucketQueue)).Delete([]byte(rec.ID))
}

// QueuedDeliveries pages through the queue in delivery-id order, due or not
// and claimed or not, starting after the delivery id after. It only reads
// the queue bucket (keyed by id), so it claims nothing.
func (s *Store) QueuedDeliveries(ctx context.Context, after string, limit int) ([]store.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []store.Delivery
	err := s.view(ctx, "list queued deliveries", func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte(bucketQueue)).Cursor()
		k, v := c.First()
		if after != "" {
			k, v = c.Seek([]byte(after))
			if k != nil && string(k) == after {
				k, v = c.Next()
			}
		}
		for ; k != nil && len(out) < limit; k, v = c.Next() {
			var rec record
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode delivery %q: %w", k, err)
			}
			out = append(out, rec.Delivery)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
