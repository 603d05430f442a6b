package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// nanos encodes t as unsigned nanoseconds since the epoch, clamping earlier
// times to zero so big-endian keys sort in time order.
func nanos(t time.Time) uint64 {
	n := t.UnixNano()
	if n < 0 || t.Before(time.Unix(0, 0)) {
		return 0
	}
	return uint64(n)
}

// timeKey is the 8-byte big-endian form of t followed by id, so a cursor walks
// the keys in time order and ties by id.
func timeKey(t uint64, id string) []byte {
	k := make([]byte, 8+len(id))
	binary.BigEndian.PutUint64(k, t)
	copy(k[8:], id)
	return k
}

// splitTimeKey undoes timeKey.
func splitTimeKey(k []byte) (uint64, string) {
	if len(k) < 8 {
		return 0, ""
	}
	return binary.BigEndian.Uint64(k), string(k[8:])
}

// encodeUint64 is the 8-byte big-endian form of n.
func encodeUint64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, n)
}

// decodeUint64 undoes encodeUint64, reading a malformed value as zero.
func decodeUint64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// clone copies a bbolt value, which is only valid inside its transaction.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return bytes.Clone(b)
}

// getJSON loads and decodes the JSON record under key in bucket; ok is
// false when there is none. what names the record in errors.
func getJSON[T any](tx *bolt.Tx, bucket, key, what string) (v T, ok bool, err error) {
	raw := tx.Bucket([]byte(bucket)).Get([]byte(key))
	if raw == nil {
		return v, false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		var zero T
		return zero, false, fmt.Errorf("decode %s %q: %w", what, key, err)
	}
	return v, true, nil
}
