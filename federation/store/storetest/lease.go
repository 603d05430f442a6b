package storetest

import (
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// leaseStep is one AcquireLease or ReleaseLease call and its expected result.
type leaseStep struct {
	what    string
	release bool
	name    string
	holder  string
	want    bool // for acquire
}

func testLease(t *testing.T, s store.Store) {
	ctx := t.Context()
	steps := []leaseStep{
		{what: "a takes a free lease", name: "poll", holder: "a", want: true},
		{what: "b is refused while a holds it", name: "poll", holder: "b", want: false},
		{what: "a renews", name: "poll", holder: "a", want: true},
		{what: "b may take another lease", name: "send", holder: "b", want: true},
		{what: "b releasing a's lease", release: true, name: "poll", holder: "b"},
		{what: "b is still refused", name: "poll", holder: "b", want: false},
		{what: "a releases", release: true, name: "poll", holder: "a"},
		{what: "b takes the released lease", name: "poll", holder: "b", want: true},
		{what: "a is refused now", name: "poll", holder: "a", want: false},
		{what: "releasing a free lease", release: true, name: "free", holder: "a"},
	}
	for _, st := range steps {
		if st.release {
			must(t, s.ReleaseLease(ctx, st.name, st.holder), st.what)
			continue
		}
		ok, err := s.AcquireLease(ctx, st.name, st.holder, time.Minute)
		must(t, err, st.what)
		if ok != st.want {
			t.Errorf("%s: AcquireLease = %v, want %v", st.what, ok, st.want)
		}
	}
	if _, err := s.AcquireLease(ctx, "poll", "b", 0); err == nil {
		t.Errorf("AcquireLease with ttl 0 succeeded, want an error")
	}
}

// testLeaseExpiry checks that a renewal extends a lease and that an expired
// lease lets another holder in.
func testLeaseExpiry(t *testing.T, s store.Store) {
	ctx := t.Context()
	const ttl = time.Second
	acquire := func(holder string, want bool, what string) {
		t.Helper()
		ok, err := s.AcquireLease(ctx, "x", holder, ttl)
		must(t, err, what)
		if ok != want {
			t.Errorf("%s: AcquireLease(%s) = %v, want %v", what, holder, ok, want)
		}
	}
	acquire("a", true, "take")
	time.Sleep(600 * time.Millisecond)
	acquire("a", true, "renew")
	time.Sleep(600 * time.Millisecond) // past the first ttl, within the renewed one
	acquire("b", false, "after renewal")
	time.Sleep(ttl)
	acquire("b", true, "after expiry")
	acquire("a", false, "old holder after expiry")
}
