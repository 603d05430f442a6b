package federation

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/wikipub/wikipub/federation/httpsig"
	"github.com/wikipub/wikipub/federation/store"
)

// Queue is the part of the store the deliverer works from.
type Queue interface {
	Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.Delivery, error)
	Ack(ctx context.Context, id string) error
	Reschedule(ctx context.Context, d store.Delivery) error
}

// DeliveryConfig tunes the deliverer; zero values take the defaults.
type DeliveryConfig struct {
	// Workers is how many POSTs run at once; default 8.
	Workers int
	// MaxAttempts is how many tries a delivery gets; default 16, as Mastodon.
	MaxAttempts int
	// Backoff returns the wait after the n-th failed try; default
	// Mastodon's n**4 + 15 s with jitter, about two to three days in all.
	Backoff func(attempt int) time.Duration
	// Idle is the wait when the queue has nothing due; default 1 s.
	Idle      time.Duration
	UserAgent string
	Logger    *slog.Logger
}

// Deliverer POSTs queued activities, signed as their actor, and retries
// failures on a schedule; a delivery leaves the queue only after a 2xx or
// a final failure, and a crash only returns it to the queue when its lease
// ends.
type Deliverer struct {
	q      Queue
	keys   *Keys
	iris   IRIs
	client *http.Client
	cfg    DeliveryConfig
	log    *slog.Logger
}

// NewDeliverer returns a deliverer; Run starts it.
func NewDeliverer(q Queue, keys *Keys, iris IRIs, client *http.Client, cfg DeliveryConfig) *Deliverer {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 16
	}
	if cfg.Backoff == nil {
		cfg.Backoff = mastodonBackoff
	}
	if cfg.Idle <= 0 {
		cfg.Idle = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Deliverer{q: q, keys: keys, iris: iris, client: client, cfg: cfg, log: cfg.Logger}
}

func mastodonBackoff(attempt int) time.Duration {
	base := time.Duration(attempt*attempt*attempt*attempt+15) * time.Second
	return base + rand.N(base/4+1)
}

// deliveryLease is how long a claimed delivery is hidden from others; a
// POST is bounded by the HTTP client's 30 s timeout.
const deliveryLease = 2 * time.Minute

// Run delivers until ctx ends.
func (d *Deliverer) Run(ctx context.Context) {
	sem := make(chan struct{}, d.cfg.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		batch, err := d.q.Claim(ctx, time.Now(), d.cfg.Workers, deliveryLease)
		if err != nil {
			if ctx.Err() == nil {
				d.log.ErrorContext(ctx, "claiming deliveries failed", "err", err)
			}
			sleep(ctx, d.cfg.Idle)
			continue
		}
		if len(batch) == 0 {
			sleep(ctx, d.cfg.Idle)
			continue
		}
		for _, del := range batch {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				d.deliverOne(context.WithoutCancel(ctx), del)
			}()
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (d *Deliverer) deliverOne(ctx context.Context, del store.Delivery) {
	status, err := d.post(ctx, del)
	log := d.log.With("delivery", del.ID, "inbox", del.Inbox, "attempt", del.Attempts+1)
	switch {
	case err == nil && status/100 == 2:
		if err := d.q.Ack(ctx, del.ID); err != nil {
			log.ErrorContext(ctx, "acknowledging a delivery failed", "err", err)
		}
		log.DebugContext(ctx, "delivered", "status", status)
		return
	case err == nil && final(status):
		log.WarnContext(ctx, "delivery refused for good", "status", status)
		if err := d.q.Ack(ctx, del.ID); err != nil {
			log.ErrorContext(ctx, "dropping a refused delivery failed", "err", err)
		}
		return
	}
	del.Attempts++
	if err != nil {
		del.LastError = err.Error()
	} else {
		del.LastError = "HTTP " + strconv.Itoa(status)
	}
	if del.Attempts >= d.cfg.MaxAttempts {
		log.WarnContext(ctx, "delivery failed for good", "err", del.LastError)
		if err := d.q.Ack(ctx, del.ID); err != nil {
			log.ErrorContext(ctx, "dropping a failed delivery failed", "err", err)
		}
		return
	}
	del.NextAttempt = time.Now().Add(d.cfg.Backoff(del.Attempts))
	log.InfoContext(ctx, "delivery failed, will retry", "err", del.LastError, "next", del.NextAttempt)
	if err := d.q.Reschedule(ctx, del); err != nil {
		log.ErrorContext(ctx, "rescheduling a delivery failed", "err", err)
	}
}

// final is a 4xx that a retry will not change (401, 408 and 429 can).
func final(status int) bool {
	return status >= 400 && status < 500 && status != 401 && status != 408 && status != 429
}

func (d *Deliverer) post(ctx context.Context, del store.Delivery) (int, error) {
	key, err := d.keys.Get(ctx, del.Signer)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, del.Inbox, bytes.NewReader(del.Body))
	if err != nil {
		return 0, fmt.Errorf("inbox %q: %w", del.Inbox, err)
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("User-Agent", d.cfg.UserAgent)
	if err := httpsig.SignPOST(req, del.Body, del.Signer+"#main-key", key.priv); err != nil {
		return 0, fmt.Errorf("signing: %w", err)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	drain(resp)
	return resp.StatusCode, nil
}
