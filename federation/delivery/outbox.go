package delivery

import (
	"context"

	"github.com/wikipub/wikipub/federation/store"
)

// Enqueuer is the durable queue deliveries are written to; the store has it.
type Enqueuer interface {
	Enqueue(ctx context.Context, ds ...store.Delivery) error
}

// Outbox queues deliveries durably, then wakes the deliverer so they leave
// at once instead of at its next idle check. The publisher and the inbox
// queue through it (each declares the one method it needs).
type Outbox struct {
	q    Enqueuer
	wake func()
}

// NewOutbox queues to q and calls wake (may be nil), typically
// (*Deliverer).Wake, after each successful Enqueue.
func NewOutbox(q Enqueuer, wake func()) *Outbox { return &Outbox{q: q, wake: wake} }

// Enqueue queues ds (nothing when empty) and wakes the deliverer.
func (o *Outbox) Enqueue(ctx context.Context, ds ...store.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	if err := o.q.Enqueue(ctx, ds...); err != nil {
		return err
	}
	if o.wake != nil {
		o.wake()
	}
	return nil
}
