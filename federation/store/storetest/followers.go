package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// follower builds a distinct follower record for remote actor name.
func follower(name string) store.Follower {
	return store.Follower{
		ID:          "https://remote.example/users/" + name,
		Inbox:       "https://remote.example/users/" + name + "/inbox",
		SharedInbox: "https://remote.example/inbox",
		FollowID:    "https://remote.example/follows/" + name,
		Since:       time.Date(2025, 6, 7, 8, 9, 10, 123456789, time.UTC),
	}
}

// checkFollower fails unless got equals want field by field.
func checkFollower(t *testing.T, got, want store.Follower) {
	t.Helper()
	if got.ID != want.ID || got.Inbox != want.Inbox || got.SharedInbox != want.SharedInbox ||
		got.FollowID != want.FollowID || !got.Since.Equal(want.Since) {
		t.Errorf("follower mismatch:\n got  %+v\n want %+v", got, want)
	}
}

// checkCount fails unless actorID has want followers.
func checkCount(t *testing.T, s store.Store, actorID string, want int) {
	t.Helper()
	n, err := s.CountFollowers(t.Context(), actorID)
	must(t, err, "CountFollowers")
	if n != want {
		t.Errorf("CountFollowers(%s) = %d, want %d", actorID, n, want)
	}
}

// followerIDs lists actorID's follower ids, all pages.
func followerIDs(t *testing.T, s store.Store, actorID string) []string {
	t.Helper()
	fs, err := s.Followers(t.Context(), actorID, "", 1000)
	must(t, err, "Followers")
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

func testFollowerAddRemove(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := follower("alice")
	checkCount(t, s, actor, 0)
	if fs, err := s.Followers(ctx, actor, "", 10); err != nil || len(fs) != 0 {
		t.Fatalf("Followers of an actor without any = %v, %v; want none", fs, err)
	}

	added, err := s.AddFollower(ctx, actor, alice)
	must(t, err, "AddFollower")
	if !added {
		t.Errorf("first AddFollower: added = false, want true")
	}
	fs, err := s.Followers(ctx, actor, "", 10)
	must(t, err, "Followers")
	if len(fs) != 1 {
		t.Fatalf("Followers = %+v, want alice only", fs)
	}
	checkFollower(t, fs[0], alice)

	refreshed := alice
	refreshed.Inbox = "https://remote.example/new-inbox"
	refreshed.FollowID = "https://remote.example/follows/again"
	added, err = s.AddFollower(ctx, actor, refreshed)
	must(t, err, "second AddFollower")
	if added {
		t.Errorf("second AddFollower: added = true, want false")
	}
	checkCount(t, s, actor, 1)
	fs, err = s.Followers(ctx, actor, "", 10)
	must(t, err, "Followers after refresh")
	if len(fs) != 1 {
		t.Fatalf("Followers after refresh = %+v, want one", fs)
	}
	checkFollower(t, fs[0], refreshed)

	if fs, err := s.Followers(ctx, actor, "", 0); err != nil || len(fs) != 0 {
		t.Errorf("Followers with limit 0 = %v, %v; want none", fs, err)
	}
	checkCount(t, s, actor+"/other", 0)

	removals := []struct {
		name             string
		actorID, follows string
		want             bool
	}{
		{"unknown actor", actor + "/other", alice.ID, false},
		{"unknown follower", actor, "https://remote.example/users/nobody", false},
		{"present", actor, alice.ID, true},
		{"again", actor, alice.ID, false},
	}
	for _, r := range removals {
		removed, err := s.RemoveFollower(ctx, r.actorID, r.follows)
		must(t, err, "RemoveFollower "+r.name)
		if removed != r.want {
			t.Errorf("RemoveFollower %s: removed = %v, want %v", r.name, removed, r.want)
		}
	}
	checkCount(t, s, actor, 0)
	if got := followerIDs(t, s, actor); len(got) != 0 {
		t.Errorf("Followers after removal = %q, want none", got)
	}
	added, err = s.AddFollower(ctx, actor, alice)
	must(t, err, "AddFollower after removal")
	if !added {
		t.Errorf("AddFollower after removal: added = false, want true")
	}
}

func testFollowerPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 25
	var want []string
	for i := range n {
		want = append(want, follower(fmt.Sprintf("u%02d", i)).ID)
	}
	// Add in random order: pages must come back in id order regardless.
	for _, i := range rand.Perm(n) {
		_, err := s.AddFollower(ctx, actor, follower(fmt.Sprintf("u%02d", i)))
		must(t, err, "AddFollower")
	}
	// Followers of another actor must not leak into the pages.
	_, err := s.AddFollower(ctx, actor+"/other", follower("u05x"))
	must(t, err, "AddFollower other actor")
	checkCount(t, s, actor, n)

	for _, limit := range []int{1, 7, 10, 25, 100} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				if pages > n+1 {
					t.Fatalf("paging did not end after %d pages", pages)
				}
				fs, err := s.Followers(ctx, actor, after, limit)
				must(t, err, "Followers")
				if len(fs) > limit {
					t.Fatalf("page of %d exceeds limit %d", len(fs), limit)
				}
				if len(fs) == 0 {
					break
				}
				for _, f := range fs {
					got = append(got, f.ID)
				}
				after = fs[len(fs)-1].ID
			}
			if !slices.Equal(got, want) {
				t.Errorf("paged ids = %q,\nwant %q", got, want)
			}
		})
	}

	// after need not be a current follower: paging resumes past it.
	fs, err := s.Followers(ctx, actor, follower("u09x").ID, 2)
	must(t, err, "Followers after a removed id")
	if len(fs) != 2 || fs[0].ID != want[10] || fs[1].ID != want[11] {
		t.Errorf("Followers after u09x = %+v, want u10, u11", fs)
	}
}

func testFollowerRemoveEverywhere(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b, c := actor, actor+"/b", actor+"/c"
	gone, stays := follower("gone"), follower("stays")
	for _, id := range []string{a, b, c} {
		_, err := s.AddFollower(ctx, id, gone)
		must(t, err, "AddFollower gone")
	}
	_, err := s.AddFollower(ctx, a, stays)
	must(t, err, "AddFollower stays")

	n, err := s.RemoveFollowerEverywhere(ctx, gone.ID)
	must(t, err, "RemoveFollowerEverywhere")
	if n != 3 {
		t.Errorf("RemoveFollowerEverywhere = %d, want 3", n)
	}
	checkCount(t, s, a, 1)
	checkCount(t, s, b, 0)
	checkCount(t, s, c, 0)
	if got := followerIDs(t, s, a); !slices.Equal(got, []string{stays.ID}) {
		t.Errorf("Followers(a) = %q, want only %q", got, stays.ID)
	}
	n, err = s.RemoveFollowerEverywhere(ctx, gone.ID)
	must(t, err, "second RemoveFollowerEverywhere")
	if n != 0 {
		t.Errorf("second RemoveFollowerEverywhere = %d, want 0", n)
	}

	// A single RemoveFollower must keep the reverse index in step.
	_, err = s.AddFollower(ctx, b, stays)
	must(t, err, "AddFollower stays to b")
	_, err = s.RemoveFollower(ctx, a, stays.ID)
	must(t, err, "RemoveFollower stays from a")
	n, err = s.RemoveFollowerEverywhere(ctx, stays.ID)
	must(t, err, "RemoveFollowerEverywhere stays")
	if n != 1 {
		t.Errorf("RemoveFollowerEverywhere after a single removal = %d, want 1", n)
	}
	checkCount(t, s, b, 0)

	added, err := s.AddFollower(ctx, a, gone)
	must(t, err, "AddFollower after RemoveFollowerEverywhere")
	if !added {
		t.Errorf("re-following after removal: added = false, want true")
	}
}

// checkFollows fails unless followerID's follows are exactly want, keyed by
// our actor id, with every Follower field intact.
func checkFollows(t *testing.T, s store.Store, what, followerID string, want map[string]store.Follower) {
	t.Helper()
	got, err := s.Follows(t.Context(), followerID)
	must(t, err, "Follows "+what)
	if got == nil {
		t.Errorf("%s: Follows(%s) = nil map, want an empty one", what, followerID)
	}
	for actorID, w := range want {
		g, ok := got[actorID]
		if !ok {
			t.Errorf("%s: Follows(%s) lacks actor %s", what, followerID, actorID)
			continue
		}
		checkFollower(t, g, w)
	}
	for actorID := range got {
		if _, ok := want[actorID]; !ok {
			t.Errorf("%s: Follows(%s) has unexpected actor %s", what, followerID, actorID)
		}
	}
}

// testFollows checks the per-follower view: exactly that follower's follows
// across several of our actors, kept in step by removals.
func testFollows(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b, c := actor, actor+"/b", actor+"/c"
	alice, bob := follower("alice"), follower("bob")

	checkFollows(t, s, "unknown follower", alice.ID, nil)

	// alice follows a and b with different Follow activities; bob follows
	// a and c, and must not show up in alice's follows.
	aliceA, aliceB := alice, alice
	aliceB.FollowID = "https://remote.example/follows/alice-b"
	aliceB.Since = alice.Since.Add(time.Hour)
	for _, f := range []struct {
		actorID string
		f       store.Follower
	}{{a, aliceA}, {b, aliceB}, {a, bob}, {c, bob}} {
		_, err := s.AddFollower(ctx, f.actorID, f.f)
		must(t, err, "AddFollower")
	}
	checkFollows(t, s, "after adding", alice.ID, map[string]store.Follower{a: aliceA, b: aliceB})
	checkFollows(t, s, "after adding", bob.ID, map[string]store.Follower{a: bob, c: bob})

	// A refreshed record is what Follows returns.
	refreshed := aliceA
	refreshed.Inbox = "https://remote.example/users/alice/new-inbox"
	refreshed.FollowID = "https://remote.example/follows/alice-again"
	_, err := s.AddFollower(ctx, a, refreshed)
	must(t, err, "AddFollower refresh")
	checkFollows(t, s, "after refresh", alice.ID, map[string]store.Follower{a: refreshed, b: aliceB})

	_, err = s.RemoveFollower(ctx, a, alice.ID)
	must(t, err, "RemoveFollower")
	checkFollows(t, s, "after RemoveFollower", alice.ID, map[string]store.Follower{b: aliceB})
	checkFollows(t, s, "after alice's RemoveFollower", bob.ID, map[string]store.Follower{a: bob, c: bob})

	_, err = s.RemoveFollowerEverywhere(ctx, bob.ID)
	must(t, err, "RemoveFollowerEverywhere")
	checkFollows(t, s, "after RemoveFollowerEverywhere", bob.ID, nil)
	checkFollows(t, s, "after bob's RemoveFollowerEverywhere", alice.ID, map[string]store.Follower{b: aliceB})

	_, err = s.RemoveFollower(ctx, b, alice.ID)
	must(t, err, "RemoveFollower last")
	checkFollows(t, s, "after removing the last follow", alice.ID, nil)
}

// testFollowerRemoveByInbox checks removal by personal and by shared inbox:
// exactly the follows whose record uses the inbox go, from every actor, with
// the counts, pages and per-follower views in step.
func testFollowerRemoveByInbox(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b, c := actor, actor+"/b", actor+"/c"
	const shared = "https://remote.example/inbox"
	// alice and bob share remote.example's shared inbox; carol is on another
	// server, and dave on remote.example has no shared inbox at all.
	alice, bob, carol, dave := follower("alice"), follower("bob"), follower("carol"), follower("dave")
	carol.ID = "https://other.example/users/carol"
	carol.Inbox = "https://other.example/users/carol/inbox"
	carol.SharedInbox = "https://other.example/inbox"
	dave.SharedInbox = ""
	for _, f := range []struct {
		actorID string
		f       store.Follower
	}{{a, alice}, {b, alice}, {c, alice}, {a, bob}, {b, bob}, {a, carol}, {c, carol}, {a, dave}} {
		_, err := s.AddFollower(ctx, f.actorID, f.f)
		must(t, err, "AddFollower")
	}

	for _, inbox := range []string{"", "https://unknown.example/inbox", carol.ID} {
		n, err := s.RemoveFollowersByInbox(ctx, inbox)
		must(t, err, "RemoveFollowersByInbox unknown")
		if n != 0 {
			t.Errorf("RemoveFollowersByInbox(%q) = %d, want 0", inbox, n)
		}
	}
	checkCount(t, s, a, 4)

	// alice's personal inbox: alice goes from all three actors, nobody else.
	n, err := s.RemoveFollowersByInbox(ctx, alice.Inbox)
	must(t, err, "RemoveFollowersByInbox personal")
	if n != 3 {
		t.Errorf("RemoveFollowersByInbox(alice's inbox) = %d, want 3", n)
	}
	checkCount(t, s, a, 3)
	checkCount(t, s, b, 1)
	checkCount(t, s, c, 1)
	if got, want := followerIDs(t, s, a), []string{bob.ID, dave.ID, carol.ID}; !slices.Equal(got, sorted(want)) {
		t.Errorf("Followers(a) = %q, want %q", got, sorted(want))
	}
	checkFollows(t, s, "after removing alice's inbox", alice.ID, nil)
	checkFollows(t, s, "after removing alice's inbox", bob.ID, map[string]store.Follower{a: bob, b: bob})
	checkFollows(t, s, "after removing alice's inbox", carol.ID, map[string]store.Follower{a: carol, c: carol})
	n, err = s.RemoveFollowersByInbox(ctx, alice.Inbox)
	must(t, err, "RemoveFollowersByInbox personal again")
	if n != 0 {
		t.Errorf("second RemoveFollowersByInbox(alice's inbox) = %d, want 0", n)
	}

	// The shared inbox: bob's two follows go; dave (no shared inbox) and
	// carol (another server's) stay.
	n, err = s.RemoveFollowersByInbox(ctx, shared)
	must(t, err, "RemoveFollowersByInbox shared")
	if n != 2 {
		t.Errorf("RemoveFollowersByInbox(shared) = %d, want 2", n)
	}
	checkCount(t, s, b, 0)
	if got, want := followerIDs(t, s, a), sorted([]string{dave.ID, carol.ID}); !slices.Equal(got, want) {
		t.Errorf("Followers(a) after shared = %q, want %q", got, want)
	}
	checkFollows(t, s, "after removing the shared inbox", bob.ID, nil)
	checkFollows(t, s, "after removing the shared inbox", dave.ID, map[string]store.Follower{a: dave})
	checkFollows(t, s, "after removing the shared inbox", carol.ID, map[string]store.Follower{a: carol, c: carol})

	// The other server's shared inbox removes carol everywhere.
	n, err = s.RemoveFollowersByInbox(ctx, carol.SharedInbox)
	must(t, err, "RemoveFollowersByInbox other shared")
	if n != 2 {
		t.Errorf("RemoveFollowersByInbox(carol's shared inbox) = %d, want 2", n)
	}
	checkCount(t, s, a, 1)
	checkCount(t, s, c, 0)
	checkFollows(t, s, "after removing carol's shared inbox", carol.ID, nil)
	// Removed follows leave no index behind: carol's personal inbox finds none.
	n, err = s.RemoveFollowersByInbox(ctx, carol.Inbox)
	must(t, err, "RemoveFollowersByInbox carol's personal inbox")
	if n != 0 {
		t.Errorf("RemoveFollowersByInbox(carol's inbox) after removal = %d, want 0", n)
	}

	// A removed follower can follow again, and is found by its inbox again.
	added, err := s.AddFollower(ctx, b, alice)
	must(t, err, "AddFollower after RemoveFollowersByInbox")
	if !added {
		t.Errorf("re-following after removal by inbox: added = false, want true")
	}
	n, err = s.RemoveFollowersByInbox(ctx, alice.Inbox)
	must(t, err, "RemoveFollowersByInbox after re-follow")
	if n != 1 {
		t.Errorf("RemoveFollowersByInbox after re-follow = %d, want 1", n)
	}
	checkCount(t, s, b, 0)
}

// testFollowerRemoveByInboxRefresh checks that a refreshed record is found
// by its new inboxes only, and that the other removals keep the inbox index
// in step.
func testFollowerRemoveByInboxRefresh(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := actor, actor+"/b"
	alice, bob := follower("alice"), follower("bob")
	moved := alice
	moved.Inbox = "https://moved.example/users/alice/inbox"
	moved.SharedInbox = "https://moved.example/inbox"
	for _, f := range []struct {
		actorID string
		f       store.Follower
	}{{a, alice}, {a, bob}, {a, moved}} {
		_, err := s.AddFollower(ctx, f.actorID, f.f)
		must(t, err, "AddFollower")
	}

	for _, inbox := range []string{alice.Inbox, alice.SharedInbox} {
		n, err := s.RemoveFollowersByInbox(ctx, inbox)
		must(t, err, "RemoveFollowersByInbox old inbox")
		if inbox == alice.SharedInbox {
			// bob still uses the shared inbox; the moved alice must not.
			if n != 1 {
				t.Errorf("RemoveFollowersByInbox(old shared) = %d, want 1 (bob only)", n)
			}
			continue
		}
		if n != 0 {
			t.Errorf("RemoveFollowersByInbox(alice's old inbox) = %d, want 0", n)
		}
	}
	if got := followerIDs(t, s, a); !slices.Equal(got, []string{alice.ID}) {
		t.Errorf("Followers(a) = %q, want only alice", got)
	}
	checkFollows(t, s, "after old inboxes", alice.ID, map[string]store.Follower{a: moved})

	n, err := s.RemoveFollowersByInbox(ctx, moved.Inbox)
	must(t, err, "RemoveFollowersByInbox new inbox")
	if n != 1 {
		t.Errorf("RemoveFollowersByInbox(alice's new inbox) = %d, want 1", n)
	}
	checkCount(t, s, a, 0)
	checkFollows(t, s, "after new inbox", alice.ID, nil)
	n, err = s.RemoveFollowersByInbox(ctx, moved.SharedInbox)
	must(t, err, "RemoveFollowersByInbox new shared inbox")
	if n != 0 {
		t.Errorf("RemoveFollowersByInbox(new shared) after removal = %d, want 0", n)
	}

	// RemoveFollower and RemoveFollowerEverywhere drop the index entries too:
	// a later follow through the same inbox is counted alone.
	for _, id := range []string{a, b} {
		_, err := s.AddFollower(ctx, id, bob)
		must(t, err, "AddFollower bob")
	}
	_, err = s.RemoveFollower(ctx, a, bob.ID)
	must(t, err, "RemoveFollower bob")
	_, err = s.RemoveFollowerEverywhere(ctx, bob.ID)
	must(t, err, "RemoveFollowerEverywhere bob")
	_, err = s.AddFollower(ctx, b, alice)
	must(t, err, "AddFollower alice to b")
	n, err = s.RemoveFollowersByInbox(ctx, alice.SharedInbox)
	must(t, err, "RemoveFollowersByInbox shared after other removals")
	if n != 1 {
		t.Errorf("RemoveFollowersByInbox(shared) after other removals = %d, want 1", n)
	}
	checkFollows(t, s, "after other removals", bob.ID, nil)
	checkFollows(t, s, "after other removals", alice.ID, nil)

	// A refresh through one actor leaves the follower's other records, and
	// their inboxes, as they were.
	for _, id := range []string{a, b} {
		_, err := s.AddFollower(ctx, id, alice)
		must(t, err, "AddFollower alice")
	}
	_, err = s.AddFollower(ctx, a, moved)
	must(t, err, "AddFollower refresh alice on a")
	n, err = s.RemoveFollowersByInbox(ctx, alice.Inbox)
	must(t, err, "RemoveFollowersByInbox alice's old inbox, one record left")
	if n != 1 {
		t.Errorf("RemoveFollowersByInbox(alice's old inbox) = %d, want 1 (b's record)", n)
	}
	checkFollows(t, s, "after partial refresh", alice.ID, map[string]store.Follower{a: moved})
}

// sorted returns a sorted copy of ids.
func sorted(ids []string) []string {
	return slices.Sorted(slices.Values(ids))
}
