package delivery

import (
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// TestHostLimiterSlotsAndLine: per host, limit run, queue wait, the rest
// are refused and told to come back spaced by the host's POST time per
// slot; a finished delivery hands its slot to the next in line; other
// hosts are unaffected; duplicates are refused.
func TestHostLimiterSlotsAndLine(t *testing.T) {
	const busy = 100 * time.Millisecond
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newHostLimiter(2, 1, busy, nil)
	j := func(id, host string) job { return job{del: store.Delivery{ID: id}, host: host, claimed: t0} }
	steps := []struct {
		j        job
		want     admission
		comeBack time.Duration // after t0, for admitFull
	}{
		{j("a1", "a"), admitRun, 0},
		{j("a2", "a"), admitRun, 0},
		{j("a3", "a"), admitQueued, 0},
		{j("a4", "a"), admitFull, busy},
		{j("a5", "a"), admitFull, busy + busy/2}, // unmeasured: busy per POST, 2 slots
		{j("b1", "b"), admitRun, 0},
		{j("a1", "a"), admitDuplicate, 0},
	}
	for _, s := range steps {
		got, at := l.admit(s.j)
		if got != s.want {
			t.Fatalf("admit %s = %v, want %v", s.j.del.ID, got, s.want)
		}
		if s.want == admitFull && !at.Equal(t0.Add(s.comeBack)) {
			t.Fatalf("admit %s: come back at +%v, want +%v", s.j.del.ID, at.Sub(t0), s.comeBack)
		}
	}
	if n := l.held(); n != 4 {
		t.Fatalf("held %d, want 4 (a1 a2 a3 b1)", n)
	}
	next, ok := l.finish(j("a1", "a"), time.Second)
	if !ok || next.del.ID != "a3" {
		t.Fatalf("finish a1 passed its slot to %q (%v), want a3", next.del.ID, ok)
	}
	if got, _ := l.admit(j("a6", "a")); got != admitQueued {
		t.Fatalf("after a3 left the line, a6 = %v, want queued", got)
	}
	// Measured at 1 s per POST, refusals are now half a second apart.
	if got, at := l.admit(j("a7", "a")); got != admitFull || !at.Equal(t0.Add(busy+busy/2+500*time.Millisecond)) {
		t.Fatalf("a7 = %v at +%v, want refused until +%v", got, at.Sub(t0), busy+busy/2+500*time.Millisecond)
	}
	if w := l.drainWaiting(); len(w) != 1 || w[0].del.ID != "a6" {
		t.Fatalf("waiting = %v, want a6", w)
	}
	for _, id := range []string{"a2", "a3"} {
		if _, ok := l.finish(j(id, "a"), 0); ok {
			t.Fatalf("finish %s handed on a slot with nobody waiting", id)
		}
	}
	l.finish(j("b1", "b"), 0)
	if l.held() != 0 || len(l.hosts) != 0 {
		t.Fatalf("idle limiter keeps %d held, hosts %v", l.held(), l.hosts)
	}
}

// TestHostLimiterFailingHostGetsOneSlot: while the breaker counts failures
// for a host, one POST at a time; the line waits for it, and a success
// restores the full limit.
func TestHostLimiterFailingHostGetsOneSlot(t *testing.T) {
	b := newBreaker(10, time.Minute, time.Hour, nil)
	l := newHostLimiter(3, 5, time.Second, b.limit)
	j := func(id string) job { return job{del: store.Delivery{ID: id}, host: "h"} }
	if v, _ := l.admit(j("1")); v != admitRun {
		t.Fatal("first delivery not run")
	}
	b.record("h", time.Now(), false, healthDown)
	if v, _ := l.admit(j("2")); v != admitQueued {
		t.Fatalf("a failing host got a second slot (%v)", v)
	}
	next, ok := l.finish(j("1"), time.Second)
	if !ok || next.del.ID != "2" {
		t.Fatal("the line did not get the freed slot")
	}
	b.record("h", time.Now(), false, healthUp)
	if v, _ := l.admit(j("3")); v != admitRun {
		t.Fatalf("a recovered host is still limited to one (%v)", v)
	}
}
