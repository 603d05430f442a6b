package wiki_test

import (
	"context"
	"testing"
	"time"

	"cgt.name/pkg/go-mwclient/params"

	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// logTime is when a log entry was made, as the wiki says.
func logTime(t *testing.T, s *testenv.Session, logType, title string) time.Time {
	t.Helper()
	var resp struct {
		Query struct {
			LogEvents []struct {
				Timestamp time.Time `json:"timestamp"`
			} `json:"logevents"`
		} `json:"query"`
	}
	p := params.Values{"action": "query", "list": "logevents", "letype": logType, "letitle": title, "lelimit": "1", "leprop": "timestamp"}
	if err := s.C.Get(context.Background(), p, &resp); err != nil || len(resp.Query.LogEvents) == 0 {
		t.Fatalf("log time of %s %q: %v", logType, title, err)
	}
	return resp.Query.LogEvents[0].Timestamp
}

// TestOversightLookupsOnRealWiki: what the sweep reads of the wiki, with the
// admin's client (which is shown hidden things, flagged) and an anonymous
// one: log entries' visibility by id and time, whether a page's deletion
// is shown (not when it was suppressed, restored since, or its log entry
// hidden), pages and users by id (a hidden user is absent).
func TestOversightLookupsOnRealWiki(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	w.EnableLogDeletion(t)
	admin := w.Login(t)
	anon := w.Anonymous(t)
	ctx := context.Background()
	for _, title := range []string{"Moved one", "Plain deletion", "Suppressed deletion", "Restored one", "Hidden deletion", "Kept"} {
		admin.Edit(t, title, "Text.", "create")
	}
	ids := map[string]int64{}
	pages, err := admin.C.PagesByTitle(ctx, []string{"Plain deletion", "Suppressed deletion", "Restored one", "Hidden deletion", "Kept"})
	if err != nil {
		t.Fatal(err)
	}
	for title, p := range pages {
		ids[title] = p.ID
	}
	admin.Move(t, "Moved one", "Moved two", "reason to hide", false)
	moveID := admin.LogID(t, "move", "Moved one")
	moveAt := logTime(t, admin, "move", "Moved one")
	admin.Protect(t, "Kept", "reason to keep")
	protectID := admin.LogID(t, "protect", "Kept")
	protectAt := logTime(t, admin, "protect", "Kept")

	admin.Delete(t, "Plain deletion", "plain")
	w.DeleteSuppressed(t, "Suppressed deletion", "oversight")
	admin.Delete(t, "Restored one", "oops")
	admin.Undelete(t, "Restored one", "back")
	admin.Delete(t, "Hidden deletion", "will be hidden")
	admin.HideLogEntries(t, []int64{admin.LogID(t, "delete", "Hidden deletion")}, "content", false, "hide the title")

	for name, c := range map[string]*wiki.Client{"admin": admin.C, "anonymous": anon.C} {
		for _, tc := range []struct {
			title string
			want  bool
		}{{"Plain deletion", true}, {"Suppressed deletion", false}, {"Hidden deletion", false}, {"Restored one", false}} {
			got, err := c.PageDeletionShown(ctx, ids[tc.title], tc.title)
			if err != nil || got != tc.want {
				t.Errorf("%s: PageDeletionShown(%q) = %v, %v; want %v", name, tc.title, got, err, tc.want)
			}
		}
		if got, err := c.PageDeletionShown(ctx, ids["Plain deletion"]+1000, "Plain deletion"); err != nil || got {
			t.Errorf("%s: the deletion of another page with the title counts for this one: %v, %v", name, got, err)
		}
	}

	// Log entries: shown, then a reason hidden, then suppressed.
	entries := map[int64]time.Time{moveID: moveAt, protectID: protectAt, 999999: moveAt}
	check := func(want map[int64]wiki.Visibility) {
		t.Helper()
		for name, c := range map[string]*wiki.Client{"admin": admin.C, "anonymous": anon.C} {
			got, err := c.LogVisibility(ctx, entries)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Errorf("%s: LogVisibility = %v, want %v", name, got, want)
			}
			for id, v := range want {
				if g, ok := got[id]; !ok || g != v {
					t.Errorf("%s: LogVisibility[%d] = %v (%v), want %v", name, id, g, ok, v)
				}
			}
		}
	}
	check(map[int64]wiki.Visibility{moveID: 0, protectID: 0})
	admin.HideLogEntries(t, []int64{moveID}, "comment", false, "rude")
	check(map[int64]wiki.Visibility{moveID: wiki.HiddenComment, protectID: 0})
	admin.HideLogEntries(t, []int64{protectID}, "comment,user", true, "oversight")
	check(map[int64]wiki.Visibility{moveID: wiki.HiddenComment, protectID: wiki.HiddenComment | wiki.HiddenUser | wiki.HiddenFromAll})

	// Pages and users by id.
	got, err := anon.C.PagesByID(ctx, []int64{ids["Kept"], ids["Plain deletion"]})
	if err != nil || len(got) != 1 || got[ids["Kept"]].Title != "Kept" {
		t.Errorf("PagesByID = %v, %v; want only Kept", got, err)
	}
	secret := w.NewEditor(t, "Soon Hidden")
	secret.Edit(t, "By a soon hidden user", "Text by a soon hidden user.", "edit")
	w.NewEditor(t, "Stays Visible")
	users, err := admin.C.UsersByName(ctx, []string{"Soon Hidden", "Stays Visible"})
	if err != nil || len(users) != 2 {
		t.Fatalf("UsersByName = %v, %v", users, err)
	}
	w.HideUser(t, "Soon Hidden", "oversight")
	for name, c := range map[string]*wiki.Client{"admin": admin.C, "anonymous": anon.C} {
		byID, err := c.UsersByID(ctx, []int64{users["Soon Hidden"].ID, users["Stays Visible"].ID})
		if err != nil || len(byID) != 1 || byID[users["Stays Visible"].ID].Name != "Stays Visible" {
			t.Errorf("%s: UsersByID = %v, %v; want only the visible user", name, byID, err)
		}
	}
}
