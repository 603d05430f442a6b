package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"
)

// recordingAcks is an ackManyer that records each AckMany; block, when
// set, holds the first call until it is closed, and failures fail that
// many calls first.
type recordingAcks struct {
	mu       sync.Mutex
	calls    [][]string
	acked    map[string]int
	failures int
	block    chan struct{}
	entered  chan struct{}
}

func (r *recordingAcks) AckMany(_ context.Context, ids ...string) error {
	r.mu.Lock()
	first := len(r.calls) == 0
	r.calls = append(r.calls, slices.Clone(ids))
	if r.failures > 0 {
		r.failures--
		r.mu.Unlock()
		return errors.New("disk full")
	}
	r.mu.Unlock()
	if first && r.block != nil {
		close(r.entered)
		<-r.block
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.acked == nil {
		r.acked = map[string]int{}
	}
	for _, id := range ids {
		r.acked[id]++
	}
	return nil
}

func (r *recordingAcks) snapshot() (calls [][]string, acked map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls), maps.Clone(r.acked)
}

func ackTestLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestDeliverAckGroupCommit: what is handed over while an AckMany is under
// way goes out together in the next one, and a lone id is acked at once.
func TestDeliverAckGroupCommit(t *testing.T) {
	r := &recordingAcks{block: make(chan struct{}), entered: make(chan struct{})}
	a := newAcknowledger(r, ackTestLogger())
	go a.run(t.Context())

	a.add("first")
	<-r.entered // the first AckMany is under way (a slow fsync)
	var want []string
	for i := range 100 {
		id := fmt.Sprintf("d%03d", i)
		want = append(want, id)
		a.add(id)
	}
	close(r.block)
	ackWaitFor(t, "the 100 to be acked", func() bool { _, acked := r.snapshot(); return len(acked) == 101 })

	a.add("lone") // idle: no timer to wait for
	ackWaitFor(t, "the lone id to be acked", func() bool { _, acked := r.snapshot(); return acked["lone"] == 1 })
	a.close()

	calls, acked := r.snapshot()
	if len(calls) != 3 || !slices.Equal(calls[0], []string{"first"}) || !slices.Equal(calls[1], want) || !slices.Equal(calls[2], []string{"lone"}) {
		t.Errorf("AckMany calls %q; want [first], the 100 in one call, [lone]", calls)
	}
	for id, n := range acked {
		if n != 1 {
			t.Errorf("%s acked %d times", id, n)
		}
	}
}

// TestDeliverAckRetry: a failing AckMany is retried with what arrived
// meanwhile, nothing is lost, and close acks what is left before it
// returns.
func TestDeliverAckRetry(t *testing.T) {
	r := &recordingAcks{failures: 3}
	a := newAcknowledger(r, ackTestLogger())
	go a.run(t.Context())
	a.add("a")
	ackWaitFor(t, "the first failure", func() bool { calls, _ := r.snapshot(); return len(calls) >= 1 })
	a.add("b")
	ackWaitFor(t, "a and b to be acked", func() bool { _, acked := r.snapshot(); return len(acked) == 2 })
	calls, acked := r.snapshot()
	if len(calls) != 4 || !slices.Equal(calls[3], []string{"a", "b"}) {
		t.Errorf("AckMany calls %q; want three failures, then a and b together", calls)
	}
	if acked["a"] != 1 || acked["b"] != 1 {
		t.Errorf("acked %v", acked)
	}

	// Handed over just before Run returns: close must ack it, even while
	// the store fails once more.
	r.mu.Lock()
	r.failures = 1
	r.mu.Unlock()
	a.add("last")
	a.close()
	if _, acked := r.snapshot(); acked["last"] != 1 {
		t.Errorf("close returned with %q unacked (acked %v)", "last", acked)
	}
}

// TestDeliverAckBatchBound: a backlog is acked maxAckBatch ids at a time.
func TestDeliverAckBatchBound(t *testing.T) {
	r := &recordingAcks{}
	a := newAcknowledger(r, ackTestLogger())
	for i := range 2*maxAckBatch + 1 {
		a.add(fmt.Sprint(i))
	}
	go a.run(t.Context())
	a.close()
	calls, acked := r.snapshot()
	if len(acked) != 2*maxAckBatch+1 {
		t.Fatalf("%d acked, want %d", len(acked), 2*maxAckBatch+1)
	}
	for _, c := range calls {
		if len(c) > maxAckBatch {
			t.Errorf("an AckMany of %d ids, more than %d", len(c), maxAckBatch)
		}
	}
}

func ackWaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
