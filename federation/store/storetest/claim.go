package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// enqueueMinutes queues d0..d(n-1), di due at base+i minutes.
func enqueueMinutes(t *testing.T, s store.Store, n int) {
	t.Helper()
	var ds []store.Delivery
	for i := range n {
		ds = append(ds, delivery(fmt.Sprintf("d%d", i), base.Add(time.Duration(i)*time.Minute)))
	}
	must(t, s.Enqueue(t.Context(), ds...), "Enqueue")
}

func testClaimDue(t *testing.T, s store.Store) {
	enqueueMinutes(t, s, 5)
	// Each claim uses a lease far past every later `now`, so a delivery is
	// claimed once; the table walks forward through time.
	steps := []struct {
		now  time.Time
		want []string
	}{
		{base.Add(-time.Second), nil},
		{base, []string{"d0"}}, // due exactly now counts
		{base.Add(59 * time.Second), nil},
		{base.Add(2*time.Minute + 30*time.Second), []string{"d1", "d2"}},
		{base.Add(2*time.Minute + 31*time.Second), nil},
		{base.Add(time.Hour), []string{"d3", "d4"}},
		{base.Add(2 * time.Hour), nil},
	}
	for _, st := range steps {
		got, err := s.Claim(t.Context(), st.now, 10, 24*time.Hour)
		must(t, err, "Claim")
		checkIDs(t, fmt.Sprintf("Claim at base%+v", st.now.Sub(base)), got, st.want...)
	}
	checkQueueLen(t, s, 5)
	got, err := s.Claim(t.Context(), base.Add(48*time.Hour), 0, time.Minute)
	must(t, err, "Claim with limit 0")
	checkIDs(t, "Claim with limit 0", got)
}

func testClaimLimit(t *testing.T, s store.Store) {
	enqueueMinutes(t, s, 5)
	now := base.Add(time.Hour)
	for _, want := range [][]string{{"d0", "d1"}, {"d2", "d3"}, {"d4"}, nil} {
		got, err := s.Claim(t.Context(), now, 2, time.Hour)
		must(t, err, "Claim")
		checkIDs(t, "Claim limit 2", got, want...)
	}
}

func testClaimLease(t *testing.T, s store.Store) {
	enqueueMinutes(t, s, 2)
	const lease = 10 * time.Second
	steps := []struct {
		at   time.Duration // after base
		want []string
	}{
		{0, []string{"d0"}},                 // leased until +10s
		{5 * time.Second, nil},              // d0 hidden
		{lease, []string{"d0"}},             // lease over: d0 again, until +20s
		{lease + time.Second, nil},          // hidden again
		{time.Minute, []string{"d0", "d1"}}, // d0's second lease over, d1 due
	}
	for _, st := range steps {
		got, err := s.Claim(t.Context(), base.Add(st.at), 10, lease)
		must(t, err, "Claim")
		checkIDs(t, fmt.Sprintf("Claim at base+%v", st.at), got, st.want...)
	}
	// A claimed delivery comes back unchanged but for its lease.
	got, err := s.Claim(t.Context(), base.Add(time.Hour), 1, lease)
	must(t, err, "Claim")
	if len(got) == 1 {
		checkDelivery(t, got[0], delivery("d0", base))
	}
}

// testClaimConcurrent has 8 claimers drain one queue at once: every delivery
// must be handed out exactly once.
func testClaimConcurrent(t *testing.T, s store.Store) {
	const n, workers = 200, 8
	enqueueMinutes(t, s, n)
	now := base.Add(time.Duration(n) * time.Minute)
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
		errs = make(chan error, workers)
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Bounded, so a store that hands deliveries out again fails
			// instead of looping forever.
			for range n {
				got, err := s.Claim(t.Context(), now, 7, time.Hour)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Claim: %v", err)
	}
	var dups []string
	for id, c := range seen {
		if c > 1 {
			dups = append(dups, fmt.Sprintf("%s×%d", id, c))
		}
	}
	slices.Sort(dups)
	if len(dups) > 0 {
		t.Errorf("deliveries claimed more than once within a lease: %v", dups)
	}
	if len(seen) != n {
		t.Errorf("claimed %d distinct deliveries, want %d", len(seen), n)
	}
}
