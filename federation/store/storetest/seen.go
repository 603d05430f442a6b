package storetest

import (
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

func testMarkSeen(t *testing.T, s store.Store) {
	ctx := t.Context()
	steps := []struct {
		id        string
		wantFirst bool
	}{
		{"https://remote.example/activities/1", true},
		{"https://remote.example/activities/1", false},
		{"https://remote.example/activities/2", true},
		{"https://remote.example/activities/1", false},
		{"https://remote.example/activities/2", false},
	}
	for i, st := range steps {
		first, err := s.MarkSeen(ctx, st.id, time.Hour)
		must(t, err, "MarkSeen")
		if first != st.wantFirst {
			t.Errorf("step %d: MarkSeen(%s) first = %v, want %v", i, st.id, first, st.wantFirst)
		}
	}
	must(t, s.ForgetSeen(ctx, "https://remote.example/activities/1"), "ForgetSeen")
	must(t, s.ForgetSeen(ctx, "https://remote.example/activities/never"), "ForgetSeen of an absent mark")
	if first, err := s.MarkSeen(ctx, "https://remote.example/activities/1", time.Hour); err != nil || !first {
		t.Errorf("MarkSeen after ForgetSeen: first = %v, err = %v; want true, nil", first, err)
	}
	if first, _ := s.MarkSeen(ctx, "https://remote.example/activities/2", time.Hour); first {
		t.Errorf("ForgetSeen of one id forgot another")
	}
	for _, ttl := range []time.Duration{0, -time.Second} {
		if _, err := s.MarkSeen(ctx, "https://remote.example/activities/3", ttl); err == nil {
			t.Errorf("MarkSeen with ttl %v succeeded, want an error", ttl)
		}
	}
}

// testMarkSeenExpiry checks a mark lapses after its ttl. The ttl is short but
// far above Redis's millisecond expiry precision.
func testMarkSeenExpiry(t *testing.T, s store.Store) {
	ctx := t.Context()
	const id, ttl = "https://remote.example/activities/short", 500 * time.Millisecond
	first, err := s.MarkSeen(ctx, id, ttl)
	must(t, err, "MarkSeen")
	if !first {
		t.Fatalf("first MarkSeen: first = false")
	}
	first, err = s.MarkSeen(ctx, id, ttl)
	must(t, err, "MarkSeen within ttl")
	if first {
		t.Errorf("MarkSeen within ttl: first = true, want false")
	}
	time.Sleep(ttl + 400*time.Millisecond)
	first, err = s.MarkSeen(ctx, id, time.Hour)
	must(t, err, "MarkSeen after ttl")
	if !first {
		t.Errorf("MarkSeen after ttl: first = false, want true (the mark should have expired)")
	}
	first, err = s.MarkSeen(ctx, id, time.Hour)
	must(t, err, "MarkSeen after renewal")
	if first {
		t.Errorf("MarkSeen after renewal: first = true, want false")
	}
}
