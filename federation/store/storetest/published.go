package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// note is the object id of a published post named name; names compare as
// the ids do.
func note(name string) string { return "https://wiki.example/ap/note/" + name }

// published builds a distinct record of post name on pageID at at.
func published(name string, pageID int64, at time.Time) store.Published {
	return store.Published{
		ObjectID:   note(name),
		ActivityID: note(name) + "/create",
		Actor:      actor,
		PageID:     pageID,
		RevID:      1000 + pageID,
		At:         at,
		Recipients: []string{"https://remote.example/inbox"},
	}
}

// checkPublished fails unless got equals want field by field (At by Equal).
func checkPublished(t *testing.T, got, want store.Published) {
	t.Helper()
	if got.ObjectID != want.ObjectID || got.ActivityID != want.ActivityID || got.Actor != want.Actor ||
		got.PageID != want.PageID || got.RevID != want.RevID || !got.At.Equal(want.At) ||
		!slices.Equal(got.Recipients, want.Recipients) || got.Withdrawn != want.Withdrawn {
		t.Errorf("published mismatch:\n got  %+v\n want %+v", got, want)
	}
}

// checkNotes fails unless ps are exactly the posts named want, in order.
func checkNotes(t *testing.T, what string, ps []store.Published, want ...string) {
	t.Helper()
	got := make([]string, len(ps))
	for i, p := range ps {
		got[i] = p.ObjectID
	}
	ids := make([]string, len(want))
	for i, name := range want {
		ids[i] = note(name)
	}
	if !slices.Equal(got, ids) {
		t.Errorf("%s: got posts %q,\nwant %q", what, got, ids)
	}
}

// since calls PublishedSince and fails the test on an error.
func since(t *testing.T, s store.Store, at time.Time, after string, limit int) []store.Published {
	t.Helper()
	ps, err := s.PublishedSince(t.Context(), at, after, limit)
	must(t, err, "PublishedSince")
	return ps
}

// byPage calls PublishedByPage and fails the test on an error.
func byPage(t *testing.T, s store.Store, pageID int64) []store.Published {
	t.Helper()
	ps, err := s.PublishedByPage(t.Context(), pageID)
	must(t, err, "PublishedByPage")
	return ps
}

// testPublishedRoundTrip checks every field comes back as stored, and that an
// absent post is ErrNotFound.
func testPublishedRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	if p, err := s.PublishedPost(ctx, note("full")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("PublishedPost before any record = %+v, %v; want ErrNotFound", p, err)
	}

	full := store.Published{
		ObjectID:   note("full"),
		ActivityID: note("full") + "/create",
		Actor:      actor,
		PageID:     1<<53 + 1, // not exact as a float64
		RevID:      1<<62 + 3,
		At:         base.Add(123456789 * time.Nanosecond).In(time.FixedZone("CEST", 2*60*60)),
		Recipients: []string{
			"https://remote.example/users/a/inbox",
			"https://remote.example/inbox",
			"https://other.example/inbox?x=1&y=\"2\"",
		},
		Withdrawn: true,
	}
	bare := store.Published{ObjectID: note("bare"), PageID: 7, At: base} // a log event: RevID 0
	for _, p := range []store.Published{full, bare} {
		must(t, s.RecordPublished(ctx, p), "RecordPublished "+p.ObjectID)
	}
	for _, want := range []store.Published{full, bare} {
		got, err := s.PublishedPost(ctx, want.ObjectID)
		must(t, err, "PublishedPost "+want.ObjectID)
		checkPublished(t, got, want)
	}
	if ps := byPage(t, s, full.PageID); len(ps) == 1 {
		checkPublished(t, ps[0], full)
	} else {
		t.Errorf("PublishedByPage(%d) = %+v, want the full record", full.PageID, ps)
	}
	if ps := since(t, s, base, "", 10); len(ps) == 2 {
		checkPublished(t, ps[0], bare)
		checkPublished(t, ps[1], full)
	} else {
		t.Errorf("PublishedSince = %+v, want bare then full", ps)
	}

	if p, err := s.PublishedPost(ctx, note("never-published")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PublishedPost of another post = %+v, %v; want ErrNotFound", p, err)
	}
	if err := s.RecordPublished(ctx, store.Published{PageID: 1, At: base}); err == nil {
		t.Errorf("RecordPublished with an empty ObjectID succeeded")
	}
}

// testPublishedReplace checks that recording a post again keeps one record
// and moves its index entries when At or PageID change.
func testPublishedReplace(t *testing.T, s store.Store) {
	ctx := t.Context()
	early := base.Add(-time.Hour)
	p := published("p", 7, base)
	must(t, s.RecordPublished(ctx, p), "RecordPublished p")
	must(t, s.RecordPublished(ctx, published("q", 7, base.Add(time.Hour))), "RecordPublished q")

	steps := []struct {
		what       string
		change     func(p *store.Published)
		order      []string // PublishedSince(early - 1h) order
		page7      []string // PublishedByPage(7) order
		page8      []string // PublishedByPage(8) order
		fromBaseIn bool     // whether PublishedSince(base) includes p
	}{
		{"withdrawn, same At", func(p *store.Published) {
			p.Withdrawn = true
			p.Recipients = append(p.Recipients, "https://more.example/inbox")
		}, []string{"p", "q"}, []string{"p", "q"}, nil, true},
		{"At moved later", func(p *store.Published) { p.At = base.Add(2 * time.Hour) },
			[]string{"q", "p"}, []string{"q", "p"}, nil, true},
		{"At moved earlier", func(p *store.Published) { p.At = early },
			[]string{"p", "q"}, []string{"p", "q"}, nil, false},
		{"page moved", func(p *store.Published) { p.PageID, p.RevID = 8, 99 },
			[]string{"p", "q"}, []string{"q"}, []string{"p"}, false},
		{"page and At moved", func(p *store.Published) { p.PageID, p.At = 7, base.Add(3*time.Hour) },
			[]string{"q", "p"}, []string{"q", "p"}, nil, true},
	}
	for _, st := range steps {
		st.change(&p)
		must(t, s.RecordPublished(ctx, p), "RecordPublished "+st.what)
		got, err := s.PublishedPost(ctx, p.ObjectID)
		must(t, err, "PublishedPost after "+st.what)
		checkPublished(t, got, p)
		checkNotes(t, st.what+": PublishedSince", since(t, s, early.Add(-time.Hour), "", 10), st.order...)
		checkNotes(t, st.what+": PublishedByPage(7)", byPage(t, s, 7), st.page7...)
		checkNotes(t, st.what+": PublishedByPage(8)", byPage(t, s, 8), st.page8...)
		fromBase := since(t, s, base, "", 10)
		if in := slices.ContainsFunc(fromBase, func(x store.Published) bool { return x.ObjectID == p.ObjectID }); in != st.fromBaseIn {
			t.Errorf("%s: p at %v in PublishedSince(base) = %v, want %v", st.what, p.At, in, st.fromBaseIn)
		}
	}
	// The record found through either index is the latest one.
	for _, q := range byPage(t, s, 7) {
		if q.ObjectID == p.ObjectID {
			checkPublished(t, q, p)
		}
	}
}

// testPublishedByPage checks a page's posts come back alone, oldest first,
// equal At by object id, whatever order they were recorded in.
func testPublishedByPage(t *testing.T, s store.Store) {
	ctx := t.Context()
	if ps := byPage(t, s, 1); len(ps) != 0 {
		t.Errorf("PublishedByPage before any record = %+v, want none", ps)
	}
	for _, p := range []store.Published{
		published("p1-late", 1, base.Add(time.Hour)),
		published("p2-first", 2, base.Add(-time.Hour)),
		published("p1-tie-b", 1, base),
		published("p11", 11, base), // page ids must not match by prefix
		published("p1-first", 1, base.Add(-2*time.Hour)),
		published("p1-tie-a", 1, base),
		published("p1-ns", 1, base.Add(time.Nanosecond)),
		published("p2-late", 2, base.Add(time.Hour)),
	} {
		must(t, s.RecordPublished(ctx, p), "RecordPublished "+p.ObjectID)
	}
	checkNotes(t, "PublishedByPage(1)", byPage(t, s, 1), "p1-first", "p1-tie-a", "p1-tie-b", "p1-ns", "p1-late")
	checkNotes(t, "PublishedByPage(2)", byPage(t, s, 2), "p2-first", "p2-late")
	checkNotes(t, "PublishedByPage(11)", byPage(t, s, 11), "p11")
	checkNotes(t, "PublishedByPage(3)", byPage(t, s, 3))
}

// testPublishedSince checks the boundary, the (At, ObjectID) order at
// nanosecond precision, and that paging reproduces the full list.
func testPublishedSince(t *testing.T, s store.Store) {
	ctx := t.Context()
	if ps := since(t, s, base, "", 10); len(ps) != 0 {
		t.Errorf("PublishedSince before any record = %+v, want none", ps)
	}
	// Recorded out of order; names give the expected order only where At
	// ties, and "a" is a nanosecond after "b" and "m" to catch a backend that
	// orders by a coarser clock and then by id.
	for _, p := range []store.Published{
		published("z", 4, base.Add(time.Microsecond)),
		published("before", 1, base.Add(-time.Nanosecond)),
		published("m", 2, base),
		published("c", 5, base.Add(time.Hour)),
		published("a", 3, base.Add(time.Nanosecond)),
		published("b", 2, base),
	} {
		must(t, s.RecordPublished(ctx, p), "RecordPublished "+p.ObjectID)
	}
	full := []string{"b", "m", "a", "z", "c"}

	checkNotes(t, "PublishedSince(base)", since(t, s, base, "", 100), full...)
	checkNotes(t, "PublishedSince(base-1ns)", since(t, s, base.Add(-time.Nanosecond), "", 100),
		append([]string{"before"}, full...)...)
	checkNotes(t, "PublishedSince(base+1ns)", since(t, s, base.Add(time.Nanosecond), "", 100), "a", "z", "c")
	checkNotes(t, "PublishedSince(base+2h)", since(t, s, base.Add(2*time.Hour), "", 100))
	checkNotes(t, "PublishedSince in another zone", since(t, s, base.In(time.FixedZone("X", -5*60*60)), "", 100), full...)

	// Paging with limit 2 takes three pages and reproduces the list exactly.
	var got []store.Published
	after := ""
	for page := 1; ; page++ {
		if page > 4 {
			t.Fatalf("paging did not end after %d pages", page-1)
		}
		ps := since(t, s, base, after, 2)
		if len(ps) > 2 {
			t.Fatalf("page %d has %d posts, over the limit 2", page, len(ps))
		}
		if len(ps) == 0 {
			if page != 4 {
				t.Errorf("paging ended after %d pages, want 3", page-1)
			}
			break
		}
		got = append(got, ps...)
		after = ps[len(ps)-1].ObjectID
	}
	checkNotes(t, "paged with limit 2", got, full...)

	for _, limit := range []int{0, -1} {
		if ps, err := s.PublishedSince(ctx, base, "", limit); err != nil || len(ps) != 0 {
			t.Errorf("PublishedSince with limit %d = %+v, %v; want none", limit, ps, err)
		}
	}
	// Continuing after the last post ends the walk; after a post older than
	// since, or one that does not exist, starts again at since.
	checkNotes(t, "after the last post", since(t, s, base, note("c"), 2))
	checkNotes(t, "after a post older than since", since(t, s, base, note("before"), 2), "b", "m")
	checkNotes(t, "after a post two older than since", since(t, s, base.Add(time.Nanosecond), note("b"), 2), "a", "z")
	checkNotes(t, "after an unknown post", since(t, s, base, note("gone"), 2), "b", "m")
	checkNotes(t, "after a tied post", since(t, s, base, note("b"), 10), "m", "a", "z", "c")
}
