package delivery

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// mastodonBackoff is Mastodon's retry schedule, attempt**4 + 15 s plus up
// to a quarter of jitter so retries of one burst do not arrive together:
// 16 attempts span about two to three days.
// See docs/interop.md, "Delivery and retries".
func mastodonBackoff(attempt int) time.Duration {
	base := time.Duration(attempt*attempt*attempt*attempt+15) * time.Second
	return base + rand.N(base/4+1)
}

// final is a 4xx that a retry will not change (401, 408 and 429 can).
func final(status int) bool {
	return status >= 400 && status < 500 && status != 401 && status != 408 && status != 429
}

// retryAfter reads a Retry-After value, in seconds or as an HTTP date, as
// a wait from now capped at limit; 0 when absent, unreadable or past.
func retryAfter(v string, now time.Time, limit time.Duration) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs >= int64(limit/time.Second) {
			return limit
		}
		return time.Duration(secs) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return min(max(t.Sub(now), 0), limit)
}

// retryReason labels a retried failure for the retries metric with a
// bounded set of values.
func retryReason(r response) string {
	var ne net.Error
	switch {
	case errors.Is(r.err, errLocal):
		return "local"
	case errors.Is(r.err, context.DeadlineExceeded), errors.As(r.err, &ne) && ne.Timeout():
		return "timeout"
	case r.err != nil:
		return "network"
	case r.status >= 500:
		return "http_5xx"
	case r.status == 401, r.status == 408, r.status == 429:
		return "http_" + strconv.Itoa(r.status)
	}
	return "http_other"
}
