package wiki_test

import (
	"context"
	"errors"
	"html"
	"strconv"
	"strings"
	"testing"
	"time"

	"cgt.name/pkg/go-mwclient/params"

	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// TestTalkOnRealWiki writes replies to talk pages of a real MediaWiki the
// way wikipub will, and reads them back: the saved wikitext is exactly the
// escaped text (so subst: and ~~~~, which act on save, did nothing), the
// saved page renders it literally, bot edits are flagged as such, and
// refusals name the page and the reason.
func TestTalkOnRealWiki(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	plain := w.NewEditor(t, "Plain User")
	ctx := context.Background()
	const page = "User talk:Someone"

	title1 := "Re: [[Category:T]] {{subst:CURRENTYEAR}} ~~~~ == x == '''y'''"
	body1 := "<p>" + html.EscapeString(hostileInjection) + "</p><p>{{subst:CURRENTYEAR}} ~~~~ ~~~ ~~~~~</p>"
	text1 := wiki.WikitextFromHTML(body1, 0, "")
	title2 := "Second reply"
	text2 := wiki.WikitextFromHTML("<p>"+strings.Repeat("long reply ", 200)+"</p>", 100, "https://social.example/@bob/2")

	t.Run("AddTalkSection creates the page", func(t *testing.T) {
		if _, exists, err := admin.C.PageText(ctx, page); err != nil || exists {
			t.Fatalf("PageText before = exists %v, %v; want a missing page", exists, err)
		}
		rev1, err := admin.C.AddTalkSection(ctx, page, title1, text1, "Reply from @bob@social.example [1]", true)
		if err != nil || rev1 == 0 {
			t.Fatalf("AddTalkSection = %d, %v", rev1, err)
		}
		rev2, err := admin.C.AddTalkSection(ctx, page, title2, text2, "Reply from @bob@social.example [2]", false)
		if err != nil || rev2 <= rev1 {
			t.Fatalf("second AddTalkSection = %d, %v (first %d)", rev2, err, rev1)
		}

		saved, exists, err := admin.C.PageText(ctx, page)
		if err != nil || !exists {
			t.Fatalf("PageText = exists %v, %v", exists, err)
		}
		want := "== " + wiki.EscapeWikitextLine(title1) + " ==\n\n" + text1 +
			"\n\n== " + wiki.EscapeWikitextLine(title2) + " ==\n\n" + text2
		if saved != want {
			t.Errorf("saved wikitext:\n got %q\nwant %q", saved, want)
		}
		year := strconv.Itoa(time.Now().UTC().Year())
		for _, bad := range []string{year, "[[User:", "{{", "~~~"} {
			if strings.Contains(saved, bad) {
				t.Errorf("saved wikitext holds %q: the pre-save transform acted on it:\n%s", bad, saved)
			}
		}

		got := parseWikitext(t, admin, params.Values{"page": page})
		wantText := title1 + "\n" + hostileInjection + "\n{{subst:CURRENTYEAR}} ~~~~ ~~~ ~~~~~\n" +
			title2 + "\n" + strings.TrimSpace(strings.Repeat("long reply ", 9)) + "…\n" + wiki.ReadMoreLabel
		checkRendered(t, got, wantText, "https://social.example/@bob/2", "div", "p", "h2", "span")

		// The bot flag counts for the admin's bot password (bot group,
		// highvolume grant), and only when asked for.
		flags := rcBotFlags(t, admin, page)
		if !flags[rev1] || flags[rev2] {
			t.Errorf("bot flags %v: want %d flagged (bot=true), %d not", flags, rev1, rev2)
		}
	})

	t.Run("redirect is refused", func(t *testing.T) {
		// An IP turns a talk page into a redirect to a protected page that
		// the admin bot may edit: nothing is written, neither there nor on
		// the redirect.
		admin.Edit(t, "Project:Locked", "Locked.", "create")
		admin.Protect(t, "Project:Locked", "test")
		w.Anonymous(t).Edit(t, "User talk:Target", "#REDIRECT [[Project:Locked]]", "vandalism")
		_, err := admin.C.AddTalkSection(ctx, "User talk:Target", "Via redirect", "hi", "test [6]", true)
		checkRefused(t, err, "User talk:Target", "redirect")
		if got, _, err := admin.C.PageText(ctx, "Project:Locked"); err != nil || got != "Locked." {
			t.Errorf("redirect target = %q, %v; want it unchanged", got, err)
		}
		if got, _, err := admin.C.PageText(ctx, "User talk:Target"); err != nil || got != "#REDIRECT [[Project:Locked]]" {
			t.Errorf("redirect page = %q, %v; want it unchanged", got, err)
		}
	})

	t.Run("protected page is refused also to an admin bot", func(t *testing.T) {
		for _, level := range []string{"sysop", "autoconfirmed"} {
			page := "User talk:Protected " + level
			admin.Edit(t, page, "Protected talk page.", "create")
			admin.ProtectAt(t, page, level, "test")
			_, err := admin.C.AddTalkSection(ctx, page, "Hello", "hi", "test [7]", true)
			checkRefused(t, err, page, "protected (edit="+level+")")
		}
	})

	t.Run("cascading protection is refused", func(t *testing.T) {
		admin.Edit(t, "User talk:Cascaded", "Talk.", "create")
		admin.Edit(t, "Project:Cascade", "{{User talk:Cascaded}}", "transclude")
		admin.ProtectCascade(t, "Project:Cascade", "test")
		_, err := admin.C.AddTalkSection(ctx, "User talk:Cascaded", "Hello", "hi", "test [8]", true)
		checkRefused(t, err, "User talk:Cascaded", "cascading from ")
	})

	t.Run("HasRight", func(t *testing.T) {
		if ok, err := admin.C.HasRight(ctx, "bot"); err != nil || !ok {
			t.Errorf("admin HasRight(bot) = %v, %v; want true", ok, err)
		}
		if ok, err := plain.C.HasRight(ctx, "bot"); err != nil || ok {
			t.Errorf("plain user HasRight(bot) = %v, %v; want false", ok, err)
		}
		if ok, err := plain.C.HasRight(ctx, "edit"); err != nil || !ok {
			t.Errorf("plain user HasRight(edit) = %v, %v; want true", ok, err)
		}
	})

	t.Run("bot flag needs the right", func(t *testing.T) {
		rev, err := plain.C.AddTalkSection(ctx, "User talk:Other", "Hello", "hi", "test [3]", true)
		if err != nil {
			t.Fatal(err)
		}
		if flags := rcBotFlags(t, admin, "User talk:Other"); flags[rev] {
			t.Errorf("an edit by a user without the bot right is flagged bot: %v", flags)
		}
	})

	t.Run("protected page is refused", func(t *testing.T) {
		const prot = "User talk:Protected"
		admin.Edit(t, prot, "Protected talk page.", "create")
		admin.Protect(t, prot, "test")
		_, err := plain.C.AddTalkSection(ctx, prot, "Hello", "hi", "test [4]", false)
		checkRefused(t, err, prot, "protected")
		t.Logf("refusal: %v", err)
	})

	t.Run("blocked account is refused", func(t *testing.T) {
		blocked := w.NewEditor(t, "Blocked Bot")
		admin.Block(t, "Blocked Bot", "test")
		_, err := blocked.C.AddTalkSection(ctx, "User talk:Someone", "Hello", "hi", "test [5]", false)
		checkRefused(t, err, "User talk:Someone", "blocked")
		t.Logf("refusal: %v", err)
	})

	t.Run("a missing right is refused", func(t *testing.T) {
		// A bot password without the editpage grant.
		w.Maint(t, "createBotPassword.php", "--appid", "readonly", "--grants", "basic", "Plain User", "0123456789abcdefghijklmnopqrstuvv")
		ro := w.LoginAs(t, "Plain User@readonly", "0123456789abcdefghijklmnopqrstuvv")
		_, err := ro.C.AddTalkSection(ctx, "User talk:Someone", "Hello", "hi", "test [9]", false)
		checkRefused(t, err, "User talk:Someone", "does not let the bot edit")
		t.Logf("refusal: %v", err)
	})

	t.Run("editpage alone cannot create a talk page", func(t *testing.T) {
		// The grant the deployment guide names for existing talk pages:
		// a missing one needs createtalk (createeditmovepage).
		w.Maint(t, "createBotPassword.php", "--appid", "editonly", "--grants", "basic,editpage", "Plain User", "0123456789abcdefghijklmnopqrstuvw")
		eo := w.LoginAs(t, "Plain User@editonly", "0123456789abcdefghijklmnopqrstuvw")
		admin.Edit(t, "User talk:Existing", "Talk.", "create")
		if _, err := eo.C.AddTalkSection(ctx, "User talk:Existing", "Hello", "hi", "test [10]", false); err != nil {
			t.Errorf("editpage on an existing talk page: %v", err)
		}
		_, err := eo.C.AddTalkSection(ctx, "User talk:Not Yet", "Hello", "hi", "test [11]", false)
		checkRefused(t, err, "User talk:Not Yet", "does not let the bot edit")
		t.Logf("refusal: %v", err)
	})

	t.Run("anonymous client cannot write", func(t *testing.T) {
		_, err := w.Anonymous(t).C.AddTalkSection(ctx, "User talk:Someone", "Hello", "hi", "test", false)
		if err == nil || !strings.Contains(err.Error(), "bot password") {
			t.Errorf("anonymous AddTalkSection: %v, want an error asking for a bot password", err)
		}
	})

	t.Run("empty section title", func(t *testing.T) {
		_, err := admin.C.AddTalkSection(ctx, "User talk:Someone", " \u202e ", "hi", "test", false)
		if err == nil {
			t.Error("AddTalkSection with an empty title succeeded")
		}
	})
}

// checkRefused wants ErrEditRefused naming the page and the reason.
func checkRefused(t *testing.T, err error, title, reason string) {
	t.Helper()
	if !errors.Is(err, wiki.ErrEditRefused) || !strings.Contains(err.Error(), reason) {
		t.Fatalf("error %v: want ErrEditRefused saying %q", err, reason)
	}
	if !strings.Contains(err.Error(), strconv.Quote(title)) {
		t.Errorf("error %q does not name the page %q", err, title)
	}
}

// rcBotFlags maps the revisions of a page in recent changes to their bot
// flag.
func rcBotFlags(t *testing.T, s *testenv.Session, title string) map[int64]bool {
	t.Helper()
	var resp struct {
		Query struct {
			RecentChanges []struct {
				RevID int64 `json:"revid"`
				Bot   bool  `json:"bot"`
			} `json:"recentchanges"`
		} `json:"query"`
	}
	p := params.Values{"action": "query", "list": "recentchanges", "rctitle": title, "rcprop": "ids|flags", "rclimit": "50"}
	if err := s.C.Get(context.Background(), p, &resp); err != nil {
		t.Fatalf("recent changes of %s: %v", title, err)
	}
	flags := map[int64]bool{}
	for _, rc := range resp.Query.RecentChanges {
		flags[rc.RevID] = rc.Bot
	}
	return flags
}

func TestPageTextOnRealWiki(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	s := w.Login(t)
	ctx := context.Background()
	// Unescaped, subst: and ~~~~ do act on save: the control for the
	// talk-page test, whose escaped text must come back unchanged.
	s.Edit(t, "User:Editor", "{{wikipub|replies=yes}}\n{{subst:CURRENTYEAR}} ~~~~", "opt in")
	got, exists, err := s.C.PageText(ctx, "User:Editor")
	year := strconv.Itoa(time.Now().UTC().Year())
	if err != nil || !exists || !strings.HasPrefix(got, "{{wikipub|replies=yes}}\n"+year+" [[User:Admin") {
		t.Errorf("PageText(User:Editor) = %q, %v, %v; want the marker, the year and a signature", got, exists, err)
	}
	s.Edit(t, "User:Renamed", "#REDIRECT [[User:Editor]]", "redirect")
	if got, exists, err := s.C.PageText(ctx, "User:Renamed"); err != nil || !exists || got != "#REDIRECT [[User:Editor]]" {
		t.Errorf("PageText(redirect) = %q, %v, %v; want the redirect's own text", got, exists, err)
	}
	if got, exists, err := s.C.PageText(ctx, "User:Nobody"); err != nil || exists || got != "" {
		t.Errorf("PageText(missing) = %q, %v, %v; want not found, no error", got, exists, err)
	}
	// As it was: the revision saved at or before a time.
	before := time.Now().Add(-2 * time.Second)
	s.Edit(t, "Project:History probe", `{"replies": false}`, "v1")
	time.Sleep(1100 * time.Millisecond)
	between := time.Now()
	time.Sleep(1100 * time.Millisecond)
	s.Edit(t, "Project:History probe", `{"replies": true}`, "v2")
	for _, tc := range []struct {
		at     time.Time
		text   string
		exists bool
	}{{before, "", false}, {between, `{"replies": false}`, true}, {time.Now().Add(time.Second), `{"replies": true}`, true}} {
		got, exists, err := s.C.PageTextAt(ctx, "Project:History probe", tc.at)
		if err != nil || exists != tc.exists || got != tc.text {
			t.Errorf("PageTextAt(%s) = %q, %v, %v; want %q, %v", tc.at.Format(time.RFC3339), got, exists, err, tc.text, tc.exists)
		}
	}
	if got, exists, err := s.C.PageTextAt(ctx, "User:Nobody", time.Now()); err != nil || exists || got != "" {
		t.Errorf("PageTextAt(missing) = %q, %v, %v; want not found, no error", got, exists, err)
	}
	if _, _, err := s.C.PageText(ctx, "Bad[title]"); err == nil || !strings.Contains(err.Error(), "Bad[title]") {
		t.Errorf("PageText(invalid title) error = %v, want one naming the title", err)
	}
	if _, _, err := s.C.PageText(ctx, "Special:RecentChanges"); err == nil {
		t.Error("PageText(special page) succeeded")
	}
}
