package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// The listings `wikipub stats` reads: FollowedActors and QueuedDeliveries.

// followedActors pages through FollowedActors with limit, checking that no
// page exceeds it, and returns every id.
func followedActors(t *testing.T, s store.Store, limit int) []string {
	t.Helper()
	var out []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatalf("FollowedActors paging did not end after %d pages", pages)
		}
		ids, err := s.FollowedActors(t.Context(), after, limit)
		must(t, err, "FollowedActors")
		if len(ids) > limit {
			t.Fatalf("FollowedActors page of %d exceeds limit %d", len(ids), limit)
		}
		if len(ids) == 0 {
			return out
		}
		out = append(out, ids...)
		after = ids[len(ids)-1]
	}
}

// checkFollowedActors fails unless FollowedActors lists exactly want, in
// order, paged two at a time.
func checkFollowedActors(t *testing.T, s store.Store, what string, want ...string) {
	t.Helper()
	if got := followedActors(t, s, 2); !slices.Equal(got, want) {
		t.Errorf("%s: FollowedActors = %q,\nwant %q", what, got, want)
	}
}

func testFollowedActors(t *testing.T, s store.Store) {
	ctx := t.Context()
	checkFollowedActors(t, s, "empty store")
	a := func(i int) string { return fmt.Sprintf("https://wiki.example/ap/page/%02d", i) }

	// Actors 1..7, each followed by its own follower and actors 2, 4 and 6
	// also by "shared"; added in random order.
	type follow struct {
		actor string
		f     store.Follower
	}
	var follows []follow
	for i := 1; i <= 7; i++ {
		follows = append(follows, follow{a(i), follower(fmt.Sprintf("own%d", i))})
		if i%2 == 0 {
			follows = append(follows, follow{a(i), follower("shared")})
		}
	}
	for _, i := range rand.Perm(len(follows)) {
		_, err := s.AddFollower(ctx, follows[i].actor, follows[i].f)
		must(t, err, "AddFollower")
	}
	// An actor whose only follower left before it was ever listed.
	_, err := s.AddFollower(ctx, a(8), follower("gone"))
	must(t, err, "AddFollower gone")
	_, err = s.RemoveFollower(ctx, a(8), follower("gone").ID)
	must(t, err, "RemoveFollower gone")
	checkFollowedActors(t, s, "after adding", a(1), a(2), a(3), a(4), a(5), a(6), a(7))

	if ids, err := s.FollowedActors(ctx, "", 0); err != nil || len(ids) != 0 {
		t.Errorf("FollowedActors with limit 0 = %q, %v; want none", ids, err)
	}
	// after need not be a listed actor: paging resumes past it.
	ids, err := s.FollowedActors(ctx, a(2)+"x", 2)
	must(t, err, "FollowedActors after an unlisted id")
	if !slices.Equal(ids, []string{a(3), a(4)}) {
		t.Errorf("FollowedActors after %s = %q, want %q", a(2)+"x", ids, []string{a(3), a(4)})
	}

	// RemoveFollower: the last follower drops the actor, another one does not.
	_, err = s.RemoveFollower(ctx, a(1), follower("own1").ID)
	must(t, err, "RemoveFollower own1")
	_, err = s.RemoveFollower(ctx, a(2), follower("own2").ID)
	must(t, err, "RemoveFollower own2")
	checkFollowedActors(t, s, "after RemoveFollower", a(2), a(3), a(4), a(5), a(6), a(7))

	// RemoveFollowerEverywhere: "shared" was actor 2's last follower.
	n, err := s.RemoveFollowerEverywhere(ctx, follower("shared").ID)
	must(t, err, "RemoveFollowerEverywhere")
	if n != 3 {
		t.Errorf("RemoveFollowerEverywhere removed %d follows, want 3", n)
	}
	checkFollowedActors(t, s, "after RemoveFollowerEverywhere", a(3), a(4), a(5), a(6), a(7))

	// RemoveFollowersByInbox: by a personal inbox, then by the shared inbox
	// every remaining follower uses.
	n, err = s.RemoveFollowersByInbox(ctx, follower("own5").Inbox)
	must(t, err, "RemoveFollowersByInbox own5")
	if n != 1 {
		t.Errorf("RemoveFollowersByInbox(own5) removed %d follows, want 1", n)
	}
	checkFollowedActors(t, s, "after RemoveFollowersByInbox of one inbox", a(3), a(4), a(6), a(7))
	_, err = s.AddFollower(ctx, a(4), store.Follower{ID: "https://elsewhere.example/users/z",
		Inbox: "https://elsewhere.example/users/z/inbox"})
	must(t, err, "AddFollower elsewhere")
	n, err = s.RemoveFollowersByInbox(ctx, follower("own3").SharedInbox)
	must(t, err, "RemoveFollowersByInbox shared")
	if n != 4 {
		t.Errorf("RemoveFollowersByInbox(shared) removed %d follows, want 4", n)
	}
	checkFollowedActors(t, s, "after RemoveFollowersByInbox of the shared inbox", a(4))

	// A follower coming back lists the actor again.
	_, err = s.AddFollower(ctx, a(1), follower("own1"))
	must(t, err, "AddFollower own1 again")
	checkFollowedActors(t, s, "after following again", a(1), a(4))
}

// queued pages through QueuedDeliveries with limit, checking that no page
// exceeds it, and returns every delivery.
func queued(t *testing.T, s store.Store, limit int) []store.Delivery {
	t.Helper()
	var out []store.Delivery
	after := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatalf("QueuedDeliveries paging did not end after %d pages", pages)
		}
		ds, err := s.QueuedDeliveries(t.Context(), after, limit)
		must(t, err, "QueuedDeliveries")
		if len(ds) > limit {
			t.Fatalf("QueuedDeliveries page of %d exceeds limit %d", len(ds), limit)
		}
		if len(ds) == 0 {
			return out
		}
		out = append(out, ds...)
		after = ds[len(ds)-1].ID
	}
}

// checkQueued fails unless QueuedDeliveries, paged two at a time, lists
// exactly want, in order and field by field.
func checkQueued(t *testing.T, s store.Store, what string, want ...store.Delivery) {
	t.Helper()
	got := queued(t, s, 2)
	checkIDs(t, what, got, ids(want)...)
	if len(got) == len(want) {
		for i := range got {
			checkDelivery(t, got[i], want[i])
		}
	}
}

func testQueuedDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	checkQueued(t, s, "empty queue")

	a := delivery("a", base.Add(-2*time.Minute))
	b := delivery("b", base.Add(-time.Minute))
	c := delivery("c", base)
	d := delivery("d", base.Add(time.Hour)) // not yet due
	e := delivery("e", base.Add(2*time.Hour))
	e.Inbox = "https://other.example/inbox"
	e.Signer = actor + "/other"
	must(t, s.Enqueue(ctx, e, c, a, d, b), "Enqueue")
	checkQueued(t, s, "after Enqueue", a, b, c, d, e)

	if ds, err := s.QueuedDeliveries(ctx, "", 0); err != nil || len(ds) != 0 {
		t.Errorf("QueuedDeliveries with limit 0 = %q, %v; want none", ids(ds), err)
	}
	// after need not be a queued id: paging resumes past it.
	ds, err := s.QueuedDeliveries(ctx, "bb", 2)
	must(t, err, "QueuedDeliveries after an unqueued id")
	checkIDs(t, "QueuedDeliveries after bb", ds, "c", "d")

	// a is claimed and put back failed; b is claimed and still leased.
	got, err := s.Claim(ctx, base, 1, time.Hour)
	must(t, err, "Claim a")
	checkIDs(t, "Claim a", got, "a")
	a.Attempts = 2
	a.LastError = "POST https://remote.example/inbox: 503 Service Unavailable"
	a.NextAttempt = base.Add(30 * time.Minute)
	must(t, s.Reschedule(ctx, a), "Reschedule a")
	got, err = s.Claim(ctx, base, 1, time.Hour)
	must(t, err, "Claim b")
	checkIDs(t, "Claim b", got, "b")
	checkQueued(t, s, "with a rescheduled and b claimed", a, b, c, d, e)

	// Listing claimed nothing: c, due and never claimed, is still there
	// to claim, and listed afterwards as before.
	got, err = s.Claim(ctx, base, 10, time.Minute)
	must(t, err, "Claim after listing")
	checkIDs(t, "Claim after listing", got, "c")
	checkQueued(t, s, "after claiming c", a, b, c, d, e)

	must(t, s.Ack(ctx, "b"), "Ack b")
	must(t, s.Ack(ctx, "e"), "Ack e")
	checkQueued(t, s, "after Ack", a, c, d)
	checkQueueLen(t, s, 3)
}
