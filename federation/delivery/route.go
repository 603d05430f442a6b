package delivery

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// job is one claimed delivery on its way through the deliverer.
type job struct {
	del store.Delivery
	// host is the inbox's host:port, the key of the limiter and breaker.
	host string
	// claimed is when the lease on it was taken.
	claimed time.Time
}

// route decides what to do with a freshly claimed delivery without ever
// waiting on its host: defer it while the host's breaker is open or the
// host asked us to slow down, run it when the host has a free slot, let it
// wait in memory when the host's short line has room, and otherwise put it
// back in the store a little later.
func (d *Deliverer) route(ctx context.Context, lim *hostLimiter, ready chan<- job, j job) {
	if until, wait := d.breaker.deferUntil(j.host, j.claimed); wait {
		d.deferTo(ctx, j, spread(j.claimed, until), outcomeBreakerDeferred)
		return
	}
	switch verdict, comeBack := lim.admit(j); verdict {
	case admitRun:
		ready <- j
	case admitQueued:
	case admitDuplicate:
		// Its lease ran out while we still hold it (or a retried claim
		// returned it twice); the copy we hold will settle it.
		d.log.DebugContext(ctx, "delivery already held", "delivery", j.del.ID)
	case admitFull:
		d.deferTo(ctx, j, comeBack.Add(rand.N(d.cfg.BusyDelay/4+1)), outcomeBusyDeferred)
	}
}

// run POSTs one delivery whose host slot is taken, unless its host's
// breaker closed the way since it was routed or it waited so long in
// memory that its lease could end during the POST. It returns how long
// the POST took, 0 when there was none.
func (d *Deliverer) run(ctx context.Context, j job, acks *acknowledger) time.Duration {
	now := time.Now()
	if now.Sub(j.claimed) > d.lease/2 {
		d.deferTo(ctx, j, now, outcomeBusyDeferred)
		return 0
	}
	trial, wait, ok := d.breaker.admit(j.host, now)
	if !ok {
		d.deferTo(ctx, j, spread(now, wait), outcomeBreakerDeferred)
		return 0
	}
	return d.attempt(ctx, j, trial, acks)
}

// deferTo puts a delivery back due at `at` without counting an attempt.
func (d *Deliverer) deferTo(ctx context.Context, j job, at time.Time, outcome string) {
	d.metrics.outcome(outcome)
	j.del.NextAttempt = at
	if err := d.q.Reschedule(ctx, j.del); err != nil {
		d.rescheduleFailed(ctx, j.del, err)
		return
	}
	d.log.DebugContext(ctx, "delivery deferred", "delivery", j.del.ID, "host", j.host, "reason", outcome, "next", at)
}

// putBack returns a claimed delivery that was never tried, due at once.
func (d *Deliverer) putBack(ctx context.Context, del store.Delivery) {
	del.NextAttempt = time.Now()
	if err := d.q.Reschedule(ctx, del); err != nil {
		d.rescheduleFailed(ctx, del, err)
	}
}

func (d *Deliverer) rescheduleFailed(ctx context.Context, del store.Delivery, err error) {
	if errors.Is(err, store.ErrNotFound) {
		// Acked meanwhile by another claimer: nothing to keep.
		d.log.DebugContext(ctx, "rescheduled delivery is no longer queued", "delivery", del.ID)
		return
	}
	// The lease brings it back anyway; only the timing is lost.
	d.log.ErrorContext(ctx, "rescheduling a delivery failed", "delivery", del.ID, "err", err)
}

// spread adds up to a tenth of the wait (at most a minute) to a deferral,
// so the deliveries held back for one host do not all come due in the
// same instant when it reopens.
func spread(now, until time.Time) time.Time {
	wait := until.Sub(now)
	if wait <= 0 {
		return until
	}
	return until.Add(rand.N(min(wait/10, time.Minute) + 1))
}
