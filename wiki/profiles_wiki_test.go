package wiki_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// countingTransport counts the HTTP requests a client makes.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// countingClient is an anonymous client of w whose API requests are
// counted from after it connected.
func countingClient(t testing.TB, w *testenv.Wiki) (*wiki.Client, *countingTransport) {
	t.Helper()
	ct := &countingTransport{}
	c, err := wiki.New(context.Background(), wiki.Config{
		API: w.API, UserAgent: "wikipub-tests", Transport: ct, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	ct.n.Store(0)
	return c, ct
}

// pageID is the id of an existing page.
func pageID(t *testing.T, s *testenv.Session, title string) int64 {
	t.Helper()
	pages, err := s.C.PagesByTitle(context.Background(), []string{title})
	if err != nil || pages[title].ID == 0 {
		t.Fatalf("page %q: %v %v", title, pages, err)
	}
	return pages[title].ID
}

// fetchImage reads an image URL the wiki gave and decodes it.
func fetchImage(t *testing.T, c *wiki.Client, u string) (image.Config, string) {
	t.Helper()
	b, mime, err := c.Asset(context.Background(), u)
	if err != nil {
		t.Fatalf("fetching %s: %v", u, err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s (%s, %d bytes) is not an image: %v", u, mime, len(b), err)
	}
	return cfg, format
}

// TestPageProfilesOnRealWiki: lead images with real thumbnails (PNG and
// JPEG drawn by GD), the plain-text opening without what the wiki hides
// from it, the page language, visible categories only, the latest
// revision, talk pages; a lead image changed or deleted; a wiki without
// the extensions; the number of requests.
func TestPageProfilesOnRealWiki(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	anon := w.Anonymous(t)
	ctx := context.Background()

	admin.UploadImage(t, "Lead portrait.png", 640, 480, 10, "lead image")
	admin.UploadImage(t, "Second.jpg", 600, 800, 200, "another")
	admin.Edit(t, "Category:Hidden maintenance", "__HIDDENCAT__", "hidden category")
	albertRev := admin.Edit(t, "Albert",
		"[[File:Lead portrait.png|thumb|A lead image]]\n"+
			"'''Albert''' is a <span class=\"noexcerpt\">SECRET</span> test page.<!-- COMMENT --> "+
			"It has a [[Link|linked]] second sentence. A third one follows.\n\n"+
			"== Life ==\nMore text.\n[[Category:Physicists]] [[Category:Hidden maintenance]] [[Category:Zurich people]]",
		"create")
	admin.Edit(t, "Plain", "Just text here. A second sentence. A third.", "create")
	admin.Edit(t, "Talk:Plain", "A talk.", "create")
	admin.Edit(t, "Portrait page", "[[File:Second.jpg|thumb|Tall]]\nA portrait. Of someone.", "create")
	// Interface pages need a right no bot grant carries.
	w.MaintInput(t, "Hallo Welt. Zweiter Satz.", "edit.php", "-u", w.AdminUser, "MediaWiki:Greeting/de")
	admin.Edit(t, "Gone", "Soon deleted.", "create")
	ids := map[string]int64{}
	for _, title := range []string{"Albert", "Plain", "Talk:Plain", "Portrait page", "MediaWiki:Greeting/de", "Gone"} {
		ids[title] = pageID(t, admin, title)
	}
	admin.Delete(t, "Gone", "test")
	all := []int64{ids["Albert"], ids["Plain"], ids["Talk:Plain"], ids["Portrait page"], ids["MediaWiki:Greeting/de"], ids["Gone"], 999999}
	opt := wiki.ProfileOptions{AvatarSize: 120, HeaderWidth: 500, Sentences: 2}

	var profiles map[int64]wiki.PageProfile
	for name, c := range map[string]*wiki.Client{"admin": admin.C, "anonymous": anon.C} {
		got, err := c.PageProfiles(ctx, all, opt)
		if err != nil {
			t.Fatalf("%s: PageProfiles: %v", name, err)
		}
		if profiles != nil && !reflect.DeepEqual(got, profiles) {
			t.Errorf("the admin's and the anonymous reader's profiles differ:\n%+v\n%+v", profiles, got)
		}
		profiles = got
	}
	if len(profiles) != 5 {
		t.Errorf("%d profiles, want 5 (the deleted page and the unknown id absent): %+v", len(profiles), profiles)
	}

	a := profiles[ids["Albert"]]
	if a.Title != "Albert" || a.Namespace != 0 || a.Redirect {
		t.Errorf("Albert: %+v", a)
	}
	if want := "Albert is a test page. It has a linked second sentence."; a.Extract != want || !a.ExtractKnown {
		t.Errorf("Albert's extract = %q (known %v), want %q", a.Extract, a.ExtractKnown, want)
	}
	if strings.Contains(a.Extract, "SECRET") || strings.Contains(a.Extract, "COMMENT") {
		t.Errorf("the extract shows what the wiki hides: %q", a.Extract)
	}
	if want := []string{"Category:Physicists", "Category:Zurich people"}; !reflect.DeepEqual(a.Categories, want) {
		t.Errorf("Albert's categories = %q, want %q (no hidden one)", a.Categories, want)
	}
	if a.Language != "en" || a.LanguageTag != "en" || a.Dir != "ltr" {
		t.Errorf("Albert's language = %q %q %q", a.Language, a.LanguageTag, a.Dir)
	}
	if a.LastRevID != albertRev || time.Since(a.LastEdited) > 5*time.Minute {
		t.Errorf("Albert last edited in %d at %v, want %d just now", a.LastRevID, a.LastEdited, albertRev)
	}
	if a.TalkPage != "Talk:Albert" || a.TalkPageExists {
		t.Errorf("Albert's talk page = %q (exists %v), want Talk:Albert, not existing", a.TalkPage, a.TalkPageExists)
	}
	if !a.ImagesKnown || a.LeadImage == nil {
		t.Fatalf("Albert has no lead image: %+v", a)
	}
	img := a.LeadImage
	if img.Name != "Lead portrait.png" || img.Title != "File:Lead portrait.png" {
		t.Errorf("lead image = %q %q", img.Name, img.Title)
	}
	if img.Original.Mime != "image/png" || img.Original.Width != 640 || img.Original.Height != 480 {
		t.Errorf("original = %+v", img.Original)
	}
	if img.Avatar.Width != 120 || img.Avatar.Height != 90 || img.Avatar.Mime != "image/png" {
		t.Errorf("avatar = %+v, want 120×90 PNG", img.Avatar)
	}
	if img.Header.Width != 500 || img.Header.Height != 375 || img.Header.Mime != "image/png" {
		t.Errorf("header = %+v, want 500×375 PNG", img.Header)
	}
	for _, f := range []wiki.ImageFile{img.Original, img.Avatar, img.Header} {
		cfg, format := fetchImage(t, anon.C, f.URL)
		if cfg.Width != f.Width || cfg.Height != f.Height || format != "png" {
			t.Errorf("%s is %s %d×%d, the wiki said %d×%d", f.URL, format, cfg.Width, cfg.Height, f.Width, f.Height)
		}
	}

	portrait := profiles[ids["Portrait page"]]
	if portrait.LeadImage == nil || portrait.LeadImage.Avatar.Height != 120 || portrait.LeadImage.Avatar.Width != 90 ||
		portrait.LeadImage.Avatar.Mime != "image/jpeg" {
		t.Errorf("a tall JPEG's avatar is bounded by its height: %+v", portrait.LeadImage)
	} else if cfg, format := fetchImage(t, anon.C, portrait.LeadImage.Avatar.URL); format != "jpeg" || cfg.Height != 120 {
		t.Errorf("the JPEG avatar is %s %d×%d", format, cfg.Width, cfg.Height)
	}

	plain := profiles[ids["Plain"]]
	if plain.LeadImage != nil || !plain.ImagesKnown || plain.Extract != "Just text here. A second sentence." {
		t.Errorf("Plain: %+v", plain)
	}
	if !plain.TalkPageExists || plain.TalkPage != "Talk:Plain" {
		t.Errorf("Plain's talk page = %q (exists %v)", plain.TalkPage, plain.TalkPageExists)
	}
	if talk := profiles[ids["Talk:Plain"]]; talk.TalkPage != "Talk:Plain" || !talk.TalkPageExists {
		t.Errorf("a talk page is its own talk page: %+v", talk)
	}
	if de := profiles[ids["MediaWiki:Greeting/de"]]; de.Language != "de" || de.LanguageTag != "de" {
		t.Errorf("the German message's language = %q %q", de.Language, de.LanguageTag)
	}

	// A new lead image, then its file deleted: the page keeps naming it
	// (PageImages decided at save) but the wiki no longer has it.
	admin.Edit(t, "Albert", "[[File:Second.jpg|thumb|New]]\n'''Albert''' has a new image. Yes.", "new image")
	got, err := anon.C.PageProfiles(ctx, []int64{ids["Albert"]}, opt)
	if err != nil || got[ids["Albert"]].LeadImage == nil || got[ids["Albert"]].LeadImage.Name != "Second.jpg" {
		t.Fatalf("after the new image: %+v, %v", got, err)
	}
	admin.Delete(t, "File:Second.jpg", "test")
	got, err = anon.C.PageProfiles(ctx, []int64{ids["Albert"], ids["Portrait page"]}, opt)
	if err != nil || got[ids["Albert"]].LeadImage != nil || got[ids["Portrait page"]].LeadImage != nil {
		t.Errorf("a deleted file is still a lead image: %+v, %v", got, err)
	}

	// Cost: 25 pages with lead images are ⌈25/20⌉ = 2 requests and one
	// for the images.
	var many []int64
	for i := range 25 {
		title := fmt.Sprintf("Many %02d", i)
		admin.Edit(t, title, fmt.Sprintf("[[File:Lead portrait.png|thumb]]\nPage %d. Of many.", i), "create")
		many = append(many, pageID(t, admin, title))
	}
	c, reqs := countingClient(t, w)
	got, err = c.PageProfiles(ctx, many, opt)
	if err != nil || len(got) != 25 {
		t.Fatalf("PageProfiles of 25: %d, %v", len(got), err)
	}
	for _, id := range many {
		if p := got[id]; p.LeadImage == nil || p.Extract == "" {
			t.Errorf("page %d: %+v", id, p)
		}
	}
	if n := reqs.n.Load(); n != 3 {
		t.Errorf("25 profiles took %d requests, want 3", n)
	}

	// Without the extensions: the same call works, says what it does not
	// know, and costs one request for up to 50 pages.
	w.WithoutExtensions(t, "PageImages", "TextExtracts")
	bare, reqs := countingClient(t, w)
	if bare.Site().HasExtension("PageImages") || !bare.Site().HasExtension("Renameuser") {
		t.Fatalf("extensions after disabling two: %v", bare.Site().Extensions)
	}
	got, err = bare.PageProfiles(ctx, append(many, ids["Plain"]), opt)
	if err != nil || len(got) != 26 {
		t.Fatalf("PageProfiles without the extensions: %d, %v", len(got), err)
	}
	p := got[ids["Plain"]]
	if p.ImagesKnown || p.ExtractKnown || p.LeadImage != nil || p.Extract != "" || !p.TalkPageExists || p.Language != "en" {
		t.Errorf("without the extensions: %+v", p)
	}
	if n := reqs.n.Load(); n != 1 {
		t.Errorf("26 profiles without the extensions took %d requests, want 1", n)
	}
}
