package integration

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/wiki"
)

// followWiki is an in-memory wiki for the follow page: actors, and
// histories for the recent changes. The embedded (nil) reader stands for
// the rest, which the follow page must not need.
type followWiki struct {
	memWiki
	history  map[int64][]wiki.Change // by page id
	contribs map[int64][]wiki.Change // by user id
}

var errFollowWikiDown = errors.New("the wiki is down")

func newFollowWiki() *followWiki {
	created := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	w := &followWiki{memWiki: memWiki{
		site: memSite("Follow Wiki", "de"),
		pages: map[int64]wiki.Page{
			1: {ID: 1, Namespace: 0, Title: "Main Page", LastRevID: 12, Created: created},
			2: {ID: 2, Namespace: 2, Title: "User:Alice", LastRevID: 13, Created: created},
			// MediaWiki forbids < > in titles, but & and quotes are common.
			5: {ID: 5, Namespace: 0, Title: `Tom & Jerry's "<b>Best</b>"`, LastRevID: 20, Created: created},
			6: {ID: 6, Namespace: 0, Title: "Quiet Page", LastRevID: 30, Created: created},
		},
		users: map[int64]wiki.User{
			1: {ID: 1, Name: "Alice", Registration: created, EditCount: 3},
			2: {ID: 2, Name: `O'Brien & "Sons"`, Registration: created, EditCount: 1},
		},
	}}
	at := func(min int) time.Time { return created.Add(time.Duration(min) * time.Minute) }
	w.history = map[int64][]wiki.Change{
		1: {
			{Kind: wiki.KindEdit, Title: "Main Page", PageID: 1, RevID: 12, OldRevID: 11, User: "Alice", UserID: 1,
				ParsedComment: `fix the <a href="/wiki/Intro">intro</a>`, OldSize: 100, NewSize: 142, Timestamp: at(3)},
			{Kind: wiki.KindEdit, Title: "Main Page", PageID: 1, RevID: 11, OldRevID: 10, UserHidden: true, Timestamp: at(2)},
			{Kind: wiki.KindEdit, Title: "Main Page", PageID: 1, RevID: 10, OldRevID: 9, Anonymous: true, User: "192.0.2.7",
				Comment: "typo", OldSize: 101, NewSize: 100, Minor: true, Timestamp: at(1)},
			{Kind: wiki.KindNew, Title: "Main Page", PageID: 1, RevID: 9, User: "Alice", UserID: 1, Comment: "start", NewSize: 101, Timestamp: at(0)},
		},
		5: {
			{Kind: wiki.KindNew, Title: `Tom & Jerry's "<b>Best</b>"`, PageID: 5, RevID: 20, User: `O'Brien & "Sons"`, UserID: 2,
				ParsedComment: `<script>alert(1)</script><img src=x onerror=alert(2)>"quoted" & more`, NewSize: 10, Timestamp: at(5)},
		},
	}
	w.contribs = map[int64][]wiki.Change{
		1: {{Kind: wiki.KindEdit, Title: "Main Page", PageID: 1, RevID: 12, OldRevID: 11, User: "Alice", UserID: 1,
			Comment: "fix the intro", OldSize: 100, NewSize: 142, Timestamp: at(3)}},
	}
	return w
}

func (w *followWiki) PageHistory(_ context.Context, pageID int64, _ string, limit int) ([]wiki.Change, string, error) {
	if pageID == 6 {
		return nil, "", errFollowWikiDown
	}
	h := w.history[pageID]
	if len(h) > limit {
		h = h[:limit]
	}
	return h, "", nil
}

func (w *followWiki) Contributions(_ context.Context, userID int64, _ string, limit int) ([]wiki.Change, string, error) {
	c := w.contribs[userID]
	if len(c) > limit {
		c = c[:limit]
	}
	return c, "", nil
}

type followInst struct {
	srv  *fedSide
	base string
	st   store.Store
}

func startFollowServer(t *testing.T) *followInst {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "follow.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := wire(fedConfig{
		PublicURL: "https://wiki.example", Version: "test", UserAgent: "wikipub-test",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, newFollowWiki(), st, remote.NewHTTPClient(nil))
	mux := http.NewServeMux()
	srv.Routes(mux)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return &followInst{srv: srv, base: ts.URL, st: st}
}

const followBrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

var followNoRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func followGet(t *testing.T, rawURL, accept string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := followNoRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

var (
	followScriptRe = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	followStyleRe  = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	followImgRe    = regexp.MustCompile(`<img class="(?:avatar|banner)" src="([^"]+)"[^>]*>`)
)

// checkFollowHTML checks what every HTML answer must have: the type, a
// strict CSP whose hashes match the page's one inline style and script,
// a language, and nothing external but the profile's pictures, from the
// origins its img-src allows.
func checkFollowHTML(t *testing.T, what string, resp *http.Response, body string) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q, want text/html; charset=utf-8", what, ct)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self' https:"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: Content-Security-Policy %q lacks %q", what, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "*") {
		t.Errorf("%s: Content-Security-Policy %q is not strict", what, csp)
	}
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	for _, c := range []struct {
		re        *regexp.Regexp
		directive string
	}{{followStyleRe, "style-src"}, {followScriptRe, "script-src"}} {
		for _, m := range c.re.FindAllStringSubmatch(body, -1) {
			if !strings.Contains(csp, c.directive+" "+hash(m[1])) {
				t.Errorf("%s: the page's inline %s is not allowed by the CSP %q (hash %s)", what, c.directive, csp, hash(m[1]))
			}
		}
	}
	if !strings.HasPrefix(body, "<!DOCTYPE html>") || !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("%s: not an HTML page with a language: %.200q", what, body)
	}
	// The profile's pictures are the one thing loaded: each from an origin
	// the CSP's img-src names ('self': our own avatar).
	imgSrc := ""
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "img-src ") {
			imgSrc = " " + d + " "
		}
	}
	self := resp.Request.URL.Scheme + "://" + resp.Request.URL.Host
	for _, m := range followImgRe.FindAllStringSubmatch(body, -1) {
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Errorf("%s: picture %q: %v", what, m[1], err)
			continue
		}
		origin := u.Scheme + "://" + u.Host
		if !(origin == self && strings.Contains(imgSrc, " 'self' ")) && !strings.Contains(imgSrc, " "+origin+" ") {
			t.Errorf("%s: picture %s is not allowed by the CSP %q", what, m[1], csp)
		}
	}
	body = followImgRe.ReplaceAllString(body, "")
	for _, bad := range []string{`src="http`, `<link rel="stylesheet`, `<iframe`, `<img`} {
		if strings.Contains(body, bad) {
			t.Errorf("%s: the page loads something external (%q)", what, bad)
		}
	}
}

func TestFollowPageRenders(t *testing.T) {
	inst := startFollowServer(t)
	for _, path := range []string{"/@main_page", "/@Main_Page", "/ap/page/1"} {
		t.Run(path, func(t *testing.T) {
			resp, body := followGet(t, inst.base+path, followBrowserAccept)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s as a browser: %d, want 200\n%s", path, resp.StatusCode, body)
			}
			checkFollowHTML(t, path, resp, body)
			for _, want := range []string{
				`<h1 lang="de">Main Page</h1>`,
				`<code id="handle">@main_page@wiki.example</code>`,
				`<button type="button" id="copy" hidden>Copy</button>`, // shown by the script only
				`<form method="get" action="/follow"`,
				`<input type="hidden" name="handle" value="main_page">`,
				`<label for="instance">Your server</label>`,
				`id="instance" name="instance"`,
				`<h2 id="follow-heading">Follow on your server</h2>`,
				`<a href="https://wiki.example/wiki/Main_Page">Read “Main Page” on Follow Wiki</a>`,
				// Recent changes: plain text, diffs linked, hidden editor
				// rows left out, unregistered editors not named.
				`<h2 id="posts-heading">Recent changes</h2>`,
				`Alice edited Main Page: fix the intro (&#43;42 bytes)`,
				`<a href="https://wiki.example/w/index.php?diff=12&amp;oldid=11">Diff of <time datetime="2020-01-02T03:07:05Z">2 January 2020, 03:07 UTC</time></a>`,
				`An unregistered editor made a minor edit to Main Page: typo (−1 bytes)`,
				`Alice created Main Page: start (&#43;101 bytes)`,
				`<a href="https://wiki.example/w/index.php?oldid=9">Revision of`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("GET %s: the page lacks %q\n%s", path, want, body)
				}
			}
			if strings.Contains(body, "192.0.2.7") || strings.Contains(body, "diff=11") {
				t.Errorf("GET %s: an IP or a row with a hidden editor is shown\n%s", path, body)
			}
			if n := strings.Count(body, "<li>"); n != 3 {
				t.Errorf("GET %s: %d recent changes, want 3", path, n)
			}
			if v := resp.Header.Get("Vary"); v != "Accept" {
				t.Errorf("GET %s: Vary %q, want Accept", path, v)
			}
		})
	}

	t.Run("editor", func(t *testing.T) {
		resp, body := followGet(t, inst.base+"/ap/user/1", "text/html")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /ap/user/1 as a browser: %d\n%s", resp.StatusCode, body)
		}
		checkFollowHTML(t, "editor", resp, body)
		for _, want := range []string{
			`An editor of`, `<h1 lang="de">Alice</h1>`, `@user.alice@wiki.example`,
			`<a href="https://wiki.example/wiki/User:Alice">Alice’s user page on Follow Wiki</a>`,
			`Alice edited Main Page: fix the intro (&#43;42 bytes)`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("editor page lacks %q\n%s", want, body)
			}
		}
	})

	t.Run("history unavailable", func(t *testing.T) {
		resp, body := followGet(t, inst.base+"/@quiet_page", "text/html")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /@quiet_page: %d\n%s", resp.StatusCode, body)
		}
		if !strings.Contains(body, "@quiet_page@wiki.example") || strings.Contains(body, "Recent changes") {
			t.Errorf("a page whose history cannot be read should render without recent changes\n%s", body)
		}
	})

	t.Run("ActivityPub clients", func(t *testing.T) {
		resp, body := followGet(t, inst.base+"/@main_page", "application/activity+json")
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://wiki.example/ap/page/1" {
			t.Errorf("/@main_page for ActivityPub: %d Location %q, want 302 to the actor", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body = followGet(t, inst.base+"/ap/page/1", `application/ld+json; profile="https://www.w3.org/ns/activitystreams", text/html;q=0.1`)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
			t.Errorf("/ap/page/1 for ActivityPub: %d %q, want the actor document\n%.300s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})
}

func TestFollowPageErrors(t *testing.T) {
	inst := startFollowServer(t)
	// A user the wiki no longer shows but that someone follows: 404 like
	// any unknown name, for the wiki answers hidden accounts as missing and
	// 410 would tell that it existed.
	goneID := inst.srv.IRIs().Actor(actors.Ref{Kind: actors.KindUser, ID: 77})
	if _, err := inst.st.AddFollower(context.Background(), goneID, store.Follower{ID: "https://social.example/users/bob", Inbox: "https://social.example/users/bob/inbox"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path   string
		status int
		text   string
	}{
		{"/@no_such_page", http.StatusNotFound, "no such page or editor"},
		{"/ap/page/999", http.StatusNotFound, "no such page or editor"},
		{"/ap/nonsense/1", http.StatusNotFound, "no such page or editor"},
		{"/ap/user/77", http.StatusNotFound, "no such page or editor"},
		{"/follow?instance=mastodon.social", http.StatusBadRequest, "names nothing to follow"},
		{"/follow?handle=no_such_page&instance=mastodon.social", http.StatusNotFound, "no such page or editor"},
		{"/follow?handle=main_page@elsewhere.example&instance=mastodon.social", http.StatusBadRequest, "names nothing to follow"},
		{"/follow-page", http.StatusBadRequest, "names no wiki page"},
		{"/follow-page?title=No_Such_Page", http.StatusNotFound, "“No Such Page” cannot be followed"},
		{"/follow-page?title=User:Nobody", http.StatusNotFound, "cannot be followed"},
	} {
		resp, body := followGet(t, inst.base+c.path, followBrowserAccept)
		if resp.StatusCode != c.status {
			t.Errorf("GET %s: %d, want %d\n%s", c.path, resp.StatusCode, c.status, body)
			continue
		}
		checkFollowHTML(t, c.path, resp, body)
		if !strings.Contains(body, c.text) || !strings.Contains(body, "<h1>") {
			t.Errorf("GET %s: the page lacks a heading or %q\n%s", c.path, c.text, body)
		}
	}
	// ActivityPub clients keep their JSON errors.
	resp, body := followGet(t, inst.base+"/ap/page/999", "application/activity+json")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		t.Errorf("/ap/page/999 for ActivityPub: %d %q %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

func TestFollowRedirect(t *testing.T) {
	inst := startFollowServer(t)
	actor := url.QueryEscape("https://wiki.example/ap/page/1")
	good := map[string]string{
		"mastodon.social":          "https://mastodon.social/authorize_interaction?uri=" + actor,
		"  Mastodon.Social  ":      "https://mastodon.social/authorize_interaction?uri=" + actor,
		"mastodon.social.":         "https://mastodon.social/authorize_interaction?uri=" + actor,
		"https://mastodon.social":  "https://mastodon.social/authorize_interaction?uri=" + actor,
		"https://mastodon.social/": "https://mastodon.social/authorize_interaction?uri=" + actor,
		"HTTP://social.example":    "https://social.example/authorize_interaction?uri=" + actor,
		"@alice@social.example":    "https://social.example/authorize_interaction?uri=" + actor,
		"alice@social.example":     "https://social.example/authorize_interaction?uri=" + actor,
		"social.example:8443":      "https://social.example:8443/authorize_interaction?uri=" + actor,
		"xn--bcher-kva.example":    "https://xn--bcher-kva.example/authorize_interaction?uri=" + actor,
		"my-server.co.uk":          "https://my-server.co.uk/authorize_interaction?uri=" + actor,
	}
	for in, want := range good {
		for _, h := range []string{"main_page", "@main_page", "@main_page@wiki.example", "Main_Page"} {
			q := url.Values{"handle": {h}, "instance": {in}}
			resp, body := followGet(t, inst.base+"/follow?"+q.Encode(), followBrowserAccept)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
				t.Errorf("/follow handle %q instance %q: %d Location %q, want 302 to %s\n%.300s", h, in, resp.StatusCode, resp.Header.Get("Location"), want, body)
			}
		}
	}
	// An editor's actor id.
	q := url.Values{"handle": {"user.alice"}, "instance": {"social.example"}}
	resp, _ := followGet(t, inst.base+"/follow?"+q.Encode(), "")
	if want := "https://social.example/authorize_interaction?uri=" + url.QueryEscape("https://wiki.example/ap/user/1"); resp.Header.Get("Location") != want {
		t.Errorf("/follow for an editor: Location %q, want %s", resp.Header.Get("Location"), want)
	}

	bad := map[string]string{
		"":                                    "Type the address of your server",
		"   ":                                 "Type the address of your server",
		"javascript:alert(1)":                 "is not a server address",
		"JavaScript:alert(1)//x.com":          "is not just a server address",
		"data:text/html,hi":                   "is not just a server address",
		"evil.example/path?x":                 "is not just a server address",
		"https://evil.example/path":           "is not just a server address",
		"evil.example?x":                      "is not just a server address",
		"evil.example#x":                      "is not just a server address",
		"a b":                                 "is not a server address",
		"a\tb.example":                        "is not a server address",
		"http://127.0.0.1:80@evil":            "is not just a server address",
		"https://user:pw@evil.example":        "is not just a server address",
		"//evil.example":                      "is not just a server address",
		"127.0.0.1":                           "is not a server address",
		"[::1]":                               "is not a server address",
		"localhost":                           "is not a server address",
		"evil.example:0":                      "no valid port",
		"evil.example:99999":                  "no valid port",
		"evil.example:80x":                    "is not a server address",
		"-evil.example":                       "is not a server address",
		"evil_.example":                       "is not a server address",
		"@evil.example":                       "is not a Fediverse address",
		"@a b@evil.example":                   "is not a Fediverse address",
		"evil.example\\@good.example":         "is not",
		"bücher.example":                      "outside ASCII",
		"evil%2eexample":                      "is not just a server address",
		strings.Repeat("a.", 200) + "example": "too long",
	}
	for in, msg := range bad {
		q := url.Values{"handle": {"main_page"}, "instance": {in}}
		resp, body := followGet(t, inst.base+"/follow?"+q.Encode(), followBrowserAccept)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("/follow instance %q: %d Location %q, want 400", in, resp.StatusCode, resp.Header.Get("Location"))
			continue
		}
		checkFollowHTML(t, "/follow "+in, resp, body)
		// The form comes back with the message, tied to the field.
		for _, want := range []string{msg, `role="alert"`, `aria-invalid="true"`, `aria-describedby="instance-help instance-error"`, `@main_page@wiki.example`} {
			if !strings.Contains(body, want) {
				t.Errorf("/follow instance %q: the 400 page lacks %q\n%s", in, want, body)
			}
		}
		if resp.Header.Get("Location") != "" {
			t.Errorf("/follow instance %q: a 400 with a Location %q", in, resp.Header.Get("Location"))
		}
	}
	// What was typed comes back escaped in the field.
	q = url.Values{"handle": {"main_page"}, "instance": {`"><script>alert(1)</script>`}}
	resp, body := followGet(t, inst.base+"/follow?"+q.Encode(), followBrowserAccept)
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(body, "<script>alert") || !strings.Contains(body, `value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`) {
		t.Errorf("/follow with markup as the instance: %d, the value is not escaped\n%s", resp.StatusCode, body)
	}
}

func TestFollowPageByTitle(t *testing.T) {
	inst := startFollowServer(t)
	for title, want := range map[string]string{
		"Main_Page":                   "/@main_page",
		"Main Page":                   "/@main_page",
		"User:Alice":                  "/@user.alice",
		`Tom_&_Jerry's_"<b>Best</b>"`: "", // checked below: some handle of page 5
	} {
		resp, body := followGet(t, inst.base+"/follow-page?title="+url.QueryEscape(title), followBrowserAccept)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || (want != "" && loc != want) || !strings.HasPrefix(loc, "/@") {
			t.Errorf("/follow-page?title=%s: %d Location %q, want 302 to %s\n%.300s", title, resp.StatusCode, loc, want, body)
			continue
		}
		// The redirect leads to the page's follow page.
		resp, body = followGet(t, inst.base+loc, followBrowserAccept)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<code id="handle">@`) {
			t.Errorf("GET %s after /follow-page: %d\n%.300s", loc, resp.StatusCode, body)
		}
	}
}

func TestFollowPageEscapesHostileNames(t *testing.T) {
	inst := startFollowServer(t)
	for _, path := range []string{"/ap/page/5", "/ap/user/2"} {
		resp, body := followGet(t, inst.base+path, followBrowserAccept)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, body)
		}
		checkFollowHTML(t, path, resp, body)
		body = followImgRe.ReplaceAllString(body, "") // the profile's own pictures
		for _, bad := range []string{`<b>Best`, `<script>alert`, `<img`, `onerror=alert`, `"Sons"`, `& "`} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s: %q is not escaped\n%s", path, bad, body)
			}
		}
		if n := len(followScriptRe.FindAllString(body, -1)); n != 1 {
			t.Errorf("GET %s: %d script elements, want the page's own one", path, n)
		}
	}
	_, body := followGet(t, inst.base+"/ap/page/5", followBrowserAccept)
	for _, want := range []string{
		`<h1 lang="de">Tom &amp; Jerry&#39;s &#34;&lt;b&gt;Best&lt;/b&gt;&#34;</h1>`,
		`<title>Tom &amp; Jerry&#39;s &#34;&lt;b&gt;Best&lt;/b&gt;&#34; (`,
		// The summary's markup is reduced to its text (a script's body is
		// text to a tokenizer), then escaped.
		`O&#39;Brien &amp; &#34;Sons&#34; created Tom &amp; Jerry&#39;s &#34;&lt;b&gt;Best&lt;/b&gt;&#34;: alert(1)&#34;quoted&#34; &amp; more (&#43;10 bytes)`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the hostile page lacks %q\n%s", want, body)
		}
	}
	_, body = followGet(t, inst.base+"/ap/user/2", followBrowserAccept)
	if !strings.Contains(body, `<h1 lang="de">O&#39;Brien &amp; &#34;Sons&#34;</h1>`) {
		t.Errorf("the hostile editor's name is not escaped in the heading\n%s", body)
	}
}
