package interop

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
)

// TestGoToSocialProfiles: what followers see on GoToSocial. A page looks
// like a profile worth following (its lead image as avatar and header, its
// opening sentence as bio, fields linking the wiki); an edit post carries
// the page's language, its categories as hashtags and, on a page the admin
// lists, the text the edit added; a new lead image reaches followers as a
// new avatar; a renamed editor keeps their followers and their old handle;
// and the wiki's own account brings every new page and shows the main
// page's new opening as its bio.
func TestGoToSocialProfiles(t *testing.T) {
	needGoToSocial(t)
	t.Parallel()
	w := newWorld(t, worldOptions{udp: true, extra: []string{
		"--excerpt-pages", "Server admin log",
		"--profile-update-every", "1s",
		"--wiki-account", "testwiki",
	}})
	fan := w.person(gts, "profiles")
	admin := w.admin
	admin.UploadImage(t, "Curie portrait.png", 640, 480, 1, "portrait")
	admin.UploadImage(t, "Curie laboratory.png", 640, 480, 2, "laboratory")
	text := "[[File:Curie portrait.png|thumb|Marie Curie]]\n'''Marie Curie''' was a physicist and chemist who conducted pioneering research on radioactivity. She was the first woman to win a Nobel Prize.\n\n== Life ==\nBorn in Warsaw.\n\n[[Category:Physicists]] [[Category:Nobel laureates]] [[Category:Hidden tracking category]]"
	admin.Edit(t, "Category:Hidden tracking category", "__HIDDENCAT__", "hidden category")
	admin.Edit(t, "Marie Curie", text, "new article")
	admin.Edit(t, "Server admin log", "== 2026-12-01 ==\n* 09:00 admin: started the log", "new log")

	find := func(t *testing.T, q string) *testenv.Account {
		t.Helper()
		acc, err := fan.FindAccount(q)
		if err != nil {
			t.Fatalf("searching %s: %v", q, err)
		}
		return acc
	}
	follow := func(t *testing.T, acc *testenv.Account) {
		t.Helper()
		if _, err := fan.Follow(acc.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := eventually(15*time.Second, func() error {
			r, err := fan.Relationship(acc.ID)
			if err == nil && !r.Following {
				err = fmt.Errorf("not following %s yet", acc.Acct)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	var curie *testenv.Account

	t.Run("a page is a profile", func(t *testing.T) {
		curie = find(t, "@marie_curie@"+w.domain)
		logo := find(t, "@server_admin_log@"+w.domain) // no image: the wiki's logo
		if strings.Contains(curie.Avatar, "default_avatars") || curie.Avatar == logo.Avatar {
			t.Errorf("avatar %q: want the article's lead image (the log page has %q)", curie.Avatar, logo.Avatar)
		}
		if curie.Header == "" || strings.Contains(curie.Header, "default_header") {
			t.Errorf("header %q: want the lead image as a banner", curie.Header)
		}
		bio := html.UnescapeString(tagRE.ReplaceAllString(curie.Note, ""))
		if !strings.Contains(bio, "Marie Curie was a physicist and chemist who conducted pioneering research on radioactivity.") {
			t.Errorf("bio %q: want the article's opening sentence", bio)
		}
		if strings.Contains(bio, "Born in Warsaw") {
			t.Errorf("bio %q: more than the opening", bio)
		}
		var names []string
		for _, f := range curie.Fields {
			names = append(names, f.Name)
		}
		for _, want := range []string{"Wiki page", "Talk page", "Last edited"} {
			if !slices.Contains(names, want) {
				t.Errorf("fields %q: want %q", names, want)
			}
		}
		follow(t, curie)
	})

	t.Run("an edit post has language, hashtags and, where listed, the added text", func(t *testing.T) {
		rev := admin.Edit(t, "Marie Curie", text+"\nShe also discovered polonium.", "polonium")
		s := waitPost(t, fan, fmt.Sprintf("%s/ap/rev/%d", w.public, rev))
		if s.Language != "en" {
			t.Errorf("language %q, want en", s.Language)
		}
		var tags []string
		for _, tag := range s.Tags {
			tags = append(tags, strings.ToLower(tag.Name))
		}
		for _, want := range []string{"physicists", "nobellaureates"} {
			if !slices.Contains(tags, want) {
				t.Errorf("hashtags %q: want %q", tags, want)
			}
		}
		if slices.Contains(tags, "hiddentrackingcategory") {
			t.Errorf("hashtags %q: a hidden category is not news", tags)
		}
		if strings.Contains(s.Content, "discovered polonium") {
			t.Errorf("an article's edit post quotes the added text, and the article is not listed: %s", s.Content)
		}

		log := find(t, "@server_admin_log@"+w.domain)
		follow(t, log)
		rev = admin.Edit(t, "Server admin log", "== 2026-12-01 ==\n* 09:00 admin: started the log\n* 12:34 admin: restarted the database servers", "log")
		s = waitPost(t, fan, fmt.Sprintf("%s/ap/rev/%d", w.public, rev))
		if !strings.Contains(html.UnescapeString(s.Content), "12:34 admin: restarted the database servers") {
			t.Errorf("the listed log page's post lacks the added line: %s", s.Content)
		}
	})

	t.Run("a new lead image is a new avatar", func(t *testing.T) {
		before := curie.Avatar
		admin.Edit(t, "Marie Curie", strings.Replace(text, "Curie portrait.png", "Curie laboratory.png", 1), "new lead image")
		if _, err := eventually(30*time.Second, func() error {
			a, err := fan.Account(curie.ID)
			if err == nil && a.Avatar == before {
				err = fmt.Errorf("the avatar is still %s", before)
			}
			return err
		}); err != nil {
			t.Error(err)
		}
	})

	t.Run("a renamed editor keeps followers and old handle", func(t *testing.T) {
		ed := w.wiki.NewEditor(t, "Pierre Test")
		ed.Edit(t, "User:Pierre Test", "'''Pierre''' edits articles about physics.", "about me")
		old := find(t, "@user.pierre_test@"+w.domain)
		if !strings.Contains(html.UnescapeString(old.Note), "edits articles about physics") {
			t.Errorf("editor bio %q: want their user page's opening", old.Note)
		}
		follow(t, old)
		w.wiki.RenameUser(t, "Pierre Test", "Pierre Renamed", "test rename")
		if _, err := eventually(30*time.Second, func() error {
			a, err := fan.Account(old.ID)
			if err == nil && (a.DisplayName != "Pierre Renamed" || a.Acct != "user.pierre_renamed@"+w.domain) {
				err = fmt.Errorf("GoToSocial shows %q (%s)", a.DisplayName, a.Acct)
			}
			return err
		}); err != nil {
			t.Error(err)
		}
		again := find(t, "@user.pierre_test@"+w.domain)
		if again.ID != old.ID {
			t.Errorf("the old handle finds account %s, not %s", again.ID, old.ID)
		}
		if r, err := fan.Relationship(old.ID); err != nil || !r.Following {
			t.Errorf("after the rename the follow is gone: %+v %v", r, err)
		}
	})

	t.Run("the wiki's own account brings every new page", func(t *testing.T) {
		acc := find(t, "@testwiki@"+w.domain)
		for _, q := range []string{w.public + "/wiki/Main_Page", w.public + "/wiki/Special:RecentChanges"} {
			if got := find(t, q); got.ID != acc.ID {
				t.Errorf("%s finds %s, not the wiki's account", q, got.Acct)
			}
		}
		if acc.DisplayName != "Testwiki" || strings.Contains(acc.Avatar, "default_avatars") {
			t.Errorf("the wiki's account: %q, avatar %q", acc.DisplayName, acc.Avatar)
		}
		follow(t, acc)
		rev := admin.Edit(t, "Pierre Curie", "[[File:Curie laboratory.png|thumb|The laboratory]]\n'''Pierre Curie''' was a physicist.", "new article")
		uri := fmt.Sprintf("%s/ap/rev/%d", w.public, rev)
		s := waitPost(t, fan, uri)
		// A new page's post shows its lead image, described.
		if len(s.MediaAttachments) != 1 || s.MediaAttachments[0].Type != "image" ||
			!strings.Contains(s.MediaAttachments[0].Description, "Curie laboratory") {
			t.Errorf("the new page's post has attachments %+v: want its lead image with alt text", s.MediaAttachments)
		}
		// It comes as the wiki's boost of the new page's post.
		entry, err := inHome(fan, uri)
		if err != nil || entry == nil || entry.Account.ID != acc.ID {
			t.Errorf("the new page reached the follower as %+v (%v), not from the wiki's account", entry, err)
		}
		// Its bio is the main page's opening: a new one reaches GoToSocial.
		admin.Edit(t, "Main Page", "'''Testwiki''' is the wiki of 4417 radium researchers.", "a new opening")
		if _, err := eventually(30*time.Second, func() error {
			a, err := fan.Account(acc.ID)
			if err == nil && !strings.Contains(html.UnescapeString(a.Note), "4417 radium researchers") {
				err = fmt.Errorf("the wiki's account still has bio %q", a.Note)
			}
			return err
		}); err != nil {
			t.Error(err)
		}
	})

	if p := w.problems(); len(p) > 0 {
		t.Errorf("GoToSocial logged %d warnings or errors about %s:\n%s", len(p), w.domain, strings.Join(p, "\n"))
	}
}

// waitPost waits until the post with uri (or a boost of it) is in who's
// home timeline and returns the post itself.
func waitPost(t *testing.T, who *testenv.GTSUser, uri string) *testenv.Status {
	t.Helper()
	var s *testenv.Status
	if _, err := eventually(20*time.Second, func() error {
		var err error
		if s, err = inHome(who, uri); err == nil && s == nil {
			err = fmt.Errorf("%s is not in %s's home timeline", uri, who.Name)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if s.Reblog != nil {
		return s.Reblog
	}
	return s
}
