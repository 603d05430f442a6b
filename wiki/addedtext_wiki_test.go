package wiki_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// TestAddedTextOnRealWiki: what a log page's edits added, from the wiki's
// own diff: added lines and inserted words as text, a first revision
// whole, a limit; nothing of a revision whose text is hidden or
// suppressed, for the admin as for the public; revisions of a deleted
// page and unknown ones are not found; one request each.
func TestAddedTextOnRealWiki(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	anon := w.Anonymous(t)
	ctx := context.Background()

	r1 := admin.Edit(t, "Server admin log", "== 2024-05-01 ==\n* 09:00 alice: deployed the wiki\n", "log")
	r2 := admin.Edit(t, "Server admin log",
		"== 2024-05-01 ==\n* 09:00 alice: deployed the wiki again\n"+
			"* 12:00 jimbo: restarted [[nginx|the web server]] on [[db1]] <!-- the password is hunter2 --> "+
			"{{done}} see [https://phabricator.example/T1 T1]<ref>a note</ref>\n", "log")
	r3 := admin.Edit(t, "Server admin log",
		"== 2024-05-01 ==\n* 09:00 alice: deployed the wiki again\n"+
			"* 12:00 jimbo: restarted [[nginx|the web server]] on [[db1]] <!-- the password is hunter2 --> "+
			"{{done}} see [https://phabricator.example/T1 T1]<ref>a note</ref>\n* 13:00 bob: SECRET LINE\n", "log")
	r4 := admin.Edit(t, "Server admin log",
		"== 2024-05-01 ==\n* 09:00 alice: deployed the wiki again\n"+
			"* 12:00 jimbo: restarted [[nginx|the web server]] on [[db1]] <!-- the password is hunter2 --> "+
			"{{done}} see [https://phabricator.example/T1 T1]<ref>a note</ref>\n* 14:00 carol: rebooted '''everything'''\n", "log")

	c, reqs := countingClient(t, w)
	for _, tc := range []struct {
		name     string
		from, to int64
		max      int
		want     string
		cut      bool
	}{
		{"first revision", 0, r1, 0, "2024-05-01\n09:00 alice: deployed the wiki", false},
		{"changed and added lines", r1, r2, 0, "again\n12:00 jimbo: restarted the web server on db1 see T1", false},
		{"the parent by default", 0, r2, 0, "again\n12:00 jimbo: restarted the web server on db1 see T1", false},
		{"limited", r1, r2, 20, "again\n12:00 jimbo:…", true},
	} {
		reqs.n.Store(0)
		got, err := c.AddedText(ctx, tc.from, tc.to, tc.max)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.Text != tc.want || got.Truncated != tc.cut || got.Hidden {
			t.Errorf("%s: AddedText = %+v, want %q (cut %v)", tc.name, got, tc.want, tc.cut)
		}
		if tc.max > 0 && utf8.RuneCountInString(got.Text) > tc.max {
			t.Errorf("%s: %d runes, more than %d", tc.name, utf8.RuneCountInString(got.Text), tc.max)
		}
		if strings.Contains(got.Text, "hunter2") {
			t.Errorf("%s: a comment reached the text: %q", tc.name, got.Text)
		}
		if n := reqs.n.Load(); n != 1 {
			t.Errorf("%s: %d requests, want 1", tc.name, n)
		}
	}

	// r3's text hidden: the diffs into and out of it show nothing; the one
	// over it (r2 to r4) is public.
	admin.HideRevisions(t, []int64{r3}, "content", false, "private")
	check := func(what string) {
		t.Helper()
		for name, c := range map[string]*wiki.Client{"admin": admin.C, "anonymous": anon.C} {
			for _, pair := range [][2]int64{{r2, r3}, {r3, r4}, {0, r3}} {
				got, err := c.AddedText(ctx, pair[0], pair[1], 0)
				if err != nil || !got.Hidden || got.Text != "" {
					t.Errorf("%s, %s: AddedText(%d, %d) = %+v, %v; want hidden", what, name, pair[0], pair[1], got, err)
				}
			}
			got, err := c.AddedText(ctx, r2, r4, 0)
			if err != nil || got.Hidden || got.Text != "14:00 carol: rebooted everything" {
				t.Errorf("%s, %s: over the hidden revision = %+v, %v", what, name, got, err)
			}
		}
	}
	check("hidden")
	admin.HideRevisions(t, []int64{r3}, "content", true, "suppressed")
	check("suppressed")

	admin.Edit(t, "Deleted log", "one\n", "create")
	d2 := admin.Edit(t, "Deleted log", "one\ntwo\n", "more")
	admin.Delete(t, "Deleted log", "test")
	for name, c := range map[string]*wiki.Client{"admin": admin.C, "anonymous": anon.C} {
		if got, err := c.AddedText(ctx, 0, d2, 0); !errors.Is(err, wiki.ErrNotFound) {
			t.Errorf("%s: a deleted page's revision = %+v, %v; want ErrNotFound", name, got, err)
		}
		if got, err := c.AddedText(ctx, r1, 999999, 0); !errors.Is(err, wiki.ErrNotFound) {
			t.Errorf("%s: an unknown revision = %+v, %v; want ErrNotFound", name, got, err)
		}
	}
}
