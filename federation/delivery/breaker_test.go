package delivery

import (
	"testing"
	"time"
)

// TestBreakerStateMachine walks one host through the breaker on a fake
// clock: closed until the threshold, open for the cool-down, one trial at
// half-open, a failed trial doubles the cool-down up to the cap, any
// answer closes it, and revive closes it at once.
func TestBreakerStateMachine(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var seen []breakerState
	b := newBreaker(3, time.Minute, 3*time.Minute, func(_ string, s breakerState) { seen = append(seen, s) })
	const h = "example.org"

	for i := range 2 {
		b.record(h, t0, false, healthDown)
		if _, wait := b.deferUntil(h, t0); wait {
			t.Fatalf("deferred after %d failures, threshold 3", i+1)
		}
	}
	b.record(h, t0, false, healthUnknown) // our own failure: not counted
	if _, wait := b.deferUntil(h, t0); wait {
		t.Fatal("a local failure counted against the host")
	}
	b.record(h, t0, false, healthDown)
	until, wait := b.deferUntil(h, t0)
	if !wait || !until.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after 3 failures: defer %v until %v, want until %v", wait, until, t0.Add(time.Minute))
	}
	if _, _, ok := b.admit(h, t0.Add(30*time.Second)); ok {
		t.Fatal("admitted during the cool-down")
	}

	// Half-open: one trial, the others wait.
	t1 := t0.Add(time.Minute)
	trial, _, ok := b.admit(h, t1)
	if !ok || !trial {
		t.Fatalf("half-open admit = trial %v ok %v, want a trial", trial, ok)
	}
	if _, w, ok := b.admit(h, t1); ok || !w.After(t1) {
		t.Fatalf("a second delivery went during the trial (ok %v, wait %v)", ok, w)
	}
	if got := b.state(h, t1); got != breakerHalfOpen {
		t.Fatalf("state %v during the trial, want half_open", got)
	}

	// Failed trials: 2 min, then capped at 3 min.
	b.record(h, t1, true, healthDown)
	if until, _ := b.deferUntil(h, t1); !until.Equal(t1.Add(2 * time.Minute)) {
		t.Fatalf("after a failed trial open until %v, want +2m", until)
	}
	t2 := t1.Add(2 * time.Minute)
	trial, _, _ = b.admit(h, t2)
	b.record(h, t2, trial, healthDown)
	if until, _ := b.deferUntil(h, t2); !until.Equal(t2.Add(3 * time.Minute)) {
		t.Fatalf("after a second failed trial open until %v, want +3m (the cap)", until)
	}

	// A trial that failed on our side frees the trial slot only.
	t3 := t2.Add(3 * time.Minute)
	trial, _, _ = b.admit(h, t3)
	b.record(h, t3, trial, healthUnknown)
	if trial2, _, ok := b.admit(h, t3); !ok || !trial2 {
		t.Fatal("a trial lost to a local failure blocked the next trial")
	}
	// A successful trial closes it.
	b.record(h, t3, true, healthUp)
	if got := b.state(h, t3); got != breakerClosed {
		t.Fatalf("state %v after a successful trial, want closed", got)
	}
	if len(b.hosts) != 0 {
		t.Fatalf("a closed host kept state: %+v", b.hosts)
	}

	// Open again, then revived.
	for range 3 {
		b.record(h, t3, false, healthDown)
	}
	if !b.revive(h) {
		t.Fatal("revive of an open host reported nothing")
	}
	if _, wait := b.deferUntil(h, t3); wait {
		t.Fatal("revived host still deferred")
	}
	want := []breakerState{breakerOpen, breakerHalfOpen, breakerOpen, breakerHalfOpen, breakerOpen, breakerHalfOpen, breakerHalfOpen, breakerClosed, breakerOpen, breakerClosed}
	if len(seen) != len(want) {
		t.Fatalf("observed %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("observed %v, want %v", seen, want)
		}
	}
}

// TestBreakerPauseAndPrune: a 429's pause defers every delivery to the
// host, survives a revive and a success, and idle state is forgotten.
func TestBreakerPauseAndPrune(t *testing.T) {
	t0 := time.Now()
	b := newBreaker(10, time.Minute, time.Hour, nil)
	b.pause("a.example", t0.Add(time.Hour))
	b.record("a.example", t0, false, healthUp)
	b.revive("a.example")
	if until, wait := b.deferUntil("a.example", t0); !wait || !until.Equal(t0.Add(time.Hour)) {
		t.Fatalf("pause lost: %v %v", until, wait)
	}
	b.record("b.example", t0, false, healthDown)
	b.prune(t0.Add(30 * time.Minute))
	if len(b.hosts) != 2 {
		t.Fatalf("pruned too early: %d hosts", len(b.hosts))
	}
	b.prune(t0.Add(2 * time.Hour))
	if len(b.hosts) != 0 {
		t.Fatalf("stale state kept: %+v", b.hosts)
	}
}
