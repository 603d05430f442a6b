package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"

	"github.com/wikipub/wikipub/internal/testenv"
)

// TestProfileFollowPagesInBrowser: the follow page of a page and of an
// editor shows, in a real browser, what followers' servers show of the
// actor: the page's lead image as avatar and banner (loaded from the
// wiki's upload URL under the page's CSP, no violation), its opening as
// the bio, and the fields; the editor's user page opening, "Editing since"
// and "Edits". Screenshots go to $WIKIPUB_ARTIFACTS/profiles (or
// wikipub-artifacts/profiles in the temporary directory).
func TestProfileFollowPagesInBrowser(t *testing.T) {
	chromium := browserTestChromium(t)
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	admin.UploadImage(t, "Curie portrait.png", 640, 480, 1, "portrait")
	admin.Edit(t, "Marie Curie", "[[File:Curie portrait.png|thumb|Marie Curie]]\n'''Marie Curie''' was a physicist and chemist who conducted pioneering research on radioactivity. She was the first woman to win a Nobel Prize.\n\n== Life ==\nBorn in Warsaw.", "new article")
	admin.Edit(t, "User:"+w.AdminUser, "'''"+w.AdminUser+"''' looks after this wiki and writes about physics.", "user page")

	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	wikipubURL := fmt.Sprintf("http://127.0.0.1:%d", port)
	dir := t.TempDir()
	d := startDaemon(t, filepath.Join(dir, "wikipub.log"),
		"--wiki", w.API, "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--public-url", wikipubURL,
		"--data", filepath.Join(dir, "wikipub.db"), "--log-format", "json", "--log-level", "debug")
	browserTestWaitHealthy(t, d, wikipubURL)

	artifacts := filepath.Join(browserTestArtifacts(t), "profiles")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	b := startBrowser(ctx, t, chromium)
	tab := b.tab
	browserMust(t, "Page.addScriptToEvaluateOnNewDocument", call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });`}))

	for _, tc := range []struct {
		name, handle, bio string
		fields            []string
		leadImage         bool
	}{
		{"page", "marie_curie", "Marie Curie was a physicist and chemist who conducted pioneering research on radioactivity.", []string{"Wiki page", "Talk page", "Last edited"}, true},
		{"editor", "user." + strings.ToLower(w.AdminUser), "looks after this wiki and writes about physics.", []string{"User page", "Talk page", "Editing since", "Edits"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			browserNavigate(tab, t, wikipubURL+"/@"+tc.handle)
			var shown struct {
				Bio            string
				Fields         []string
				Avatar, Header string
				AvatarLoaded   bool
				HeaderLoaded   bool
				CSP            []string
			}
			browserWaitFor(tab, t, "the profile on the follow page", `(function () {
				var av = document.querySelector('img.avatar'), hd = document.querySelector('img.banner');
				if (document.readyState !== 'complete' || !av || !hd || !av.complete || !hd.complete) { return null; }
				var bio = document.querySelector('.bio');
				return {bio: bio ? bio.textContent : '', fields: Array.from(document.querySelectorAll('.fields dt')).map(function (e) { return e.textContent; }),
					avatar: av.src, header: hd.src, avatarLoaded: av.naturalWidth > 0, headerLoaded: hd.naturalWidth > 0, csp: window.__csp || ['no collector']};
			})()`, &shown)
			if !strings.Contains(shown.Bio, tc.bio) {
				t.Errorf("bio %q, want %q", shown.Bio, tc.bio)
			}
			for _, f := range tc.fields {
				if !strings.Contains(strings.Join(shown.Fields, "|"), f) {
					t.Errorf("fields %q, want %q", shown.Fields, f)
				}
			}
			if !shown.AvatarLoaded || !shown.HeaderLoaded || len(shown.CSP) != 0 {
				t.Errorf("avatar %s loaded %v, header %s loaded %v, CSP violations %v", shown.Avatar, shown.AvatarLoaded, shown.Header, shown.HeaderLoaded, shown.CSP)
			}
			if fromWiki := strings.HasPrefix(shown.Avatar, w.Base); fromWiki != tc.leadImage {
				t.Errorf("avatar %s: from the wiki's uploads %v, want %v (else the wiki's logo from %s)", shown.Avatar, fromWiki, tc.leadImage, wikipubURL)
			}
			browserScreenshot(tab, t, filepath.Join(artifacts, "follow-page-"+tc.name+".png"))
		})
	}
}
