package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
)

// The Accept headers the big servers send when they fetch a URL someone
// pasted into their search box (docs/interop.md, "Pasting a wiki URL into a
// search box").
const (
	mastodonAccept   = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams", text/html;q=0.1`
	gotosocialAccept = `application/activity+json`
	browserAccept    = `text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8`
)

// TestProxyRouting runs the deployment kit's nginx configuration
// (deploy/nginx) in front of a real MediaWiki and a real wikipub, and checks
// with real HTTP through nginx that each request lands where it should:
// the Fediverse endpoints and ActivityPub requests for wiki page URLs at
// wikipub, everything else at MediaWiki, and that signed requests survive
// the proxy (raw path and Host kept).
func TestProxyRouting(t *testing.T) {
	w := testenv.MediaWiki(t)

	ports := testenv.FreePorts(t, 2)
	nginxPort, wikipubPort := ports[0], ports[1]
	wikiURL, err := url.Parse(w.Base)
	if err != nil {
		t.Fatal(err)
	}
	proxy := fmt.Sprintf("http://127.0.0.1:%d", nginxPort)
	proxyHost := fmt.Sprintf("127.0.0.1:%d", nginxPort)

	// The wiki and wikipub share the proxy's host, as in production: the
	// wiki's own URLs (siteinfo's server, which wikipub reads at start) are
	// on it.
	// PHP's built-in server keeps compiled files in OPcache and looks at
	// their timestamps at most every 2 s (opcache.revalidate_freq), so the
	// new setting is not seen at once: wait until siteinfo says it, or
	// wikipub may start with the old server.
	w.SetServer(t, proxy)

	admin := w.Login(t)
	admin.Edit(t, "Some Page", "A page to follow through the proxy.", "setup")
	admin.Edit(t, "Zürich", "A title that is percent-encoded in its URL.", "setup")
	pages, err := admin.C.PagesByTitle(context.Background(), []string{"Some Page", "Zürich"})
	if err != nil {
		t.Fatal(err)
	}
	actorID := fmt.Sprintf("%s/ap/page/%d", proxy, pages["Some Page"].ID)
	zurichID := fmt.Sprintf("%s/ap/page/%d", proxy, pages["Zürich"].ID)
	pageURL := proxy + "/wiki/Some_Page"

	dir := t.TempDir()
	ngx := testenv.StartNginx(t, dir, nginxPort, wikiURL.Host, fmt.Sprintf("127.0.0.1:%d", wikipubPort))
	d := startDaemon(t, filepath.Join(dir, "wikipub.log"),
		"--wiki", w.API, "--listen", fmt.Sprintf("127.0.0.1:%d", wikipubPort), "--public-url", proxy,
		"--data", filepath.Join(dir, "wikipub.db"), "--allow-private-addresses", "127.0.0.0/8",
		"--log-format", "json", "--log-level", "debug")
	dump := func() string {
		wl, _ := os.ReadFile(d.logPath)
		nl := []byte(ngx.Log())
		return fmt.Sprintf("--- wikipub log:\n%s\n--- nginx log:\n%s", proxyTestTail(string(wl), 40), proxyTestTail(string(nl), 40))
	}

	// wikipub is up, and reached through nginx.
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, _, body := proxyGet(t, proxy+"/healthz", "")
		if st == http.StatusOK && strings.TrimSpace(body) == "ok" {
			break
		}
		select {
		case <-d.exited:
			t.Fatalf("wikipub exited before it answered /healthz through nginx: %v\n%s", d.err, dump())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz through nginx: %d %q after 60s\n%s", st, body, dump())
		}
		time.Sleep(100 * time.Millisecond)
	}

	fail := func(t *testing.T, format string, args ...any) {
		t.Helper()
		t.Errorf(format+"\n%s", append(args, dump())...)
	}
	// actorAt fetches url through nginx with accept and checks that the
	// answer is the actor document wantID.
	actorAt := func(t *testing.T, what, rawURL, accept, wantID string) map[string]any {
		t.Helper()
		st, h, body := proxyGet(t, rawURL, accept)
		if st != http.StatusOK {
			fail(t, "%s: GET %s with Accept %q: status %d, want 200 with the actor; body %.300q", what, rawURL, accept, st, body)
			return nil
		}
		if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/activity+json") && !strings.HasPrefix(ct, "application/ld+json") {
			fail(t, "%s: GET %s: Content-Type %q, want ActivityPub JSON; body %.300q", what, rawURL, ct, body)
			return nil
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			fail(t, "%s: GET %s: not JSON: %v", what, rawURL, err)
			return nil
		}
		if doc["id"] != wantID {
			fail(t, "%s: GET %s: id %v, want %s", what, rawURL, doc["id"], wantID)
		}
		return doc
	}

	t.Run("webfinger", func(t *testing.T) {
		st, h, body := proxyGet(t, proxy+"/.well-known/webfinger?resource="+url.QueryEscape("acct:some_page@"+proxyHost), "")
		if st != http.StatusOK {
			t.Fatalf("WebFinger through nginx: %d %.300q\n%s", st, body, dump())
		}
		if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/jrd+json") {
			t.Errorf("WebFinger Content-Type %q, want application/jrd+json", ct)
		}
		var jrd struct {
			Subject string
			Links   []struct{ Rel, Type, Href string }
		}
		if err := json.Unmarshal([]byte(body), &jrd); err != nil {
			t.Fatalf("WebFinger: %v: %.300q", err, body)
		}
		if jrd.Subject != "acct:some_page@"+proxyHost {
			t.Errorf("WebFinger subject %q, want acct:some_page@%s", jrd.Subject, proxyHost)
		}
		self := ""
		for _, l := range jrd.Links {
			if l.Rel == "self" {
				self = l.Href
			}
		}
		if self != actorID {
			t.Errorf("WebFinger self link %q, want %s", self, actorID)
		}
	})

	t.Run("nodeinfo", func(t *testing.T) {
		st, _, body := proxyGet(t, proxy+"/.well-known/nodeinfo", "")
		if st != http.StatusOK {
			t.Fatalf("/.well-known/nodeinfo through nginx: %d %.300q\n%s", st, body, dump())
		}
		var links struct{ Links []struct{ Rel, Href string } }
		if err := json.Unmarshal([]byte(body), &links); err != nil || len(links.Links) == 0 {
			t.Fatalf("/.well-known/nodeinfo: %v: %.300q", err, body)
		}
		href := links.Links[0].Href
		if href != proxy+"/nodeinfo/2.0" {
			t.Errorf("NodeInfo link %q, want %s/nodeinfo/2.0", href, proxy)
		}
		st, _, body = proxyGet(t, href, "")
		if st != http.StatusOK {
			t.Fatalf("%s through nginx: %d %.300q", href, st, body)
		}
		var ni struct {
			Software  struct{ Name string }
			Protocols []string
		}
		if err := json.Unmarshal([]byte(body), &ni); err != nil {
			t.Fatalf("NodeInfo: %v: %.300q", err, body)
		}
		if ni.Software.Name != "wikipub" || len(ni.Protocols) == 0 || ni.Protocols[0] != "activitypub" {
			t.Errorf("NodeInfo through nginx is not wikipub's: %.300q", body)
		}
	})

	t.Run("host-meta", func(t *testing.T) {
		st, _, body := proxyGet(t, proxy+"/.well-known/host-meta", "")
		if st != http.StatusOK || !strings.Contains(body, "/.well-known/webfinger") {
			t.Errorf("host-meta through nginx: %d %.300q", st, body)
		}
	})

	t.Run("actor and profile paths", func(t *testing.T) {
		actorAt(t, "/ap/ through nginx", actorID, gotosocialAccept, actorID)
		// /@handle is wikipub's: an ActivityPub client is sent to the actor,
		// a person gets the follow page, which links the wiki page.
		st, h, body := proxyGet(t, proxy+"/@some_page", gotosocialAccept)
		if st != http.StatusFound || h.Get("Location") != actorID {
			fail(t, "/@some_page with an ActivityPub Accept: %d Location %q, want 302 to %s; body %.200q", st, h.Get("Location"), actorID, body)
		}
		st, _, body = proxyGet(t, proxy+"/@some_page", browserAccept)
		if st != http.StatusOK || !strings.Contains(string(body), pageURL) {
			fail(t, "/@some_page for a browser: %d, want the follow page linking %s", st, pageURL)
		}
		// The follow page's form and the wiki snippet's link go to wikipub too.
		st, h, _ = proxyGet(t, proxy+"/follow-page?title=Some_Page", browserAccept)
		if st != http.StatusFound || !strings.HasSuffix(h.Get("Location"), "/@some_page") {
			fail(t, "/follow-page through nginx: %d Location %q, want 302 to /@some_page", st, h.Get("Location"))
		}
		st, h, _ = proxyGet(t, proxy+"/follow?handle=some_page&instance=social.example", browserAccept)
		if st != http.StatusFound || !strings.HasPrefix(h.Get("Location"), "https://social.example/authorize_interaction?uri=") {
			fail(t, "/follow through nginx: %d Location %q", st, h.Get("Location"))
		}
	})

	t.Run("page URL for Mastodon", func(t *testing.T) {
		doc := actorAt(t, "Mastodon", pageURL, mastodonAccept, actorID)
		if doc == nil {
			return
		}
		if doc["type"] != "Service" {
			t.Errorf("actor type %v, want Service", doc["type"])
		}
		// The wiki and wikipub share the host, so the actor's url is the
		// wiki page itself.
		if doc["url"] != pageURL {
			t.Errorf("actor url %v, want the wiki page on the proxy host, %s", doc["url"], pageURL)
		}
		if doc["preferredUsername"] != "some_page" {
			t.Errorf("preferredUsername %v, want some_page", doc["preferredUsername"])
		}
	})

	t.Run("page URL for GoToSocial", func(t *testing.T) {
		actorAt(t, "GoToSocial", pageURL, gotosocialAccept, actorID)
		// ld+json with the profile alone also counts.
		actorAt(t, "ld+json", pageURL, `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, actorID)
		// The raw, percent-encoded path reaches wikipub.
		actorAt(t, "percent-encoded title", proxy+"/wiki/Z%C3%BCrich", gotosocialAccept, zurichID)
	})

	t.Run("page URL for a browser", func(t *testing.T) {
		st, h, body := proxyGet(t, pageURL, browserAccept)
		if st != http.StatusOK {
			t.Fatalf("%s for a browser: status %d, want MediaWiki's page; Location %q\n%s", pageURL, st, h.Get("Location"), dump())
		}
		if !strings.Contains(body, `content="MediaWiki`) || !strings.Contains(body, "A page to follow through the proxy.") {
			t.Errorf("%s for a browser is not MediaWiki's page: %.500q", pageURL, body)
		}
		if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("Content-Type %q, want text/html", ct)
		}
		wantLink := fmt.Sprintf(`<%s>; rel="alternate"; type="application/activity+json"`, pageURL)
		if got := h.Values("Link"); !proxyTestHas(got, wantLink) {
			t.Errorf("Link headers %q, want one %s", got, wantLink)
		}
		if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept") {
			t.Errorf("Vary %q does not name Accept, so a cache could hand the HTML to an ActivityPub client", h.Values("Vary"))
		}
		// What Mastodon does with that Link: fetch it with its Accept header.
		actorAt(t, "the Link target, as Mastodon follows it", pageURL, mastodonAccept, actorID)
	})

	t.Run("index.php", func(t *testing.T) {
		actorAt(t, "index.php?title= for Mastodon", proxy+"/index.php?title=Some_Page", mastodonAccept, actorID)
		actorAt(t, "index.php?title= for GoToSocial", proxy+"/index.php?title=Some_Page", gotosocialAccept, actorID)
		st, _, body := proxyGet(t, proxy+"/index.php?title=Some_Page", browserAccept)
		if st != http.StatusOK || !strings.Contains(body, `content="MediaWiki`) {
			fail(t, "index.php?title=Some_Page for a browser: %d, want MediaWiki's page: %.300q", st, body)
		}
		// A POST to index.php is MediaWiki's whatever the Accept header says
		// (wikipub would answer 405).
		req, err := http.NewRequest(http.MethodPost, proxy+"/index.php?title=Special:UserLogin", strings.NewReader("wpName=x"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", mastodonAccept)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := proxyClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusMethodNotAllowed || !strings.Contains(string(b), `content="MediaWiki`) {
			fail(t, "POST index.php with an ActivityPub Accept did not reach MediaWiki: %d %.300q", resp.StatusCode, b)
		}
	})

	t.Run("missing page", func(t *testing.T) {
		for _, u := range []string{proxy + "/wiki/No_Such_Page_Here", proxy + "/index.php?title=No_Such_Page_Here"} {
			st, h, body := proxyGet(t, u, mastodonAccept)
			if st != http.StatusNotFound {
				fail(t, "%s for Mastodon: status %d, want 404; body %.300q", u, st, body)
				continue
			}
			var e map[string]any
			if !strings.HasPrefix(h.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(body), &e) != nil || e["error"] == nil {
				t.Errorf("%s: 404 is not wikipub's JSON error: Content-Type %q, body %.300q", u, h.Get("Content-Type"), body)
			}
		}
	})

	// Signed requests survive the proxy: the peer looks the page up as
	// Mastodon does (WebFinger, signed actor fetch, loop-back, unsigned key
	// fetch), then POSTs a signed Follow to the page's inbox through nginx.
	// wikipub verifies the signature over the path and Host it received, so
	// an Accept means nginx passed both unchanged.
	t.Run("signed follow through the proxy", func(t *testing.T) {
		peer := fedpeer.New(t)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		a, err := peer.Lookup(ctx, "some_page@"+proxyHost)
		if err != nil {
			t.Fatalf("looking up some_page@%s through nginx: %v\n%s", proxyHost, err, dump())
		}
		if a.ID != actorID || !strings.HasPrefix(a.Inbox, proxy+"/") {
			t.Fatalf("looked-up actor %s with inbox %s, want %s with an inbox on %s", a.ID, a.Inbox, actorID, proxy)
		}
		followID, err := peer.Follow(ctx, a)
		if err != nil {
			t.Fatalf("signed Follow POSTed through nginx: %v\n%s", err, dump())
		}
		if _, err := peer.WaitAccept(ctx, followID); err != nil {
			t.Fatalf("no Accept for the Follow sent through nginx: %v\n%s", err, dump())
		}
		peer.AssertNoRejections(t)
	})
}

// proxyClient does not follow redirects: where a request lands is what is
// being tested.
var proxyClient = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func proxyGet(t *testing.T, rawURL, accept string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := proxyClient.Do(req)
	if err != nil {
		return 0, nil, err.Error()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", rawURL, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func proxyTestHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func proxyTestTail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
