package httpsig

import (
	"fmt"
	"net/http"
	"time"
)

// Default Date window (docs/interop.md, "HTTP signatures"): Mastodon
// accepts a Date from 65 minutes in the past to 60 minutes in the future,
// so accepting the same window keeps us exactly as tolerant of clock skew
// as the peers we talk to.
const (
	DefaultMaxSkewPast   = 65 * time.Minute
	DefaultMaxSkewFuture = 60 * time.Minute
)

// checkDate requires exactly one parseable Date header within
// [now-past, now+future]; go-fed checks no Date at all.
func checkDate(h http.Header, now time.Time, past, future time.Duration) error {
	vals := h.Values("Date")
	if len(vals) != 1 {
		return fmt.Errorf("%w: want one Date header, got %d", ErrMalformedSignature, len(vals))
	}
	d, err := http.ParseTime(vals[0])
	if err != nil {
		return fmt.Errorf("%w: Date header: %w", ErrMalformedSignature, err)
	}
	if d.Before(now.Add(-past)) {
		return fmt.Errorf("%w: Date %s is more than %s in the past", ErrDateSkew, vals[0], past)
	}
	if d.After(now.Add(future)) {
		return fmt.Errorf("%w: Date %s is more than %s in the future", ErrDateSkew, vals[0], future)
	}
	return nil
}
