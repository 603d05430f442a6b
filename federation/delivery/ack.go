package delivery

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// ackManyer is the optional part of a Queue that removes many deliveries
// in one durable step; both store backends have it. Over a Queue without
// it, every worker acks its own deliveries one by one.
type ackManyer interface {
	AckMany(ctx context.Context, ids ...string) error
}

const (
	// maxAckBatch bounds one AckMany, so one commit stays small even when
	// a backlog of acknowledgements built up while the store failed.
	maxAckBatch = 1024
	// ackTimeout bounds one AckMany call.
	ackTimeout = 10 * time.Second
	// ackRetryMin and ackRetryMax bound the wait before a failed AckMany
	// is tried again (doubling in between).
	ackRetryMin = 50 * time.Millisecond
	ackRetryMax = 5 * time.Second
	// ackDrainTimeout is how long Run, returning, keeps trying to ack what
	// is still pending.
	ackDrainTimeout = 10 * time.Second
)

// acknowledger removes settled deliveries from the queue for the workers
// of one Run, group-commit style: a worker hands over the id and goes on
// at once, and one goroutine acks everything handed over so far in one
// AckMany, so under load one durable commit (one fsync in bbolt) settles
// many deliveries, while an idle deliverer acks each delivery at once,
// with no timer to wait for.
//
// An id handed over is still in the queue until its AckMany succeeds, but
// it stays claimed by its lease, so no claimer (this process included)
// gets it again meanwhile. If the AckMany fails it is retried; should the
// process die first, the delivery comes back when its lease ends and is
// sent once more, which is the queue's at-least-once contract.
type acknowledger struct {
	q   ackManyer
	log *slog.Logger

	mu      sync.Mutex
	pending []string

	// kick has a token when pending may have grown.
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

func newAcknowledger(q ackManyer, log *slog.Logger) *acknowledger {
	return &acknowledger{
		q: q, log: log,
		kick: make(chan struct{}, 1),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
}

// add hands the id of a settled delivery over to be acked; it never blocks.
func (a *acknowledger) add(id string) {
	a.mu.Lock()
	a.pending = append(a.pending, id)
	a.mu.Unlock()
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// run acks what is handed over until close is called, then acks what is
// left and returns. ctx only carries values: the acknowledger must outlive
// the Run's cancellation, since the POSTs under way still settle.
func (a *acknowledger) run(ctx context.Context) {
	defer close(a.done)
	ctx = context.WithoutCancel(ctx)
	var (
		retry   *time.Timer
		retryC  <-chan time.Time
		backoff time.Duration
	)
	for {
		select {
		case <-a.kick:
			if retryC != nil {
				continue // failing: wait for the retry, whatever arrives
			}
		case <-retryC:
			retryC = nil
		case <-a.stop:
			if retry != nil {
				retry.Stop()
			}
			a.drain(ctx)
			return
		}
		if a.flush(ctx) {
			backoff = 0
			continue
		}
		backoff = min(max(2*backoff, ackRetryMin), ackRetryMax)
		retry = time.NewTimer(backoff)
		retryC = retry.C
	}
}

// close stops run once everything handed over is acked (or, when the
// store keeps failing, after ackDrainTimeout); call it after the last add.
func (a *acknowledger) close() {
	close(a.stop)
	<-a.done
}

// flush acks everything pending, maxAckBatch ids per AckMany, and says
// whether it all succeeded; ids of a failed AckMany stay pending.
func (a *acknowledger) flush(ctx context.Context) bool {
	for {
		a.mu.Lock()
		n := min(len(a.pending), maxAckBatch)
		batch := a.pending[:n:n]
		a.pending = a.pending[n:]
		if len(a.pending) == 0 {
			a.pending = nil // let the array go; the next add starts a new one
		}
		a.mu.Unlock()
		if n == 0 {
			return true
		}
		actx, cancel := context.WithTimeout(ctx, ackTimeout)
		err := a.q.AckMany(actx, batch...)
		cancel()
		if err != nil {
			a.mu.Lock()
			a.pending = append(batch, a.pending...)
			a.mu.Unlock()
			// They come back when their lease ends, and are sent once more,
			// unless a retry gets through first.
			a.log.ErrorContext(ctx, "acknowledging deliveries failed, will retry", "deliveries", n, "err", err)
			return false
		}
	}
}

// drain acks what is pending, retrying for up to ackDrainTimeout.
func (a *acknowledger) drain(ctx context.Context) {
	deadline := time.Now().Add(ackDrainTimeout)
	backoff := ackRetryMin
	for !a.flush(ctx) {
		if time.Now().Add(backoff).After(deadline) {
			a.mu.Lock()
			n := len(a.pending)
			a.mu.Unlock()
			a.log.ErrorContext(ctx, "giving up acknowledging deliveries; they will be sent again when their lease ends", "deliveries", n)
			return
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, ackRetryMax)
	}
}
