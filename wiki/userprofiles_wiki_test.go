package wiki_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// TestUserProfilesOnRealWiki: by id and by name, registration, edit count,
// groups, the user page's opening, which pages exist; IP addresses,
// unknown and hidden accounts absent; the number of requests; the site's
// own profile with and without a subtitle.
func TestUserProfilesOnRealWiki(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	anon := w.Anonymous(t)
	ctx := context.Background()

	jimbo := w.NewEditor(t, "Jimbo Wales")
	jimbo.Edit(t, "User:Jimbo Wales", "Hello, I am '''Jimbo'''. I edit [[Albert]] and more. A third sentence.\n== Work ==\nLots.", "me")
	admin.Edit(t, "User talk:Jimbo Wales", "Welcome!", "welcome")
	w.NewEditor(t, "Quiet One")
	w.NewEditor(t, "Only Talk")
	admin.Edit(t, "User talk:Only Talk", "A message for someone without a user page.", "hello")
	w.NewEditor(t, "Soon Hidden")
	admin.Edit(t, "User:Soon Hidden", "A page of someone hidden later.", "create")
	users, err := admin.C.UsersByName(ctx, []string{"Jimbo Wales", "Quiet One", "Only Talk", "Soon Hidden"})
	if err != nil || len(users) != 4 {
		t.Fatalf("UsersByName: %v, %v", users, err)
	}
	w.HideUser(t, "Soon Hidden", "oversight")
	jid, qid, oid, hid := users["Jimbo Wales"].ID, users["Quiet One"].ID, users["Only Talk"].ID, users["Soon Hidden"].ID

	check := func(name string, byID map[int64]wiki.UserProfile, byName map[string]wiki.UserProfile) {
		t.Helper()
		if len(byID) != 3 || len(byName) != 3 {
			t.Errorf("%s: %d by id, %d by name; want 3 each (no hidden, unknown or IP account): %+v %+v", name, len(byID), len(byName), byID, byName)
		}
		j := byID[jid]
		if j.Name != "Jimbo Wales" || j.Registration.IsZero() || time.Since(j.Registration) > time.Hour || j.EditCount != 1 || !slices.Contains(j.Groups, "user") {
			t.Errorf("%s: Jimbo = %+v", name, j)
		}
		if want := "Hello, I am Jimbo. I edit Albert and more."; j.Extract != want || !j.ExtractKnown {
			t.Errorf("%s: Jimbo's extract = %q, want %q", name, j.Extract, want)
		}
		if j.UserPage != "User:Jimbo Wales" || !j.UserPageExists || j.TalkPage != "User talk:Jimbo Wales" || !j.TalkPageExists {
			t.Errorf("%s: Jimbo's pages = %+v", name, j)
		}
		if byName["Jimbo Wales"].ID != jid || byName["Jimbo Wales"].Extract != j.Extract {
			t.Errorf("%s: by name = %+v", name, byName["Jimbo Wales"])
		}
		q := byID[qid]
		if q.Name != "Quiet One" || q.UserPageExists || q.TalkPageExists || q.Extract != "" || q.UserPage != "User:Quiet One" {
			t.Errorf("%s: Quiet One = %+v", name, q)
		}
		if o := byID[oid]; o.UserPageExists || !o.TalkPageExists || o.TalkPage != "User talk:Only Talk" {
			t.Errorf("%s: Only Talk = %+v", name, o)
		}
		if _, ok := byID[hid]; ok {
			t.Errorf("%s: the hidden account has a profile", name)
		}
	}
	for name, c := range map[string]*wiki.Client{"admin": admin.C, "anonymous": anon.C} {
		byID, err := c.UserProfiles(ctx, []int64{jid, qid, oid, hid, 99999}, wiki.ProfileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		byName, err := c.UserProfilesByName(ctx, []string{"Jimbo Wales", "quiet_One", "Only Talk", "Soon Hidden", "Nobody Here", "127.0.0.1"}, wiki.ProfileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := byName["Quiet One"]; !ok {
			t.Errorf("%s: a name as a reader types it is not found as the wiki writes it: %v", name, byName)
		}
		check(name, byID, byName)
	}

	c, reqs := countingClient(t, w)
	if _, err := c.UserProfilesByName(ctx, []string{"Jimbo Wales", "Quiet One"}, wiki.ProfileOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := reqs.n.Load(); n != 1 {
		t.Errorf("2 profiles by name took %d requests, want 1", n)
	}
	reqs.n.Store(0)
	if _, err := c.UserProfiles(ctx, []int64{jid, qid}, wiki.ProfileOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := reqs.n.Load(); n != 2 {
		t.Errorf("2 profiles by id took %d requests, want 2", n)
	}

	// The wiki's own profile: the main page's opening, until the admin
	// writes a subtitle.
	reqs.n.Store(0)
	sp, err := c.SiteProfile(ctx, wiki.ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := reqs.n.Load(); n != 1 {
		t.Errorf("the site profile took %d requests, want 1", n)
	}
	want := wiki.SiteProfile{
		Name: "Testwiki", MainPage: "Main Page", MainPageURL: w.Base + "/wiki/Main_Page", Lang: "en",
		Logo: w.Base + "/resources/assets/change-your-logo.svg", Favicon: w.Base + "/favicon.ico",
		Description:     "MediaWiki has been installed.\nConsult the User's Guide for information on using the wiki software.",
		DescriptionFrom: "mainpage",
	}
	if sp != want {
		t.Errorf("SiteProfile =\n%+v\nwant\n%+v", sp, want)
	}
	w.MaintInput(t, "The [[Main Page|free]] '''test''' wiki of {{SITENAME}}.<!-- not this -->", "edit.php", "-u", w.AdminUser, "MediaWiki:Sitesubtitle")
	sp, err = anon.C.SiteProfile(ctx, wiki.ProfileOptions{})
	if err != nil || sp.Description != "The free test wiki of Testwiki." || sp.DescriptionFrom != "sitesubtitle" {
		t.Errorf("with a subtitle: %q from %q, %v", sp.Description, sp.DescriptionFrom, err)
	}
}
