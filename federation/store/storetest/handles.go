package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/wikipub/wikipub/federation/store"
)

// testClaimHandle walks one handle through its life: absent, claimed, kept
// by its first owner against a second claimer, and re-claimed by that owner.
func testClaimHandle(t *testing.T, s store.Store) {
	ctx := t.Context()
	const handle = "main_page"
	first, second := actor, actor+"/moved"

	if got, err := s.HandleOwner(ctx, handle); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("HandleOwner before any claim = %q, %v; want ErrNotFound", got, err)
	}
	steps := []struct {
		what, owner, want string
	}{
		{"first claimer", first, first},
		{"second claimer", second, first},
		{"first owner again", first, first},
		{"second claimer again", second, first},
	}
	for _, st := range steps {
		got, err := s.ClaimHandle(ctx, handle, st.owner)
		must(t, err, "ClaimHandle "+st.what)
		if got != st.want {
			t.Errorf("ClaimHandle %s (%s) = %q, want %q", st.what, st.owner, got, st.want)
		}
		owner, err := s.HandleOwner(ctx, handle)
		must(t, err, "HandleOwner after "+st.what)
		if owner != first {
			t.Errorf("HandleOwner after %s = %q, want %q", st.what, owner, first)
		}
	}

	// Handles are independent, and one owner may hold several (a page move
	// claims the new title's handle too).
	got, err := s.ClaimHandle(ctx, "moved_page", first)
	must(t, err, "ClaimHandle of a second handle")
	if got != first {
		t.Errorf("ClaimHandle of a second handle = %q, want %q", got, first)
	}
	got, err = s.ClaimHandle(ctx, "other_page", second)
	must(t, err, "ClaimHandle of a free handle by the second owner")
	if got != second {
		t.Errorf("ClaimHandle of a free handle = %q, want %q", got, second)
	}
	if got, err := s.HandleOwner(ctx, "never_claimed"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("HandleOwner of another handle = %q, %v; want ErrNotFound", got, err)
	}

	for _, c := range []struct{ handle, owner string }{{"", first}, {"empty_owner", ""}} {
		if got, err := s.ClaimHandle(ctx, c.handle, c.owner); err == nil {
			t.Errorf("ClaimHandle(%q, %q) = %q, want an error", c.handle, c.owner, got)
		}
	}
	if got, err := s.HandleOwner(ctx, "empty_owner"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("HandleOwner after a refused claim = %q, %v; want ErrNotFound", got, err)
	}
}

// testClaimHandleRace has many goroutines claim one handle for different
// owners at once: exactly one wins, and every claimer is told the winner.
func testClaimHandleRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n, handle = 16, "contested"
	results := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = s.ClaimHandle(ctx, handle, fmt.Sprintf("%s/%d", actor, i))
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		must(t, err, fmt.Sprintf("ClaimHandle %d", i))
	}
	winner, err := s.HandleOwner(ctx, handle)
	must(t, err, "HandleOwner")
	valid := false
	for i := range n {
		valid = valid || winner == fmt.Sprintf("%s/%d", actor, i)
		if results[i] != winner {
			t.Errorf("goroutine %d was told owner %q, but %q has the handle", i, results[i], winner)
		}
	}
	if !valid {
		t.Errorf("handle owner %q is none of the claimers", winner)
	}
}
