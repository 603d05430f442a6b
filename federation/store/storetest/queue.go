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

// testAckMany: AckMany removes several deliveries at once, claimed or not,
// skipping absent and repeated ids; what it removed is gone for Claim,
// Reschedule, QueueLen and QueuedDeliveries alike, and the rest is untouched.
func testAckMany(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.AckMany(ctx), "AckMany of nothing")
	must(t, s.AckMany(ctx, "never-queued"), "AckMany of an unknown id on an empty queue")

	var all []store.Delivery
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		all = append(all, delivery(id, base))
	}
	all[5].NextAttempt = base.Add(time.Hour) // f: not due, never claimed
	must(t, s.Enqueue(ctx, all...), "Enqueue")
	claimed, err := s.Claim(ctx, base, 3, time.Minute)
	must(t, err, "Claim")
	checkIDs(t, "Claim", claimed, "a", "b", "c")

	// a and b claimed, d due but unclaimed, f not due; an unknown id and a
	// repeated one are skipped.
	must(t, s.AckMany(ctx, "a", "never-queued", "d", "b", "a", "f"), "AckMany")
	checkQueueLen(t, s, 2)
	checkQueued(t, s, "after AckMany", all[2], all[4])
	for _, d := range []store.Delivery{claimed[0], claimed[1], all[3], all[5]} {
		if err := s.Reschedule(ctx, d); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Reschedule of %s after AckMany: err = %v, want ErrNotFound", d.ID, err)
		}
	}
	// e was due at base, never claimed; c's lease ends at base+1m.
	got, err := s.Claim(ctx, base.Add(2*time.Hour), 10, time.Minute)
	must(t, err, "Claim after AckMany")
	checkIDs(t, "Claim after AckMany", got, "e", "c")

	// Acking again, and mixing in an id acked one at a time, is harmless.
	must(t, s.Ack(ctx, "c"), "Ack c")
	must(t, s.AckMany(ctx, "a", "b", "c", "e"), "AckMany again")
	checkQueueLen(t, s, 0)
	checkQueued(t, s, "after the last AckMany")

	// A large acknowledgement, as a busy deliverer makes.
	const n = 1500
	var many []store.Delivery
	var manyIDs []string
	for i := range n {
		id := fmt.Sprintf("m%04d", i)
		many = append(many, delivery(id, base))
		manyIDs = append(manyIDs, id)
	}
	must(t, s.Enqueue(ctx, many...), "Enqueue many")
	_, err = s.Claim(ctx, base, n/2, time.Minute)
	must(t, err, "Claim half of many")
	must(t, s.AckMany(ctx, manyIDs[1:]...), "AckMany of all but one")
	checkQueueLen(t, s, 1)
	got, err = s.Claim(ctx, base.Add(time.Hour), n, time.Minute)
	must(t, err, "Claim the rest of many")
	checkIDs(t, "Claim the rest of many", got, "m0000")
}
