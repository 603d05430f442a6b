package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// remoteNote is the id of a remote interaction named name; names compare as
// the ids do.
func remoteNote(name string) string { return "https://remote.example/notes/" + name }

// interaction builds a distinct record of interaction name of kind on
// object, published at, with no talk-page state.
func interaction(name, kind, object string, at time.Time) store.Interaction {
	return store.Interaction{
		ID:          remoteNote(name),
		Kind:        kind,
		Object:      object,
		Actor:       "https://remote.example/users/" + name,
		ActorName:   "User " + name,
		ActorHandle: name + "@remote.example",
		Content:     "<p>" + name + "</p>",
		URL:         "https://remote.example/@" + name + "/1",
		Published:   at,
		Received:    at.Add(1500 * time.Millisecond),
		// Round-trips like every field.
		OptInOnArrival: name != "",
	}
}

// pendingTalk builds a pending reply name on our post, due at due.
func pendingTalk(name string, due time.Time) store.Interaction {
	i := interaction(name, "reply", note("talked"), base)
	i.TalkPage = "Talk:Main Page"
	i.TalkState = "pending"
	i.Due = due
	return i
}

// checkInteraction fails unless got equals want field by field (times by
// Equal).
func checkInteraction(t *testing.T, got, want store.Interaction) {
	t.Helper()
	if got.ID != want.ID || got.Kind != want.Kind || got.Object != want.Object || got.Actor != want.Actor ||
		got.ActorName != want.ActorName || got.ActorHandle != want.ActorHandle || got.Content != want.Content ||
		got.URL != want.URL || !got.Published.Equal(want.Published) || !got.Received.Equal(want.Received) || got.TalkPage != want.TalkPage ||
		!got.Due.Equal(want.Due) || got.TalkState != want.TalkState || got.OptInOnArrival != want.OptInOnArrival {
		t.Errorf("interaction mismatch:\n got  %+v\n want %+v", got, want)
	}
}

// checkInteractionIDs fails unless is are exactly the interactions named
// want, in order.
func checkInteractionIDs(t *testing.T, what string, is []store.Interaction, want ...string) {
	t.Helper()
	got := make([]string, len(is))
	for n, i := range is {
		got[n] = i.ID
	}
	ids := make([]string, len(want))
	for n, name := range want {
		ids[n] = remoteNote(name)
	}
	if !slices.Equal(got, ids) {
		t.Errorf("%s: got interactions %q,\nwant %q", what, got, ids)
	}
}

// addInteraction calls AddInteraction, failing the test on an error or
// when added is not wantAdded.
func addInteraction(t *testing.T, s store.Store, i store.Interaction, wantAdded bool) {
	t.Helper()
	added, err := s.AddInteraction(t.Context(), i)
	must(t, err, "AddInteraction "+i.ID)
	if added != wantAdded {
		t.Errorf("AddInteraction %s: added = %v, want %v", i.ID, added, wantAdded)
	}
}

// listInteractions calls Interactions and fails the test on an error.
func listInteractions(t *testing.T, s store.Store, object, kind, after string, limit int) []store.Interaction {
	t.Helper()
	is, err := s.Interactions(t.Context(), object, kind, after, limit)
	must(t, err, fmt.Sprintf("Interactions(%s, %s)", object, kind))
	return is
}

// checkInteractionCount fails unless object has want interactions of kind.
func checkInteractionCount(t *testing.T, s store.Store, object, kind string, want int) {
	t.Helper()
	n, err := s.CountInteractions(t.Context(), object, kind)
	must(t, err, "CountInteractions")
	if n != want {
		t.Errorf("CountInteractions(%s, %s) = %d, want %d", object, kind, n, want)
	}
}

// dueTalk calls DueTalk and fails the test on an error.
func dueTalk(t *testing.T, s store.Store, now time.Time, limit int) []store.Interaction {
	t.Helper()
	is, err := s.DueTalk(t.Context(), now, limit)
	must(t, err, "DueTalk")
	return is
}

// testInteractionRoundTrip checks every field comes back as stored, added,
// that an absent interaction is ErrNotFound, that an empty ID is refused, and
// that empty results are empty, not errors.
func testInteractionRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	if i, err := s.GetInteraction(ctx, remoteNote("full")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetInteraction before any = %+v, %v; want ErrNotFound", i, err)
	}
	checkInteractionIDs(t, "Interactions before any", listInteractions(t, s, note("p"), "reply", "", 10))
	checkInteractionIDs(t, "Interactions after an unknown id", listInteractions(t, s, note("p"), "reply", remoteNote("x"), 10))
	checkInteractionCount(t, s, note("p"), "reply", 0)
	checkInteractionIDs(t, "DueTalk before any", dueTalk(t, s, base.Add(time.Hour), 10))
	must(t, s.RemoveInteraction(ctx, remoteNote("absent")), "RemoveInteraction of an absent one")

	cest := time.FixedZone("CEST", 2*60*60)
	full := store.Interaction{
		ID:          remoteNote("full"),
		Kind:        "reply",
		Object:      note("p"),
		Actor:       "https://remote.example/users/ann",
		ActorName:   "Ann \"Ä\" <Example> 🐘",
		ActorHandle: "ann@remote.example",
		Content:     "<p>Hello &amp; <a href=\"https://wiki.example/\">wiki</a></p>\n\x00",
		URL:         "https://remote.example/@ann/123?x=1&y=2",
		Published:   base.Add(123456789 * time.Nanosecond).In(cest),
		TalkPage:    "Talk:Main Page/Ä",
		Due:         base.Add(time.Hour + 987654321*time.Nanosecond).In(cest),
		TalkState:   "pending",
	}
	like := store.Interaction{ID: "https://remote.example/activities/like/1", Kind: "like", Object: note("p"),
		Actor: "https://remote.example/users/bob", Published: base}
	addInteraction(t, s, full, true)
	addInteraction(t, s, like, true)
	for _, want := range []store.Interaction{full, like} {
		got, err := s.GetInteraction(ctx, want.ID)
		must(t, err, "GetInteraction "+want.ID)
		checkInteraction(t, got, want)
	}
	if is := listInteractions(t, s, note("p"), "reply", "", 10); len(is) == 1 {
		checkInteraction(t, is[0], full)
	} else {
		t.Errorf("Interactions(reply) = %+v, want the full record", is)
	}
	if is := dueTalk(t, s, full.Due, 10); len(is) == 1 {
		checkInteraction(t, is[0], full)
	} else {
		t.Errorf("DueTalk = %+v, want the full record", is)
	}
	checkInteractionCount(t, s, note("p"), "reply", 1)
	checkInteractionCount(t, s, note("p"), "like", 1)
	checkInteractionCount(t, s, note("p"), "share", 0)

	// Adding again replaces: added is false and the new record is returned.
	full.Content = "<p>edited</p>"
	addInteraction(t, s, full, false)
	addInteraction(t, s, full, false)
	got, err := s.GetInteraction(ctx, full.ID)
	must(t, err, "GetInteraction after replace")
	checkInteraction(t, got, full)
	checkInteractionCount(t, s, note("p"), "reply", 1)

	if i, err := s.GetInteraction(ctx, remoteNote("never")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetInteraction of another = %+v, %v; want ErrNotFound", i, err)
	}
	if _, err := s.AddInteraction(ctx, store.Interaction{Kind: "like", Object: note("p"), Published: base}); err == nil {
		t.Errorf("AddInteraction with an empty ID succeeded")
	}
	checkInteractionCount(t, s, note("p"), "like", 1)
	for _, limit := range []int{0, -1} {
		if is, err := s.Interactions(ctx, note("p"), "reply", "", limit); err != nil || len(is) != 0 {
			t.Errorf("Interactions with limit %d = %+v, %v; want none", limit, is, err)
		}
		if is, err := s.DueTalk(ctx, full.Due, limit); err != nil || len(is) != 0 {
			t.Errorf("DueTalk with limit %d = %+v, %v; want none", limit, is, err)
		}
	}
}

// testInteractionReplace checks that adding an interaction again moves its
// index entries when Kind, Object or Published change, so the list and count
// it left no longer have it.
func testInteractionReplace(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := note("p"), note("q")
	i := interaction("i", "reply", p, base)
	addInteraction(t, s, i, true)
	addInteraction(t, s, interaction("j", "reply", p, base.Add(time.Hour)), true)
	addInteraction(t, s, interaction("k", "like", p, base.Add(time.Minute)), true)

	type list struct {
		object, kind string
		want         []string
	}
	steps := []struct {
		what   string
		change func(i *store.Interaction)
		lists  []list
	}{
		{"content only", func(i *store.Interaction) { i.Content = "<p>changed</p>" }, []list{
			{p, "reply", []string{"i", "j"}}, {p, "like", []string{"k"}}, {q, "reply", nil}}},
		{"published later", func(i *store.Interaction) { i.Published = base.Add(2 * time.Hour) }, []list{
			{p, "reply", []string{"j", "i"}}, {p, "like", []string{"k"}}}},
		{"published earlier", func(i *store.Interaction) { i.Published = base.Add(-time.Hour) }, []list{
			{p, "reply", []string{"i", "j"}}, {p, "like", []string{"k"}}}},
		{"kind changed", func(i *store.Interaction) { i.Kind = "like" }, []list{
			{p, "reply", []string{"j"}}, {p, "like", []string{"i", "k"}}, {q, "like", nil}}},
		{"object changed", func(i *store.Interaction) { i.Object = q }, []list{
			{p, "reply", []string{"j"}}, {p, "like", []string{"k"}}, {q, "like", []string{"i"}}}},
		{"object, kind and published changed", func(i *store.Interaction) {
			i.Object, i.Kind, i.Published = p, "reply", base.Add(30*time.Minute)
		}, []list{
			{p, "reply", []string{"i", "j"}}, {p, "like", []string{"k"}}, {q, "like", nil}, {q, "reply", nil}}},
	}
	for _, st := range steps {
		st.change(&i)
		addInteraction(t, s, i, false)
		got, err := s.GetInteraction(ctx, i.ID)
		must(t, err, "GetInteraction after "+st.what)
		checkInteraction(t, got, i)
		for _, l := range st.lists {
			what := fmt.Sprintf("%s: Interactions(%s, %s)", st.what, l.object, l.kind)
			is := listInteractions(t, s, l.object, l.kind, "", 10)
			checkInteractionIDs(t, what, is, l.want...)
			for _, x := range is {
				if x.ID == i.ID {
					checkInteraction(t, x, i) // the latest record, found through the index
				}
			}
			checkInteractionCount(t, s, l.object, l.kind, len(l.want))
		}
	}
}

// testInteractionRemove checks that a removed interaction is gone from the
// record, its list, its count and the due index, and that removing it again
// is harmless.
func testInteractionRemove(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := note("p")
	a, b := interaction("a", "reply", p, base), interaction("b", "reply", p, base.Add(time.Second))
	b.TalkState, b.Due, b.TalkPage = "pending", base, "Talk:P"
	c := interaction("c", "share", p, base)
	for _, i := range []store.Interaction{a, b, c} {
		addInteraction(t, s, i, true)
	}
	checkInteractionCount(t, s, p, "reply", 2)
	checkInteractionIDs(t, "DueTalk before remove", dueTalk(t, s, base, 10), "b")

	must(t, s.RemoveInteraction(ctx, b.ID), "RemoveInteraction b")
	if i, err := s.GetInteraction(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetInteraction after remove = %+v, %v; want ErrNotFound", i, err)
	}
	checkInteractionCount(t, s, p, "reply", 1)
	checkInteractionCount(t, s, p, "share", 1)
	checkInteractionIDs(t, "Interactions(reply) after remove", listInteractions(t, s, p, "reply", "", 10), "a")
	checkInteractionIDs(t, "DueTalk after remove", dueTalk(t, s, base.Add(time.Hour), 10))
	must(t, s.RemoveInteraction(ctx, b.ID), "RemoveInteraction b again")
	checkInteractionCount(t, s, p, "reply", 1)

	must(t, s.RemoveInteraction(ctx, a.ID), "RemoveInteraction a")
	checkInteractionCount(t, s, p, "reply", 0)
	checkInteractionIDs(t, "Interactions(reply) emptied", listInteractions(t, s, p, "reply", "", 10))
	checkInteractionIDs(t, "Interactions(share) untouched", listInteractions(t, s, p, "share", "", 10), "c")

	// Added back after removal it is new again.
	addInteraction(t, s, b, true)
	checkInteractionCount(t, s, p, "reply", 1)
	checkInteractionIDs(t, "DueTalk after adding back", dueTalk(t, s, base, 10), "b")
}

// testInteractionPaging checks one object's interactions of one kind come
// back alone in (Published, ID) order at nanosecond precision, and that
// paging reproduces the full list.
func testInteractionPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := note("p")
	// Added out of order; names give the expected order only where
	// Published ties, and "a" is a nanosecond after "b" and "m" to catch a
	// backend that orders by a coarser clock and then by id.
	for _, i := range []store.Interaction{
		interaction("z", "reply", p, base.Add(time.Microsecond)),
		interaction("other-kind", "like", p, base),
		interaction("m", "reply", p, base),
		interaction("c", "reply", p, base.Add(time.Hour)),
		interaction("other-object", "reply", note("p2"), base),
		interaction("prefix-object", "reply", p+"x", base), // objects must not match by prefix
		interaction("a", "reply", p, base.Add(time.Nanosecond)),
		interaction("b", "reply", p, base),
		interaction("early", "reply", p, base.Add(-time.Hour).In(time.FixedZone("X", -5*60*60))),
	} {
		addInteraction(t, s, i, true)
	}
	full := []string{"early", "b", "m", "a", "z", "c"}
	checkInteractionIDs(t, "Interactions(p, reply)", listInteractions(t, s, p, "reply", "", 100), full...)
	checkInteractionCount(t, s, p, "reply", len(full))
	checkInteractionIDs(t, "Interactions(p, like)", listInteractions(t, s, p, "like", "", 100), "other-kind")
	checkInteractionIDs(t, "Interactions(p2, reply)", listInteractions(t, s, note("p2"), "reply", "", 100), "other-object")
	checkInteractionIDs(t, "Interactions(px, reply)", listInteractions(t, s, p+"x", "reply", "", 100), "prefix-object")
	checkInteractionIDs(t, "Interactions(p, share)", listInteractions(t, s, p, "share", "", 100))

	// Paging with limit 2 takes three pages and reproduces the list exactly.
	var got []store.Interaction
	after := ""
	for page := 1; ; page++ {
		if page > 4 {
			t.Fatalf("paging did not end after %d pages", page-1)
		}
		is := listInteractions(t, s, p, "reply", after, 2)
		if len(is) > 2 {
			t.Fatalf("page %d has %d interactions, over the limit 2", page, len(is))
		}
		if len(is) == 0 {
			if page != 4 {
				t.Errorf("paging ended after %d pages, want 3", page-1)
			}
			break
		}
		got = append(got, is...)
		after = is[len(is)-1].ID
	}
	checkInteractionIDs(t, "paged with limit 2", got, full...)

	checkInteractionIDs(t, "after the last", listInteractions(t, s, p, "reply", remoteNote("c"), 2))
	checkInteractionIDs(t, "after a tied one", listInteractions(t, s, p, "reply", remoteNote("b"), 10), "m", "a", "z", "c")
	checkInteractionIDs(t, "after an unknown one", listInteractions(t, s, p, "reply", remoteNote("gone"), 2), "early", "b")
	if is, err := s.Interactions(ctx, note("nothing"), "reply", "", 10); err != nil || len(is) != 0 {
		t.Errorf("Interactions of an object without any = %+v, %v; want none", is, err)
	}
}

// testDueTalk checks DueTalk returns only pending interactions due at now,
// oldest Due first, up to limit, and follows TalkState and Due as the
// talk-page writer replaces records.
func testDueTalk(t *testing.T, s store.Store) {
	ctx := t.Context()
	written := pendingTalk("written", base.Add(-time.Hour))
	written.TalkState = "written"
	skipped := pendingTalk("skipped", base.Add(-time.Hour))
	skipped.TalkState = "skipped"
	none := pendingTalk("none", base.Add(-time.Hour))
	none.TalkState = ""
	like := interaction("like", "like", note("talked"), base.Add(-2*time.Hour)) // zero Due, no state
	// Added out of Due order; "d-tie-a" and "d-tie-b" share a Due, and "d-ns"
	// is a nanosecond after them.
	for _, i := range []store.Interaction{
		pendingTalk("d-late", base.Add(time.Hour)),
		written,
		pendingTalk("d-tie-b", base),
		pendingTalk("d-first", base.Add(-time.Hour).In(time.FixedZone("X", 3*60*60))),
		skipped,
		pendingTalk("d-ns", base.Add(time.Nanosecond)),
		none,
		like,
		pendingTalk("d-tie-a", base),
	} {
		addInteraction(t, s, i, true)
	}

	steps := []struct {
		now  time.Time
		want []string
	}{
		{base.Add(-2 * time.Hour), nil},
		{base.Add(-time.Hour - time.Nanosecond), nil},
		{base.Add(-time.Hour), []string{"d-first"}}, // due exactly now counts
		{base.Add(-time.Nanosecond), []string{"d-first"}},
		{base, []string{"d-first", "d-tie-a", "d-tie-b"}},
		{base.Add(time.Nanosecond), []string{"d-first", "d-tie-a", "d-tie-b", "d-ns"}},
		{base.Add(2 * time.Hour).In(time.FixedZone("Y", -7*60*60)), []string{"d-first", "d-tie-a", "d-tie-b", "d-ns", "d-late"}},
	}
	for _, st := range steps {
		checkInteractionIDs(t, fmt.Sprintf("DueTalk at base%+v", st.now.Sub(base)), dueTalk(t, s, st.now, 10), st.want...)
	}
	checkInteractionIDs(t, "DueTalk limit 2", dueTalk(t, s, base.Add(2*time.Hour), 2), "d-first", "d-tie-a")
	checkInteractionIDs(t, "DueTalk limit 1", dueTalk(t, s, base.Add(2*time.Hour), 1), "d-first")

	// The writer takes d-first: written, it is no longer due.
	first, err := s.GetInteraction(ctx, remoteNote("d-first"))
	must(t, err, "GetInteraction d-first")
	first.TalkState = "written"
	addInteraction(t, s, first, false)
	checkInteractionIDs(t, "DueTalk after d-first written", dueTalk(t, s, base.Add(2*time.Hour), 2), "d-tie-a", "d-tie-b")
	got, err := s.GetInteraction(ctx, first.ID)
	must(t, err, "GetInteraction d-first after written")
	checkInteraction(t, got, first)

	// Flood control pushes d-tie-a later: it is due again only then, in its
	// new place.
	tieA := pendingTalk("d-tie-a", base.Add(90*time.Minute))
	addInteraction(t, s, tieA, false)
	checkInteractionIDs(t, "DueTalk at base after d-tie-a pushed", dueTalk(t, s, base, 10), "d-tie-b")
	checkInteractionIDs(t, "DueTalk at base+2h after d-tie-a pushed", dueTalk(t, s, base.Add(2*time.Hour), 10),
		"d-tie-b", "d-ns", "d-late", "d-tie-a")

	// Skipping and writing the rest leaves nothing due.
	for _, name := range []string{"d-tie-a", "d-tie-b", "d-ns", "d-late"} {
		i, err := s.GetInteraction(ctx, remoteNote(name))
		must(t, err, "GetInteraction "+name)
		i.TalkState = "skipped"
		addInteraction(t, s, i, false)
	}
	checkInteractionIDs(t, "DueTalk after all handled", dueTalk(t, s, base.Add(48*time.Hour), 10))

	// A handled one made pending again is due again.
	written.TalkState = "pending"
	addInteraction(t, s, written, false)
	checkInteractionIDs(t, "DueTalk after written made pending", dueTalk(t, s, base, 10), "written")
}
