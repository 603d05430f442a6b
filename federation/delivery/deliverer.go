package delivery

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/store"
)

// Queue is the part of the store the deliverer works from.
type Queue interface {
	Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.Delivery, error)
	Ack(ctx context.Context, id string) error
	Reschedule(ctx context.Context, d store.Delivery) error
}

// Keys gives the private key an activity is signed with; *actors.Keys
// satisfies it.
type Keys interface {
	Get(ctx context.Context, actorID string) (*actors.Key, error)
}

// queueLener is the optional part of a Queue the depth gauge reads; both
// store backends have it, a Queue without it simply has no depth metric.
type queueLener interface {
	QueueLen(ctx context.Context) (int, error)
}

// Config tunes the deliverer; zero values take the defaults, so a
// caller that sets none of the newer fields gets the behaviour of the big
// servers (docs/interop.md, "Delivery and retries").
type Config struct {
	// Workers is how many POSTs run at once; default 8.
	Workers int
	// MaxAttempts is how many tries a delivery gets; default 16, as Mastodon.
	MaxAttempts int
	// Backoff returns the wait after the n-th failed try; default
	// Mastodon's n**4 + 15 s with up to 25% jitter, about two to three days
	// in all. A custom Backoff brings its own jitter.
	Backoff func(attempt int) time.Duration
	// Idle is the wait when the queue has nothing due; default 1 s.
	Idle      time.Duration
	UserAgent string
	Logger    *slog.Logger

	// HostLimit is how many POSTs run at once to one host:port; default 4,
	// but at most half the workers, so one dead host can never take every
	// worker. A host whose last POST failed gets one at a time.
	HostLimit int
	// HostQueue is how many claimed deliveries may wait in memory for a
	// busy host; default HostLimit. Beyond it they go back to the store for
	// a little later (see BusyDelay).
	HostQueue int
	// Batch is how many deliveries are claimed and held in memory at most
	// (running, ready or waiting for their host); default 4 × Workers.
	Batch int
	// BusyDelay is the least a delivery to a host at its limit is put back
	// for (without counting an attempt), and the assumed duration of a POST
	// to a host not measured yet; default 0.5 s. Further deliveries to the
	// same host are spaced by its measured POST time per slot.
	BusyDelay time.Duration
	// PostTimeout bounds one POST, whatever the client's own timeout;
	// default 30 s.
	PostTimeout time.Duration
	// Lease is how long a claimed delivery is hidden from other claimers;
	// after a crash it is also how long the deliveries in hand wait to be
	// sent again. Default 2 min, and never less than 4 × PostTimeout.
	Lease time.Duration

	// BreakerThreshold is how many consecutive failures (network errors and
	// 5xx) open a host's circuit breaker; default 10, as Mastodon.
	BreakerThreshold int
	// BreakerCooldown is the first pause of an open breaker; each failed
	// trial doubles it, up to BreakerMaxCooldown. Defaults 1 min and 1 day.
	BreakerCooldown    time.Duration
	BreakerMaxCooldown time.Duration

	// RetryAfterMax caps a 429's or 503's Retry-After; default 1 day.
	RetryAfterMax time.Duration

	// Gone is called when an inbox answers 410 Gone: the remote actor was
	// deleted, and the follows that deliver to that inbox should be removed
	// (inbox may be a shared inbox; the callback decides what that means).
	// The delivery is dropped either way, never retried. Nil means nothing
	// is removed.
	Gone func(ctx context.Context, inbox string)

	// Registry receives the delivery metrics; nil means none are kept.
	Registry prometheus.Registerer
	// MetricsEvery is how often the queue depth is sampled and idle breaker
	// state is pruned; default 10 s.
	MetricsEvery time.Duration
}

// withDefaults fills in what the caller left zero.
func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 16
	}
	if c.Backoff == nil {
		c.Backoff = mastodonBackoff
	}
	if c.Idle <= 0 {
		c.Idle = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.HostLimit <= 0 {
		c.HostLimit = min(4, max(1, c.Workers/2))
	}
	if c.HostQueue <= 0 {
		c.HostQueue = c.HostLimit
	}
	if c.Batch <= 0 {
		c.Batch = 4 * c.Workers
	}
	c.Batch = max(c.Batch, c.Workers)
	if c.BusyDelay <= 0 {
		c.BusyDelay = 500 * time.Millisecond
	}
	if c.PostTimeout <= 0 {
		c.PostTimeout = 30 * time.Second
	}
	if c.BreakerThreshold <= 0 {
		c.BreakerThreshold = 10
	}
	if c.BreakerCooldown <= 0 {
		c.BreakerCooldown = time.Minute
	}
	if c.BreakerMaxCooldown <= 0 {
		c.BreakerMaxCooldown = 24 * time.Hour
	}
	c.BreakerMaxCooldown = max(c.BreakerMaxCooldown, c.BreakerCooldown)
	if c.RetryAfterMax <= 0 {
		c.RetryAfterMax = 24 * time.Hour
	}
	if c.MetricsEvery <= 0 {
		c.MetricsEvery = 10 * time.Second
	}
	return c
}

// Deliverer POSTs queued activities, signed as their actor, and retries
// failures on a schedule; a delivery leaves the queue only after a 2xx or
// a final failure, and a crash only returns it to the queue when its lease
// ends.
//
// How it keeps one host from delaying the others:
//
//   - One dispatcher claims batches (up to Batch held in memory) from the
//     store and hands each delivery to a host limiter (hostlimit.go) that
//     lets at most HostLimit POSTs run per host:port, one while the host is
//     failing. A delivery to a host at its limit waits in a short per-host
//     FIFO (HostQueue); when that is full too, it goes straight back to the
//     store for a little later, without counting an attempt. No worker
//     ever waits for a host: workers only take deliveries whose host slot
//     is already theirs.
//   - A per-host circuit breaker (breaker.go) stops POSTs to a host after
//     BreakerThreshold consecutive failures; its deliveries are put back
//     until the breaker half-opens, without counting an attempt, so a host
//     that is down for days is paused, not dropped.
//   - Every POST is bounded by PostTimeout, so a slot is never held longer.
//
// How it keeps the store's commits off the delivery path: the dispatcher
// claims only once half of Batch is free (or a worker has nothing to do),
// so one claim takes many deliveries, and workers hand what they settled
// to one acknowledger (ack.go) that removes everything handed
// over so far in one AckMany. With the embedded store, where every commit
// is an fsync on a single writer, that is a few commits per Batch instead
// of two or more per delivery.
type Deliverer struct {
	q       Queue
	keys    Keys
	client  *http.Client
	cfg     Config
	log     *slog.Logger
	lease   time.Duration
	breaker *breaker
	metrics *Metrics
	wake    chan struct{}
}

// deliveryLease is how long a claimed delivery is hidden from others at
// least; see NewDeliverer.
const deliveryLease = 2 * time.Minute

// NewDeliverer returns a deliverer over a queue, signing with keys and
// posting through client; Run starts it.
func NewDeliverer(q Queue, keys Keys, client *http.Client, cfg Config) *Deliverer {
	cfg = cfg.withDefaults()
	m := NewMetrics(cfg.Registry)
	d := &Deliverer{
		q: q, keys: keys, client: client, cfg: cfg, log: cfg.Logger,
		// A claimed delivery may wait in memory for up to half the lease
		// (see run), then POST for up to PostTimeout, then wait a commit
		// for its acknowledgement (ack.go): the lease must
		// outlast all three, or another claimer would send it a second
		// time; the quarter left over is at least one PostTimeout.
		lease:   max(cmp.Or(cfg.Lease, deliveryLease), 4*cfg.PostTimeout),
		metrics: m,
		wake:    make(chan struct{}, 1),
	}
	d.breaker = newBreaker(cfg.BreakerThreshold, cfg.BreakerCooldown, cfg.BreakerMaxCooldown, m.breakerState)
	return d
}

// Revive closes host's circuit breaker, because the host just showed it
// is alive (it sent us a signed request); a 429's pause, which the host
// asked for, is kept. Deliveries already put back stay due when they
// were; new ones go at once. It is cheap when host is not troubled, and
// safe to call from any goroutine.
func (d *Deliverer) Revive(host string) {
	host = normalizeHost(host)
	if host == "" {
		return
	}
	if d.breaker.revive(host) {
		d.log.Info("delivery host revived", "host", host)
	}
}

// Run delivers until ctx ends. POSTs under way when it ends are finished
// (each is bounded by PostTimeout); claimed deliveries not yet started are
// put back due at once, so a restart need not wait for their lease; and
// the settled deliveries not yet acknowledged are acked before it returns.
func (d *Deliverer) Run(ctx context.Context) {
	p := &pipeline{
		lim: newHostLimiter(d.cfg.HostLimit, d.cfg.HostQueue, d.cfg.BusyDelay, d.breaker.limit),
		// ready never blocks a sender: everything in it is counted as held,
		// and the dispatcher never holds more than Batch (see dispatch).
		ready:   make(chan job, d.cfg.Batch),
		starved: make(chan struct{}, 1),
	}
	if q, ok := d.q.(ackManyer); ok {
		p.acks = newAcknowledger(q, d.log)
		go p.acks.run(ctx)
	}
	var wg sync.WaitGroup
	for range d.cfg.Workers {
		wg.Go(func() { d.work(ctx, p) })
	}
	wg.Go(func() { d.housekeep(ctx) })
	d.dispatch(ctx, p)
	wg.Wait()

	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for len(p.ready) > 0 { // the workers are gone: nothing else reads it
		d.putBack(rctx, (<-p.ready).del)
	}
	for _, j := range p.lim.drainWaiting() {
		d.putBack(rctx, j.del)
	}
	if p.acks != nil {
		p.acks.close() // the workers are gone: nothing more is handed over
	}
}

// pipeline is what the dispatcher and the workers of one Run share.
type pipeline struct {
	lim   *hostLimiter
	ready chan job
	// acks settles delivered and finally failed deliveries in batches;
	// nil when the Queue has no AckMany, and each is acked by its worker.
	acks *acknowledger
	// idle counts the workers waiting for a delivery; one that starts to
	// wait with nothing ready puts a token in starved for the dispatcher.
	idle    atomic.Int32
	starved chan struct{}
}

// dispatch claims deliveries while there is room for them in memory and
// routes each to a worker, its host's waiting line, or back to the store.
//
// It claims when at least half of Batch is free, not for every delivery
// let go, so that one claim (one durable commit) takes many deliveries at
// a time. It claims into a smaller room only when a worker has nothing to
// do: deliveries held for slow hosts then never keep the other hosts'
// deliveries from being claimed.
func (d *Deliverer) dispatch(ctx context.Context, p *pipeline) {
	half := (d.cfg.Batch + 1) / 2
	for ctx.Err() == nil {
		room := d.cfg.Batch - p.lim.held()
		if room <= 0 || (room < half && p.idle.Load() == 0) {
			select {
			case <-ctx.Done():
			case <-p.lim.freed:
			case <-p.starved:
			}
			continue
		}
		now := time.Now()
		batch, err := d.q.Claim(ctx, now, room, d.lease)
		if err != nil {
			if ctx.Err() == nil {
				d.log.ErrorContext(ctx, "claiming deliveries failed", "err", err)
			}
			sleep(ctx, d.cfg.Idle)
			continue
		}
		for _, del := range batch {
			// Routing writes to the store: finish it even when ctx ends,
			// or what was claimed stays hidden until its lease ends.
			d.route(context.WithoutCancel(ctx), p.lim, p.ready, job{del: del, host: HostOf(del.Inbox), claimed: now})
		}
		if len(batch) < room {
			// Nothing more is due: wait for the next retry, or for Wake.
			select {
			case <-ctx.Done():
			case <-d.wake:
			case <-time.After(d.cfg.Idle):
			}
		}
	}
}

// Wake tells an idle deliverer that something was queued, so a new post
// goes out at once instead of after the idle wait.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// work runs deliveries from ready until ctx ends; finishing one hands its
// host slot to the next delivery waiting for that host.
func (d *Deliverer) work(ctx context.Context, p *pipeline) {
	for ctx.Err() == nil {
		var j job
		select {
		case j = <-p.ready:
		default:
			// Nothing ready: tell the dispatcher, which may be waiting for
			// more room than there is, that a worker starves.
			p.idle.Add(1)
			select {
			case p.starved <- struct{}{}:
			default:
			}
			select {
			case <-ctx.Done():
				p.idle.Add(-1)
				return
			case j = <-p.ready:
			}
			p.idle.Add(-1)
		}
		var took time.Duration
		if ctx.Err() != nil {
			d.putBack(context.WithoutCancel(ctx), j.del)
		} else {
			took = d.run(context.WithoutCancel(ctx), j, p.acks)
		}
		if next, ok := p.lim.finish(j, took); ok {
			p.ready <- next
		}
	}
}

// housekeep samples the queue depth and forgets idle breaker state.
func (d *Deliverer) housekeep(ctx context.Context) {
	ql, _ := d.q.(queueLener)
	t := time.NewTicker(d.cfg.MetricsEvery)
	defer t.Stop()
	for {
		if ql != nil && d.metrics != nil {
			if n, err := ql.QueueLen(ctx); err == nil {
				d.metrics.queueDepth(n)
			} else if ctx.Err() == nil {
				d.log.WarnContext(ctx, "reading the queue length failed", "err", err)
			}
		}
		d.breaker.prune(time.Now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
