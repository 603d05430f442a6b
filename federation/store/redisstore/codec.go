package redisstore

import (
	"fmt"
	"strconv"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// A delivery is stored as a hash with these fields; times are Unix
// nanoseconds so they round-trip exactly.
const (
	fieldID       = "id"
	fieldInbox    = "inbox"
	fieldSigner   = "signer"
	fieldBody     = "body"
	fieldAttempts = "attempts"
	fieldNext     = "next"
	fieldError    = "error"
	fieldCreated  = "created"
)

// score is t as a sorted-set score: whole microseconds since the epoch,
// which float64 holds exactly. Due times and "now" are truncated alike, so a
// delivery due at exactly now is claimable; the cost is that one may be
// claimed up to a microsecond early.
func score(t time.Time) int64 {
	n := t.UnixNano()
	s := n / 1000
	if n%1000 < 0 {
		s-- // floor, not truncation toward zero, before the epoch
	}
	return s
}

// nanosString formats t for a hash field.
func nanosString(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

// decodeDelivery reads a delivery from an HGETALL reply of field, value
// pairs.
func decodeDelivery(flat []any) (store.Delivery, error) {
	if len(flat)%2 != 0 {
		return store.Delivery{}, fmt.Errorf("odd hash reply of %d items", len(flat))
	}
	var d store.Delivery
	for i := 0; i < len(flat); i += 2 {
		k, _ := flat[i].(string)
		v, _ := flat[i+1].(string)
		var err error
		switch k {
		case fieldID:
			d.ID = v
		case fieldInbox:
			d.Inbox = v
		case fieldSigner:
			d.Signer = v
		case fieldBody:
			d.Body = []byte(v)
		case fieldAttempts:
			d.Attempts, err = strconv.Atoi(v)
		case fieldNext:
			d.NextAttempt, err = parseNanos(v)
		case fieldError:
			d.LastError = v
		case fieldCreated:
			d.Created, err = parseNanos(v)
		}
		if err != nil {
			return store.Delivery{}, fmt.Errorf("field %s of delivery %q: %w", k, d.ID, err)
		}
	}
	return d, nil
}

// parseNanos undoes nanosString.
func parseNanos(v string) (time.Time, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, n).UTC(), nil
}
