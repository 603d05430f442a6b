package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
)

// ackStore is the real embedded store with its acknowledgements counted,
// and AckMany failing while failing is set.
type ackStore struct {
	*boltstore.Store

	mu         sync.Mutex
	failing    bool
	ackMany    int // successful AckMany calls
	failed     int // failed AckMany calls
	singleAcks int
	claims     []int // the limit of each Claim
}

func (s *ackStore) AckMany(ctx context.Context, ids ...string) error {
	s.mu.Lock()
	if s.failing {
		s.failed++
		s.mu.Unlock()
		return errors.New("disk full")
	}
	s.ackMany++
	s.mu.Unlock()
	return s.Store.AckMany(ctx, ids...)
}

func (s *ackStore) Ack(ctx context.Context, id string) error {
	s.mu.Lock()
	s.singleAcks++
	s.mu.Unlock()
	return s.Store.Ack(ctx, id)
}

func (s *ackStore) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.Delivery, error) {
	s.mu.Lock()
	s.claims = append(s.claims, limit)
	s.mu.Unlock()
	return s.Store.Claim(ctx, now, limit, lease)
}

func (s *ackStore) setFailing(v bool) {
	s.mu.Lock()
	s.failing = v
	s.mu.Unlock()
}

func (s *ackStore) counts() (ackMany, failed, singleAcks int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ackMany, s.failed, s.singleAcks
}

func startAckDeliverer(t *testing.T, st *ackStore, cfg delivery.Config) func() {
	t.Helper()
	cfg.Logger = discardLogger()
	d := delivery.NewDeliverer(st, actors.NewKeys(st), loopbackClient(0), cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	stop := sync.OnceFunc(func() { cancel(); <-done })
	t.Cleanup(stop)
	return stop
}

// TestDeliverAcksInBatches: settled deliveries leave the queue through
// AckMany, many per call under load, never through single Acks; and the
// claims ask for at least half of Batch while no worker starves.
func TestDeliverAcksInBatches(t *testing.T) {
	st := &ackStore{Store: deliveryStore(t)}
	var inboxes []*testInbox
	for range 20 {
		inboxes = append(inboxes, newTestInbox(t, answerWith(http.StatusAccepted)))
	}
	const n = 300
	var ds []store.Delivery
	for i := range n {
		ds = append(ds, testDelivery(fmt.Sprintf("d%03d", i), inboxes[i%len(inboxes)].URL))
	}
	enqueueDeliveries(t, st.Store, ds...)
	reg := prometheus.NewRegistry()
	stop := startAckDeliverer(t, st, delivery.Config{Idle: 5 * time.Millisecond, Registry: reg})
	pollUntil(t, "every delivery to be acked", 20*time.Second, func() bool { return queueDepth(t, st.Store) == 0 })
	stop()

	ackMany, failed, single := st.counts()
	if single != 0 || failed != 0 {
		t.Errorf("%d single Acks and %d failed AckManys, want none", single, failed)
	}
	if ackMany == 0 || ackMany >= n {
		t.Errorf("%d AckMany calls for %d deliveries; want fewer, several per commit", ackMany, n)
	}
	for _, in := range inboxes {
		if h := in.Hits(); h != n/len(inboxes) {
			t.Errorf("%s got %d POSTs, want %d", in.Host, h, n/len(inboxes))
		}
	}
	if got := metricSum(t, reg, deliveries, "outcome", "delivered"); got != n {
		t.Errorf("delivered = %v, want %d", got, n)
	}
	st.mu.Lock()
	claims := len(st.claims)
	st.mu.Unlock()
	t.Logf("%d deliveries: %d AckMany calls, %d claims", n, ackMany, claims)
}

// TestDeliverAckFailureKeepsDeliveries: while AckMany fails, delivered
// deliveries stay queued but claimed, so they are not sent again (the lease
// hides them); when it works again they are acked, at the latest when Run
// returns.
func TestDeliverAckFailureKeepsDeliveries(t *testing.T) {
	st := &ackStore{Store: deliveryStore(t)}
	st.setFailing(true)
	in := newTestInbox(t, answerWith(http.StatusAccepted))
	reg := prometheus.NewRegistry()
	stop := startAckDeliverer(t, st, delivery.Config{Idle: 5 * time.Millisecond, Registry: reg})
	var ds []store.Delivery
	for i := range 5 {
		ds = append(ds, testDelivery(fmt.Sprintf("d%d", i), in.URL))
	}
	enqueueDeliveries(t, st.Store, ds...)
	pollUntil(t, "the deliveries", 10*time.Second, func() bool {
		return metricSum(t, reg, deliveries, "outcome", "delivered") == 5
	})
	pollUntil(t, "a failed AckMany", 10*time.Second, func() bool { _, failed, _ := st.counts(); return failed > 0 })
	time.Sleep(100 * time.Millisecond) // 20 idle rounds of the dispatcher
	if h := in.Hits(); h != 5 {
		t.Errorf("%d POSTs while the acks failed, want 5: an unacked delivery was sent again", h)
	}
	if n := queueDepth(t, st.Store); n != 5 {
		t.Errorf("%d queued while AckMany fails, want the 5 delivered", n)
	}

	st.setFailing(false)
	stop() // Run acks what is pending before it returns
	if n := queueDepth(t, st.Store); n != 0 {
		t.Errorf("%d still queued after Run returned", n)
	}
	if h := in.Hits(); h != 5 {
		t.Errorf("%d POSTs, want 5", h)
	}
}

// TestHostLinesDoNotBlockClaims: deliveries held for hung hosts fill more
// than half of Batch, so the dispatcher would wait for room before its
// next claim; a starving worker makes it claim what room there is, so the
// other hosts' deliveries still go at once.
func TestHostLinesDoNotBlockClaims(t *testing.T) {
	st := deliveryStore(t)
	release := make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce)
	const hung, perHung = 6, 5 // each holds 1 running + 4 waiting
	var ds []store.Delivery
	var hungInboxes []*testInbox
	for h := range hung {
		in := newTestInbox(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			w.WriteHeader(http.StatusAccepted)
		})
		hungInboxes = append(hungInboxes, in)
		for i := range perHung {
			ds = append(ds, testDelivery(fmt.Sprintf("a-hung-%d-%d", h, i), in.URL))
		}
	}
	fast := newTestInbox(t, answerWith(http.StatusAccepted))
	const nFast = 12
	for i := range nFast {
		ds = append(ds, testDelivery(fmt.Sprintf("b-fast-%02d", i), fast.URL))
	}
	enqueueDeliveries(t, st, ds...)
	_, stop := startDeliverer(t, st, loopbackClient(0), delivery.Config{
		Workers: 8, HostLimit: 1, HostQueue: 4, Batch: 32, Idle: 5 * time.Millisecond,
	})
	pollUntil(t, "every delivery to the fast host while the others hang", 10*time.Second, func() bool {
		return fast.Hits() == nFast
	})
	releaseOnce()
	pollUntil(t, "the hung hosts' deliveries", 20*time.Second, func() bool { return queueDepth(t, st) == 0 })
	stop()
	for _, in := range hungInboxes {
		if h := in.Hits(); h != perHung {
			t.Errorf("%s got %d POSTs, want %d", in.Host, h, perHung)
		}
	}
}
