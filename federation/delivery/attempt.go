package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/httpsig"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
)

// errLocal marks a failure on our side (loading or using a key), which
// says nothing about the remote host's health.
var errLocal = errors.New("local failure")

// errBadInbox marks an inbox URL no retry can make usable.
var errBadInbox = errors.New("unusable inbox URL")

// response is what a POST told us.
type response struct {
	status int
	header http.Header
	err    error
}

// attempt makes one try of a delivery and settles it: acked on a 2xx, a
// 410 (after Gone) or a final 4xx; otherwise rescheduled by the backoff
// and any Retry-After, or dropped after MaxAttempts. trial says it is the
// half-open breaker's trial delivery; acks, when not nil, acks settled
// deliveries in batches. It returns how long the POST took.
func (d *Deliverer) attempt(ctx context.Context, j job, trial bool, acks *acknowledger) (took time.Duration) {
	del := j.del
	log := d.log.With("delivery", del.ID, "inbox", del.Inbox, "attempt", del.Attempts+1)
	start := time.Now()
	res := d.post(ctx, del)
	now := time.Now()
	took = now.Sub(start)
	d.breaker.record(j.host, now, trial, health(res))

	switch {
	case res.err == nil && res.status/100 == 2:
		d.ack(ctx, acks, del, outcomeDelivered)
		d.metrics.delivered(now.Sub(del.Created))
		log.DebugContext(ctx, "delivered", "status", res.status)
		return took
	case res.err == nil && res.status == http.StatusGone:
		log.InfoContext(ctx, "inbox is gone, removing its follows")
		if d.cfg.Gone != nil {
			d.cfg.Gone(ctx, del.Inbox)
		}
		d.ack(ctx, acks, del, outcomeGone)
		return took
	case res.err == nil && final(res.status), errors.Is(res.err, errBadInbox):
		log.WarnContext(ctx, "delivery refused for good", "status", res.status, "err", res.err)
		d.ack(ctx, acks, del, outcomeFailedFinal)
		return took
	}

	del.Attempts++
	if res.err != nil {
		del.LastError = res.err.Error()
	} else {
		del.LastError = "HTTP " + strconv.Itoa(res.status)
	}
	if del.Attempts >= d.cfg.MaxAttempts {
		log.WarnContext(ctx, "delivery failed for good", "err", del.LastError)
		d.ack(ctx, acks, del, outcomeFailedFinal)
		return took
	}
	wait := d.cfg.Backoff(del.Attempts)
	if res.err == nil && (res.status == http.StatusTooManyRequests || res.status == http.StatusServiceUnavailable) {
		if ra := retryAfter(res.header.Get("Retry-After"), now, d.cfg.RetryAfterMax); ra > 0 {
			// Never sooner than either the server or our backoff asks.
			wait = max(wait, ra)
			if res.status == http.StatusTooManyRequests {
				// A rate limit is the host's, not this delivery's: hold
				// back everything else for it too.
				d.breaker.pause(j.host, now.Add(ra))
			}
		}
	}
	del.NextAttempt = now.Add(wait)
	d.metrics.outcome(outcomeRetried)
	d.metrics.retry(retryReason(res))
	log.InfoContext(ctx, "delivery failed, will retry", "err", del.LastError, "next", del.NextAttempt)
	if err := d.q.Reschedule(ctx, del); err != nil {
		d.rescheduleFailed(ctx, del, err)
	}
	return took
}

// ack counts a settled delivery's outcome and removes it from the queue:
// through acks, which commits it with others, or at once when acks is nil.
func (d *Deliverer) ack(ctx context.Context, acks *acknowledger, del store.Delivery, outcome string) {
	d.metrics.outcome(outcome)
	if acks != nil {
		acks.add(del.ID)
		return
	}
	if err := d.q.Ack(ctx, del.ID); err != nil {
		// It comes back when its lease ends and is sent once more.
		d.log.ErrorContext(ctx, "acknowledging a delivery failed", "delivery", del.ID, "outcome", outcome, "err", err)
	}
}

// post signs and sends one delivery within PostTimeout; the answer's body
// is read (capped) and discarded so the connection can be reused.
func (d *Deliverer) post(ctx context.Context, del store.Delivery) response {
	u, err := url.Parse(del.Inbox)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return response{err: fmt.Errorf("%w: %q", errBadInbox, del.Inbox)}
	}
	key, err := d.keys.Get(ctx, del.Signer)
	if err != nil {
		return response{err: fmt.Errorf("%w: %w", errLocal, err)}
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.PostTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, del.Inbox, bytes.NewReader(del.Body))
	if err != nil {
		return response{err: fmt.Errorf("%w: %q: %w", errBadInbox, del.Inbox, err)}
	}
	req.Header.Set("Content-Type", activity.ContentType)
	req.Header.Set("User-Agent", d.cfg.UserAgent)
	if err := httpsig.SignPOST(req, del.Body, del.Signer+"#main-key", key.Private); err != nil {
		return response{err: fmt.Errorf("%w: signing: %w", errLocal, err)}
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return response{err: err}
	}
	remote.Drain(resp)
	return response{status: resp.StatusCode, header: resp.Header}
}

// health is what an answer says about the host: a network error or a 5xx
// means it is failing; any other answer shows it alive, even a refusal; a
// failure of our own says nothing.
func health(r response) hostHealth {
	switch {
	case errors.Is(r.err, errLocal), errors.Is(r.err, errBadInbox):
		return healthUnknown
	case r.err != nil, r.status >= 500:
		return healthDown
	}
	return healthUp
}
