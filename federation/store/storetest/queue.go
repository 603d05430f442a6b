package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// delivery builds a distinct delivery due at due.
func delivery(id string, due time.Time) store.Delivery {
	return store.Delivery{
		ID:          id,
		Inbox:       "https://remote.example/inbox",
		Signer:      actor,
		Body:        fmt.Appendf(nil, `{"id":"https://wiki.example/ap/activity/%s"}`, id),
		NextAttempt: due,
		Created:     base.Add(-time.Hour),
	}
}

func testEnqueue(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.Enqueue(ctx), "empty Enqueue")
	checkQueueLen(t, s, 0)

	full := store.Delivery{
		ID:          "full",
		Inbox:       "https://remote.example/users/a/inbox",
		Signer:      actor,
		Body:        []byte("{\"x\":\"\x00\xff binary-safe\"}"),
		Attempts:    2,
		NextAttempt: base.Add(123456789 * time.Nanosecond),
		LastError:   "503 Service Unavailable",
		Created:     base.Add(-time.Hour),
	}
	must(t, s.Enqueue(ctx, full, delivery("d2", base)), "Enqueue")
	checkQueueLen(t, s, 2)

	replay := full
	replay.Body = []byte("replayed")
	replay.Attempts = 0
	must(t, s.Enqueue(ctx, replay, delivery("d3", base), delivery("d3", base)), "Enqueue replay")
	checkQueueLen(t, s, 3)

	// Claim exactly when full is due, to the nanosecond: due at now counts.
	got, err := s.Claim(ctx, full.NextAttempt, 10, time.Minute)
	must(t, err, "Claim")
	checkIDs(t, "Claim", got, "d2", "d3", "full")
	for _, d := range got {
		if d.ID == "full" {
			checkDelivery(t, d, full) // the first copy, not the replay
		}
	}

	// Enqueue fills in ID, Created and NextAttempt.
	before := time.Now()
	must(t, s.Enqueue(ctx, store.Delivery{Inbox: "https://remote.example/inbox", Body: []byte("{}")}), "Enqueue without ID")
	after := time.Now()
	checkQueueLen(t, s, 4)
	got, err = s.Claim(ctx, after.Add(time.Second), 10, time.Minute)
	must(t, err, "Claim defaulted")
	if len(got) != 1 {
		t.Fatalf("Claim after enqueueing a defaulted delivery = %q, want exactly it", ids(got))
	}
	d := got[0]
	if d.ID == "" {
		t.Errorf("Enqueue left the ID empty")
	}
	if d.Created.Before(before.Add(-time.Millisecond)) || d.Created.After(after.Add(time.Millisecond)) {
		t.Errorf("defaulted Created = %v, want between %v and %v", d.Created, before, after)
	}
	if !d.NextAttempt.Equal(d.Created) {
		t.Errorf("defaulted NextAttempt = %v, want Created %v", d.NextAttempt, d.Created)
	}
}

func testAckAndReschedule(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.Enqueue(ctx, delivery("a", base), delivery("b", base), delivery("c", base)), "Enqueue")
	claimed, err := s.Claim(ctx, base, 10, time.Minute)
	must(t, err, "Claim")
	checkIDs(t, "Claim", claimed, "a", "b", "c")
	checkQueueLen(t, s, 3) // claimed deliveries are still queued

	must(t, s.Ack(ctx, "a"), "Ack")
	checkQueueLen(t, s, 2)
	must(t, s.Ack(ctx, "a"), "second Ack")
	must(t, s.Ack(ctx, "never-queued"), "Ack of an unknown id")
	checkQueueLen(t, s, 2)

	b := claimed[1]
	b.Attempts = 1
	b.NextAttempt = base.Add(10 * time.Minute)
	b.LastError = "connection refused"
	must(t, s.Reschedule(ctx, b), "Reschedule")
	checkQueueLen(t, s, 2)

	// c's lease ended at base+1m; b is now due at base+10m; a is gone.
	got, err := s.Claim(ctx, base.Add(5*time.Minute), 10, time.Hour)
	must(t, err, "Claim before b is due")
	checkIDs(t, "Claim at +5m", got, "c")
	got, err = s.Claim(ctx, base.Add(11*time.Minute), 10, time.Minute)
	must(t, err, "Claim after b is due")
	checkIDs(t, "Claim at +11m", got, "b")
	if len(got) == 1 {
		checkDelivery(t, got[0], b)
	}

	if err := s.Reschedule(ctx, delivery("never-queued", base)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Reschedule of an unknown delivery: err = %v, want ErrNotFound", err)
	}
	must(t, s.Ack(ctx, "b"), "Ack b")
	if err := s.Reschedule(ctx, b); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Reschedule after Ack: err = %v, want ErrNotFound", err)
	}
	checkQueueLen(t, s, 1)
	got, err = s.Claim(ctx, base.Add(2*time.Hour), 10, time.Minute)
	must(t, err, "final Claim")
	checkIDs(t, "final Claim", got, "c")
}
