package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"cgt.name/pkg/go-mwclient/params"

	"github.com/wikipub/wikipub/federation/handle"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/federation/store/redisstore"
	"github.com/wikipub/wikipub/wiki"
)

const doctorIntro = `Usage: wikipub doctor [options]

Checks a deployment and prints one line per check: the wiki's API, the bot
password and its rights, the clock, the store, and the public URL as the
Fediverse sees it (WebFinger, NodeInfo, ActivityPub on wiki page URLs
through the proxy). Run it with the options (or the WIKIPUB_* environment)
that wikipub serve runs with, from a machine that reaches the public URL the
way the Fediverse does. It exits 1 when a check fails.
`

// maxClockSkew is how far the local clock may be from the wiki's. HTTP
// signatures carry a Date that receivers check, and the recent-changes
// cursor starts at the wiki's time.
const maxClockSkew = 60 * time.Second

// doctorCommand runs `wikipub doctor`.
func doctorCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseServe(args, getenv, doctorUsageWriter{stderr})
	if err == errHelp {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "wikipub doctor: %v\n", err)
		return 2
	}
	publicGiven := getenv("WIKIPUB_PUBLIC_URL") != ""
	for _, a := range args {
		if a == "-public-url" || a == "--public-url" || strings.HasPrefix(a, "-public-url=") || strings.HasPrefix(a, "--public-url=") {
			publicGiven = true
		}
	}
	d := &doctor{cfg: cfg, out: stdout, publicGiven: publicGiven,
		http: &http.Client{Timeout: 15 * time.Second}}
	d.run(ctx)
	if d.failed {
		return 1
	}
	return 0
}

// doctorUsageWriter shows serve's option list as doctor's.
type doctorUsageWriter struct{ w io.Writer }

func (u doctorUsageWriter) Write(p []byte) (int, error) {
	q := bytes.Replace(p, []byte("Usage: wikipub serve [options]\n"), []byte(doctorIntro), 1)
	if _, err := u.w.Write(q); err != nil {
		return 0, err
	}
	return len(p), nil
}

type doctor struct {
	cfg         *serveConfig
	out         io.Writer
	http        *http.Client
	publicGiven bool
	failed      bool

	anon, bot *wiki.Client // nil when the check failed or was not made
	page      *wiki.Page   // a page of the wiki to look up on the public URL
	mainPage  bool         // page is the main page, which the wiki's own account answers for
	// unreachable is set once the public URL could not be reached at all,
	// so the checks after it say so once instead of timing out again.
	unreachable bool
}

func (d *doctor) line(status, check, msg string) {
	fmt.Fprintf(d.out, "%-4s  %s: %s\n", status, check, oneLineKeep(msg))
}

func (d *doctor) ok(check, format string, a ...any) { d.line("OK", check, fmt.Sprintf(format, a...)) }

func (d *doctor) skip(check, why string) { d.line("SKIP", check, why) }

func (d *doctor) warn(check, msg, fix string) { d.line("WARN", check, withFix(msg, fix)) }

func (d *doctor) fail(check, msg, fix string) {
	d.failed = true
	d.line("FAIL", check, withFix(msg, fix))
}

func withFix(msg, fix string) string {
	if fix == "" {
		return msg
	}
	return msg + " — fix: " + fix
}

// oneLineKeep folds an error's line breaks so that each check stays one line.
func oneLineKeep(s string) string { return strings.Join(strings.Fields(s), " ") }

func (d *doctor) run(ctx context.Context) {
	d.checkWiki(ctx)
	d.checkBot(ctx)
	d.checkClockAndPage(ctx)
	d.checkWikiHost()
	d.checkStore(ctx)
	d.checkPublicScheme()
	d.checkWebFinger(ctx)
	d.checkNodeInfo(ctx)
	d.checkPageActor(ctx)
	d.checkPageLink(ctx)
}

func (d *doctor) wikiConfig(withBot bool) wiki.Config {
	c := wiki.Config{
		API:       d.cfg.Wiki,
		UserAgent: fmt.Sprintf("wikipub/%s doctor (+%s)", version, d.cfg.PublicURL),
		Timeout:   15 * time.Second,
		Retries:   1,
		RetryBase: 200 * time.Millisecond,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if withBot {
		c.BotUser, c.BotPassword = d.cfg.BotUser, d.cfg.BotPassword
	}
	return c
}

// checkWiki: the URL is a MediaWiki API that answers.
func (d *doctor) checkWiki(ctx context.Context) {
	const check = "wiki API"
	c, err := wiki.New(ctx, d.wikiConfig(false))
	if err != nil {
		d.fail(check, err.Error(), "give --wiki (WIKIPUB_WIKI) the URL of the wiki's api.php, e.g. https://wiki.example/w/api.php; the wiki's Special:Version lists it under \"Entry point URLs\", and it must be reachable from where wikipub runs")
		return
	}
	d.anon = c
	s := c.Site()
	d.ok(check, "%s is %s (%q, server %s)", d.cfg.Wiki, s.Generator, s.SiteName, s.Server)
}

// checkBot: the bot password logs in and carries the rights wikipub uses.
func (d *doctor) checkBot(ctx context.Context) {
	const check = "bot login"
	switch {
	case d.anon == nil:
		d.skip(check, "the wiki API check failed (above)")
		return
	case d.cfg.BotUser == "":
		d.warn(check, "no bot password: wikipub reads anonymously (500 changes a request instead of 5,000) and cannot write Fediverse replies to talk pages",
			"make a bot password (deploy/README.md, \"The bot password\") and give --bot-user and WIKIPUB_BOT_PASSWORD")
		return
	}
	c, err := wiki.New(ctx, d.wikiConfig(true))
	if err != nil {
		d.fail(check, err.Error(), "check --bot-user (NAME@APPID, as Special:BotPasswords shows it) and the password; a bot password whose grants were changed keeps its password, a new one gets a new one")
		return
	}
	d.bot = c
	d.ok(check, "logged in as %s", d.cfg.BotUser)

	account, _, _ := strings.Cut(d.cfg.BotUser, "@")
	rights := []struct{ right, what, fix string }{
		{"bot", "bot right (wikipub's talk-page edits are flagged as bot edits)",
			fmt.Sprintf("put %s in the bot group (Special:UserRights/%s) and tick \"High-volume (bot) access\" (highvolume) for the bot password in Special:BotPasswords", account, account)},
		{"apihighlimits", "high API limits (5,000 changes a read instead of 500)",
			fmt.Sprintf("tick \"High-volume (bot) access\" (highvolume) in Special:BotPasswords, with %s in the bot group", account)},
		{"edit", "edit right (Fediverse replies on talk pages)",
			"tick \"Edit existing pages\" (editpage) in Special:BotPasswords"},
		{"createtalk", "createtalk right (a reply to an editor who has no talk page yet creates it)",
			"tick \"Create, edit, and move pages\" (createeditmovepage) in Special:BotPasswords"},
	}
	for _, r := range rights {
		has, err := c.HasRight(ctx, r.right)
		switch {
		case err != nil:
			d.fail("right "+r.right, err.Error(), "")
		case has:
			d.ok("right "+r.right, "%s", r.what)
		default:
			d.warn("right "+r.right, "the bot password lacks the "+r.what, r.fix)
		}
	}
}

// checkClockAndPage compares the clocks, and picks a page of the wiki for
// the public-URL checks: the main page, or any page.
func (d *doctor) checkClockAndPage(ctx context.Context) {
	const check = "clock"
	c := d.client()
	if c == nil {
		d.skip(check, "the wiki API check failed (above)")
		return
	}
	var resp struct {
		wiki.APIErrorField
		Query struct {
			General struct {
				Time     string `json:"time"`
				MainPage string `json:"mainpage"`
			} `json:"general"`
		} `json:"query"`
	}
	t0 := time.Now()
	err := c.Get(ctx, params.Values{"action": "query", "meta": "siteinfo", "siprop": "general"}, &resp)
	t1 := time.Now()
	if err != nil {
		d.fail(check, "reading the wiki's time: "+err.Error(), "")
	} else if wt, perr := time.Parse(time.RFC3339, resp.Query.General.Time); perr != nil {
		d.warn(check, fmt.Sprintf("the wiki reports no usable time (%q); the clocks were not compared", resp.Query.General.Time), "")
	} else {
		// The wiki's time has one-second resolution and was read somewhere
		// within the round trip.
		local := t0.Add(t1.Sub(t0) / 2)
		skew := wt.Add(500 * time.Millisecond).Sub(local)
		slack := t1.Sub(t0)/2 + 500*time.Millisecond
		abs := skew
		if abs < 0 {
			abs = -abs
		}
		dir := "ahead of"
		if skew < 0 {
			dir = "behind"
		}
		if abs-slack > maxClockSkew {
			d.fail(check, fmt.Sprintf("the wiki's clock is %s %s this machine's (more than %s): HTTP signatures carry a Date header that receivers check, and wikipub's recent-changes cursor starts at the wiki's time",
				abs.Round(time.Second), dir, maxClockSkew),
				"synchronise both machines' clocks with NTP (e.g. timedatectl set-ntp true, or chrony)")
		} else {
			d.ok(check, "this machine and the wiki agree within %s", max(abs, slack).Round(time.Second))
		}
	}

	// A page to look for on the public URL.
	if mp := resp.Query.General.MainPage; mp != "" {
		if pages, err := c.PagesByTitle(ctx, []string{mp}); err == nil {
			if p, ok := pages[mp]; ok {
				d.page, d.mainPage = &p, true
				return
			}
		}
	}
	var all struct {
		wiki.APIErrorField
		Query struct {
			AllPages []struct {
				PageID int64  `json:"pageid"`
				NS     int    `json:"ns"`
				Title  string `json:"title"`
			} `json:"allpages"`
		} `json:"query"`
	}
	if err := c.Get(ctx, params.Values{"action": "query", "list": "allpages", "aplimit": "1", "apfilterredir": "nonredirects"}, &all); err == nil && len(all.Query.AllPages) > 0 {
		p := all.Query.AllPages[0]
		d.page = &wiki.Page{ID: p.PageID, Namespace: p.NS, Title: p.Title}
	}
}

func (d *doctor) client() *wiki.Client {
	if d.bot != nil {
		return d.bot
	}
	return d.anon
}

// checkWikiHost: the deployment beside the wiki has the wiki's $wgServer
// equal to the public URL.
func (d *doctor) checkWikiHost() {
	const check = "wiki server"
	c := d.client()
	if c == nil {
		d.skip(check, "the wiki API check failed (above)")
		return
	}
	server := strings.TrimSuffix(c.Site().Server, "/")
	if strings.EqualFold(server, d.cfg.PublicURL) {
		d.ok(check, "the wiki's $wgServer is the public URL %s: page URLs and actors share the host", d.cfg.PublicURL)
		return
	}
	d.warn(check, fmt.Sprintf("the wiki's $wgServer is %s, the public URL %s: fine when the wiki is elsewhere on purpose (actors then link to wikipub's /@handle pages), not in the set-up beside the wiki, where both must be the same", server, d.cfg.PublicURL),
		"set $wgServer to the public URL (or --public-url to $wgServer) and restart wikipub; see deploy/README.md")
}

// checkStore opens the store and asks it something.
func (d *doctor) checkStore(ctx context.Context) {
	const check = "store"
	if d.cfg.Redis != "" {
		st, err := redisstore.Open(ctx, d.cfg.Redis)
		if err != nil {
			d.fail(check, err.Error(), "check that Redis runs and --redis (WIKIPUB_REDIS) is its URL, with the password if it has one")
			return
		}
		defer st.Close()
		d.queueLen(ctx, st, "Redis at "+redactURL(d.cfg.Redis))
		return
	}
	if _, err := os.Stat(d.cfg.Data); errors.Is(err, fs.ErrNotExist) {
		d.warn(check, fmt.Sprintf("no store file at %s yet: wikipub serve creates it on its first start", d.cfg.Data),
			"if wikipub already runs, give --data (WIKIPUB_DATA) the file it uses")
		return
	}
	st, err := boltstore.Open(d.cfg.Data, boltstore.WithLockTimeout(300*time.Millisecond))
	if errors.Is(err, store.ErrLocked) {
		d.ok(check, "%s is in use by a running wikipub (fine); only one process can open it, so its /readyz checks it instead", d.cfg.Data)
		return
	}
	if err != nil {
		d.fail(check, err.Error(), "check the file's permissions and the disk; restore it from a backup if it is damaged")
		return
	}
	defer st.Close()
	d.queueLen(ctx, st, d.cfg.Data+" (no wikipub has it open)")
}

func (d *doctor) queueLen(ctx context.Context, st store.Store, what string) {
	n, err := st.QueueLen(ctx)
	if err != nil {
		d.fail("store", err.Error(), "")
		return
	}
	d.ok("store", "%s answers; %d deliveries queued", what, n)
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// checkPublicScheme: the Fediverse only reaches https on port 443.
func (d *doctor) checkPublicScheme() {
	const check = "public URL"
	u, _ := url.Parse(d.cfg.PublicURL)
	var problems []string
	if !d.publicGiven {
		problems = append(problems, fmt.Sprintf("--public-url is not set, so this checks %s, serve's default", d.cfg.PublicURL))
	}
	if u.Scheme != "https" {
		problems = append(problems, d.cfg.PublicURL+" is not https: Mastodon, GoToSocial and Misskey only reach https://host/.well-known/webfinger")
	} else if p := u.Port(); p != "" && p != "443" {
		problems = append(problems, d.cfg.PublicURL+" is not on port 443: the Fediverse looks up handles on https://host/ only")
	}
	if len(problems) > 0 {
		d.warn(check, strings.Join(problems, "; "), "give --public-url (WIKIPUB_PUBLIC_URL) the https:// URL of the wiki's host, behind a TLS terminator (deploy/README.md)")
		return
	}
	d.ok(check, "%s", d.cfg.PublicURL)
}

// publicHost is the handle domain: the public URL's host.
func (d *doctor) publicHost() string {
	u, _ := url.Parse(d.cfg.PublicURL)
	return u.Host
}

// get fetches a URL on the public side; err is a transport failure.
func (d *doctor) get(ctx context.Context, rawURL, accept string, follow bool) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", fmt.Sprintf("wikipub/%s doctor", version))
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	client := d.http
	if !follow {
		cp := *d.http
		cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		client = &cp
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}

// reach does a public GET and reports a transport failure as the check's
// failure; ok is false when there is nothing to look at.
func (d *doctor) reach(ctx context.Context, check, rawURL, accept string, follow bool) (*http.Response, []byte, bool) {
	if d.unreachable {
		d.skip(check, "the public URL is not reachable (above)")
		return nil, nil, false
	}
	resp, body, err := d.get(ctx, rawURL, accept, follow)
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		err = ue.Err // it repeats the method and URL
	}
	if err != nil {
		d.unreachable = true
		d.fail(check, fmt.Sprintf("cannot reach %s: %v", rawURL, err),
			"the public URL must reach the proxy in front of wikipub from outside: check DNS, the firewall and port, the TLS certificate, and that the proxy and wikipub run; run doctor from a machine that sees the URL as the Fediverse does")
		return nil, nil, false
	}
	return resp, body, true
}

func mediaType(h http.Header) string {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return strings.ToLower(strings.TrimSpace(h.Get("Content-Type")))
	}
	return mt
}

// explain says what a wrong answer from the public URL most likely means.
func explain(resp *http.Response, body []byte, route string) (msg, fix string) {
	mt := mediaType(resp.Header)
	msg = fmt.Sprintf("%s answered %s with %s", resp.Request.URL, resp.Status, orNone(mt))
	switch {
	case mt == "text/html":
		return msg + ": a web page, not wikipub", "the proxy sends " + route + " to MediaWiki or elsewhere instead of wikipub; see deploy/README.md (the locations of deploy/nginx/wikipub.conf)"
	case resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout:
		if mt == "application/json" && bytes.Contains(body, []byte("wiki")) {
			return msg + ": " + snippetOf(body), "wikipub cannot ask the wiki: check --wiki on the wikipub side"
		}
		return msg, "the proxy cannot reach wikipub: check that wikipub runs and that the proxy's upstream is its --listen address"
	case resp.StatusCode == http.StatusNotFound && mt != "application/json" && mt != "application/jrd+json":
		return msg, "the proxy does not send " + route + " to wikipub; see deploy/README.md"
	}
	if len(body) > 0 {
		msg += ": " + snippetOf(body)
	}
	return msg, ""
}

func orNone(mt string) string {
	if mt == "" {
		return "no Content-Type"
	}
	return mt
}

func snippetOf(b []byte) string {
	return oneLine(string(b), 160)
}

// checkWebFinger: a page's handle is found on the public URL.
func (d *doctor) checkWebFinger(ctx context.Context) {
	const check = "webfinger"
	if d.page == nil {
		d.skip(check, "no page of the wiki to look up (the wiki API check failed, or the wiki has no pages)")
		return
	}
	h := handle.ForPage(d.client().Site(), d.page.Title)
	if h == "" {
		h = handle.PageFallback(d.page.ID)
	}
	acct := "acct:" + h + "@" + d.publicHost()
	u := d.cfg.PublicURL + "/.well-known/webfinger?resource=" + url.QueryEscape(acct)
	resp, body, ok := d.reach(ctx, check, u, "application/jrd+json, application/json", true)
	if !ok {
		return
	}
	var doc struct {
		Subject string `json:"subject"`
		Links   []struct {
			Rel, Type, Href string
		} `json:"links"`
	}
	mt := mediaType(resp.Header)
	if resp.StatusCode != http.StatusOK || (mt != "application/jrd+json" && mt != "application/json") || json.Unmarshal(body, &doc) != nil {
		msg, fix := explain(resp, body, "/.well-known/webfinger")
		d.fail(check, fmt.Sprintf("looking up %s (the page %q): %s", acct, d.page.Title, msg), fix)
		return
	}
	self := ""
	for _, l := range doc.Links {
		if l.Rel == "self" && (l.Type == "application/activity+json" || strings.HasPrefix(l.Type, "application/ld+json")) {
			self = l.Href
		}
	}
	switch {
	case !strings.EqualFold(doc.Subject, acct):
		d.fail(check, fmt.Sprintf("looking up %s answered the subject %q", acct, doc.Subject),
			"the server answering "+d.cfg.PublicURL+" is not this wiki's wikipub, or runs with another --public-url")
	case self == "":
		d.fail(check, fmt.Sprintf("the answer for %s has no ActivityPub self link", acct), "the server answering /.well-known/webfinger is not wikipub")
	case !strings.HasPrefix(self, d.cfg.PublicURL+"/ap/"):
		d.fail(check, fmt.Sprintf("%s names the actor %s, which is not under %s", acct, self, d.cfg.PublicURL),
			"wikipub runs with another --public-url than this one; give it the public URL")
	default:
		d.ok(check, "%s is %s", acct, self)
	}
}

// checkNodeInfo: the NodeInfo pointer and document are served.
func (d *doctor) checkNodeInfo(ctx context.Context) {
	const check = "nodeinfo"
	u := d.cfg.PublicURL + "/.well-known/nodeinfo"
	resp, body, ok := d.reach(ctx, check, u, "application/json", true)
	if !ok {
		return
	}
	var links struct {
		Links []struct{ Rel, Href string } `json:"links"`
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(mediaType(resp.Header), "json") || json.Unmarshal(body, &links) != nil {
		msg, fix := explain(resp, body, "/.well-known/nodeinfo")
		d.fail(check, msg, fix)
		return
	}
	href := ""
	for _, l := range links.Links {
		if strings.HasPrefix(l.Rel, "http://nodeinfo.diaspora.software/ns/schema/") {
			href = l.Href
		}
	}
	if href == "" {
		d.fail(check, u+" lists no NodeInfo schema link", "the server answering /.well-known/nodeinfo is not wikipub")
		return
	}
	if !strings.HasPrefix(href, d.cfg.PublicURL+"/") {
		d.fail(check, fmt.Sprintf("%s points to %s, not under %s", u, href, d.cfg.PublicURL), "wikipub runs with another --public-url than this one")
		return
	}
	resp, body, ok = d.reach(ctx, check, href, "application/json", true)
	if !ok {
		return
	}
	var doc struct {
		Software struct{ Name, Version string } `json:"software"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &doc) != nil || doc.Software.Name == "" {
		msg, fix := explain(resp, body, "/nodeinfo/")
		d.fail(check, msg, fix)
		return
	}
	d.ok(check, "%s: %s %s", href, doc.Software.Name, doc.Software.Version)
}

// pageURL is the page's URL on the public host, by the wiki's article path.
func (d *doctor) pageURL() string {
	ap := d.client().Site().ArticlePath
	if !strings.Contains(ap, "$1") {
		return d.cfg.PublicURL + d.client().Site().Script + "?title=" + wiki.EscapeTitle(d.page.Title)
	}
	return d.cfg.PublicURL + strings.Replace(ap, "$1", wiki.EscapeTitle(d.page.Title), 1)
}

// checkPageActor: a wiki page URL fetched with an ActivityPub Accept
// header answers with the page's actor (what GoToSocial and Mastodon do
// with a pasted URL).
func (d *doctor) checkPageActor(ctx context.Context) {
	const check = "page URL, ActivityPub"
	if d.page == nil {
		d.skip(check, "no page of the wiki to fetch (the wiki API check failed, or the wiki has no pages)")
		return
	}
	u := d.pageURL()
	resp, body, ok := d.reach(ctx, check, u, "application/activity+json", true)
	if !ok {
		return
	}
	want := d.cfg.PublicURL + "/ap/page/" + strconv.FormatInt(d.page.ID, 10)
	mt := mediaType(resp.Header)
	var doc struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	isAP := mt == "application/activity+json" || mt == "application/ld+json"
	switch {
	case mt == "text/html" || (!isAP && resp.StatusCode < 500 && resp.StatusCode != http.StatusNotFound):
		d.fail(check, fmt.Sprintf("GET %s with Accept: application/activity+json answered %s with %s, not the actor", u, resp.Status, orNone(mt)),
			"the proxy sends ActivityPub requests for wiki pages to MediaWiki; see deploy/README.md (\"a wiki page URL ... fetched with an ActivityPub Accept header\" goes to wikipub)")
	case !isAP || resp.StatusCode != http.StatusOK || json.Unmarshal(body, &doc) != nil:
		msg, fix := explain(resp, body, "ActivityPub requests for wiki pages")
		if resp.StatusCode == http.StatusNotFound && mt == "application/json" {
			fix = "wikipub does not know the page " + strconv.Quote(d.page.Title) + " at this path: is it reading the same wiki (--wiki), and was it restarted after $wgArticlePath changed?"
		}
		d.fail(check, "GET "+u+" with Accept: application/activity+json: "+msg, fix)
	case doc.ID == want:
		d.ok(check, "%s gives the actor %s (%s)", u, doc.ID, doc.Type)
	case d.mainPage && doc.ID == d.cfg.PublicURL+"/ap/wiki":
		// The main page stands for the whole wiki's account (--wiki-account).
		d.ok(check, "%s gives the wiki's own account %s (%s)", u, doc.ID, doc.Type)
	case strings.HasPrefix(doc.ID, d.cfg.PublicURL+"/ap/"):
		d.warn(check, fmt.Sprintf("%s gives the actor %s, expected %s", u, doc.ID, want), "is wikipub reading the same wiki as --wiki here?")
	default:
		d.fail(check, fmt.Sprintf("%s gives the actor %s, not under %s", u, doc.ID, d.cfg.PublicURL), "wikipub runs with another --public-url than this one")
	}
}

// checkPageLink: in the set-up beside the wiki, MediaWiki's page answers
// carry the Link header that Mastodon follows from a pasted page URL.
func (d *doctor) checkPageLink(ctx context.Context) {
	const check = "page URL, browsers"
	if d.page == nil || d.client() == nil {
		d.skip(check, "no page of the wiki to fetch")
		return
	}
	if !strings.EqualFold(strings.TrimSuffix(d.client().Site().Server, "/"), d.cfg.PublicURL) {
		d.skip(check, "the wiki is on another host than the public URL, so no proxy serves both")
		return
	}
	u := d.pageURL()
	resp, _, ok := d.reach(ctx, check, u, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", false)
	if !ok {
		return
	}
	for _, l := range resp.Header.Values("Link") {
		if strings.Contains(l, `rel="alternate"`) && strings.Contains(l, "application/activity+json") {
			d.ok(check, "%s carries the Link rel=alternate header Mastodon follows", u)
			return
		}
	}
	d.warn(check, fmt.Sprintf("GET %s from a browser answered %s without a Link: <…>; rel=\"alternate\"; type=\"application/activity+json\" header, which Mastodon follows from a pasted page URL", u, resp.Status),
		"add the add_header lines of deploy/nginx/wikipub.conf (location /wiki/) to the location that serves wiki pages")
}
