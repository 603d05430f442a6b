package web

// The follow page: what a person sees who opens an actor id or /@handle in
// a browser. It names the page or editor, shows the handle with a Copy
// button, and has a form that sends the reader to their own server to
// confirm the follow (GET /follow). GET /follow-page?title=Title is where
// the wiki's "Follow on the Fediverse" link (deploy/mediawiki/Common.js)
// points: the wiki knows its titles, not their handles.
//
// The page is plain HTML from html/template, usable without CSS or
// JavaScript; its one style sheet and its few lines of script are inline,
// and a Content-Security-Policy allows exactly those two (by hash) and
// nothing else: no external assets, no other script, forms only to this
// server and, through its redirect, to an https:// server.
//
// Remote follow. There is no standard for "follow this actor from my
// server"; Mastodon (and its forks: Hometown, glitch-soc; and servers that
// copy its routes) has https://INSTANCE/authorize_interaction?uri=X, where
// X is an acct: URI or an ActivityPub id. /follow uses the actor id, URL
// encoded: the id is what the server will fetch in the end, it needs no
// WebFinger round trip on the remote side, and it does not depend on the
// remote parsing acct: URIs with a host that differs from where the actor
// lives. The alternative, discovering each server's own subscribe
// template from its WebFinger (rel="http://ostatus.org/schema/1.0/subscribe"),
// would make wikipub fetch from whatever host a visitor types: an outbound
// request per form submission, to an address chosen by strangers. The
// redirect costs nothing and the visitor's browser makes the request.

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/wiki"
)

//go:embed templates/follow.html templates/follow.css templates/follow.js
var followFiles embed.FS

var (
	followTmpl = template.Must(template.ParseFS(followFiles, "templates/follow.html"))
	followCSS  = mustRead("templates/follow.css")
	followJS   = mustRead("templates/follow.js")
	// followCSP allows the page's own inline style and script by hash and
	// nothing else. form-action names https: because browsers apply it to
	// the redirect that /follow answers the form with.
	followCSP = "default-src 'none'; style-src '" + cspHash(followCSS) + "'; script-src '" + cspHash(followJS) +
		"'; form-action 'self' https:; base-uri 'none'; frame-ancestors 'none'"
)

func mustRead(name string) string {
	b, err := followFiles.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// imageOrigins are the origins of the profile's pictures (the wiki's
// upload host), for the page's img-src.
func imageOrigins(urls ...string) string {
	var out string
	seen := map[string]bool{}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		o := u.Scheme + "://" + u.Host
		if !seen[o] {
			seen[o] = true
			out += " " + o
		}
	}
	return out
}

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// followPostCount is how many recent changes the follow page lists.
const followPostCount = 5

// followPage is the data of the follow page and of its error pages.
type followPage struct {
	Title        string
	CSS          template.CSS
	JS           template.JS
	Lang         string
	SiteName     string
	SiteURL      string
	Kind         string
	Name         string
	Deleted      bool
	Handle       string // @name@host
	HandleName   string // name
	FollowAction string
	Instance     string
	Error        string
	WikiURL      string
	WikiLinkText string
	Posts        []followPost
	// The profile, as followers' servers show it: avatar, header (banner),
	// bio (plain text) and fields.
	Avatar, Header, Bio string
	Fields              []actors.Field

	// Error pages.
	Heading, Message string
}

type followPost struct {
	Text, URL, LinkText string
	DateTime, Date      string
}

// followPageForRef is the actor id's page for people (GET /ap/{kind}/{id}
// from a browser).
func (e *Endpoints) followPageForRef(w http.ResponseWriter, r *http.Request) {
	ref, ok := e.refFromPath(r)
	if !ok {
		e.followError(w, r, actors.ErrNoActor)
		return
	}
	a, err := e.resolver.ByRef(r.Context(), ref)
	if err != nil {
		e.followError(w, r, err)
		return
	}
	e.renderFollow(w, r, a, http.StatusOK, "", "")
}

// followPageForHandle is /@handle's page for people.
func (e *Endpoints) followPageForHandle(w http.ResponseWriter, r *http.Request, h string) {
	a, err := e.resolver.ByHandle(r.Context(), h)
	if err != nil {
		e.followError(w, r, err)
		return
	}
	e.renderFollow(w, r, a, http.StatusOK, "", "")
}

// followRedirect is GET /follow?handle=H&instance=I: the follow form's
// target. It sends the browser to the reader's server to confirm the
// follow, or answers 400 with the form and what is wrong.
func (e *Endpoints) followRedirect(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h, ok := e.ownHandle(q.Get("handle"))
	if !ok {
		e.errorPage(w, r, http.StatusBadRequest, "No handle to follow",
			"This link names nothing to follow here. Open the page of a wiki page or editor and use its Follow form.")
		return
	}
	a, err := e.resolver.ByHandle(r.Context(), h)
	if err != nil {
		e.followError(w, r, err)
		return
	}
	host, problem := parseInstance(q.Get("instance"))
	if problem != "" {
		e.renderFollow(w, r, a, http.StatusBadRequest, q.Get("instance"), problem)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, remoteFollowURL(host, e.iris.Actor(a.Ref)), http.StatusFound)
}

// remoteFollowURL is Mastodon's remote-interaction page on host for the
// actor id (see the top of this file for why the id and not acct:).
func remoteFollowURL(host, actorID string) string {
	return "https://" + host + "/authorize_interaction?uri=" + url.QueryEscape(actorID)
}

// followByTitle is GET /follow-page?title=Wiki_Title, the wiki snippet's
// link: it finds the page's actor (a user page's is its editor) and sends
// the browser to its /@handle page.
func (e *Endpoints) followByTitle(w http.ResponseWriter, r *http.Request) {
	title := strings.TrimSpace(strings.ReplaceAll(r.URL.Query().Get("title"), "_", " "))
	if title == "" {
		e.errorPage(w, r, http.StatusBadRequest, "No page named",
			"This link names no wiki page. Use the “Follow on the Fediverse” link of a page on the wiki.")
		return
	}
	a, err := e.resolver.ByPageURL(r.Context(), e.wiki.Site().PageURL(title))
	if err != nil {
		if errors.Is(err, actors.ErrNoActor) {
			e.errorPage(w, r, http.StatusNotFound, "Not on the Fediverse",
				"“"+title+"” cannot be followed: there is no such page or editor on the wiki, or it is of a kind that has no Fediverse account (special pages, for instance).")
			return
		}
		e.followError(w, r, err)
		return
	}
	http.Redirect(w, r, "/@"+url.PathEscape(a.Handle), http.StatusFound)
}

// ownHandle reads a handle of ours from "name", "@name" or "@name@host"
// (host must be ours).
func (e *Endpoints) ownHandle(in string) (string, bool) {
	h := strings.TrimPrefix(strings.TrimSpace(in), "@")
	if name, host, ok := strings.Cut(h, "@"); ok {
		if !strings.EqualFold(host, e.host()) {
			return "", false
		}
		h = name
	}
	return h, h != ""
}

// renderFollow writes the follow page of a; instance and problem refill
// the form after a bad server address.
func (e *Endpoints) renderFollow(w http.ResponseWriter, r *http.Request, a *actors.Actor, status int, instance, problem string) {
	site := e.wiki.Site()
	p := e.basePage(site)
	p.Name = a.Name
	p.HandleName = a.Handle
	p.Handle = "@" + a.Handle + "@" + e.host()
	p.FollowAction = "/follow"
	p.Instance = strings.TrimSpace(instance)
	p.Error = problem
	p.Deleted = a.Deleted
	p.WikiURL = a.URL
	switch a.Ref.Kind {
	case actors.KindUser:
		p.Kind = "An editor of"
		p.WikiLinkText = a.Name + "’s user page on " + site.SiteName
	case actors.KindWiki:
		p.Kind = "Every new page of"
		p.WikiLinkText = "Go to " + site.SiteName
	case actors.KindInstance:
		p.Kind = "The Fediverse service of"
		p.WikiLinkText = "Go to " + site.SiteName
	default:
		p.Kind = "A page of"
		p.WikiLinkText = "Read “" + a.Name + "” on " + site.SiteName
		if a.Deleted {
			p.WikiLinkText = "The deleted page on " + site.SiteName
		}
	}
	if !a.Deleted {
		// A wiki that does not answer leaves the page with the logo only.
		prof, err := e.docs.Profile(r.Context(), a.Ref)
		if err != nil {
			e.log.WarnContext(r.Context(), "profile for the follow page", "actor", a.Handle, "err", err)
			prof = nil
		}
		pics := actors.PicturesOf(e.iris, e.avatars.Get(r.Context()), prof)
		p.Avatar = pics.Avatar
		if a.Ref.Kind != actors.KindInstance {
			p.Header = pics.Header
		}
		if prof != nil {
			p.Bio = prof.Bio
		}
		p.Fields = actors.Fields(a, actors.DocOptions{SiteName: site.SiteName}, prof)
	}
	p.Title = a.Name + " (" + p.Handle + "): follow on the Fediverse"
	if problem == "" && !a.Deleted {
		p.Posts = e.recentPosts(r.Context(), a)
	}
	e.writePage(w, r, status, "follow", p)
}

// recentPosts are the actor's latest changes as plain text with links to
// the diffs. What the wiki hides is left out, as in the outbox; a wiki
// that does not answer leaves the list out.
func (e *Endpoints) recentPosts(ctx context.Context, a *actors.Actor) []followPost {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var changes []wiki.Change
	var err error
	switch a.Ref.Kind {
	case actors.KindPage:
		changes, _, err = e.wiki.PageHistory(ctx, a.Ref.ID, "", 2*followPostCount)
	case actors.KindUser:
		changes, _, err = e.wiki.Contributions(ctx, a.Ref.ID, "", 2*followPostCount)
	default:
		return nil
	}
	if err != nil {
		e.log.DebugContext(ctx, "follow page without recent changes", "actor", a.Ref.String(), "err", err)
		return nil
	}
	site := e.wiki.Site()
	var out []followPost
	for i := range changes {
		c := &changes[i]
		if c.UserHidden || c.CommentHidden || c.ContentHidden || c.Suppressed || c.RevID == 0 {
			continue
		}
		out = append(out, followPost{
			Text: changeText(c), URL: publish.DiffURL(site, c), LinkText: strings.ToUpper(publish.DiffWord(c)[:1]) + publish.DiffWord(c)[1:],
			DateTime: c.Timestamp.UTC().Format(time.RFC3339), Date: c.Timestamp.UTC().Format("2 January 2006, 15:04 UTC"),
		})
		if len(out) == followPostCount {
			break
		}
	}
	return out
}

// changeText is a change as one plain sentence: "Alice edited Main Page:
// fix a typo (+12 bytes)". Unregistered editors are not named.
func changeText(c *wiki.Change) string {
	who := c.User
	if c.Anonymous || who == "" {
		who = "An unregistered editor"
	}
	verb := "edited"
	switch {
	case c.Kind == wiki.KindNew:
		verb = "created"
	case c.Minor:
		verb = "made a minor edit to"
	}
	t := who + " " + verb + " " + c.Title
	summary := publish.PlainText(c.ParsedComment)
	if summary == "" {
		summary = strings.TrimSpace(c.Comment)
	}
	if summary != "" {
		t += ": " + summary
	}
	return t + " (" + publish.SizeText(c.SizeDelta()) + ")"
}

// followError is the HTML counterpart of actorError.
func (e *Endpoints) followError(w http.ResponseWriter, r *http.Request, err error) {
	var re *actors.RedirectError
	switch {
	case errors.As(err, &re):
		http.Redirect(w, r, e.iris.Actor(re.Target), http.StatusMovedPermanently)
	case errors.Is(err, actors.ErrNoActor):
		e.errorPage(w, r, http.StatusNotFound, "Not found",
			"There is no such page or editor on "+e.wiki.Site().SiteName+" to follow. The page may have been renamed, or the address mistyped.")
	case errors.Is(err, actors.ErrGone):
		e.errorPage(w, r, http.StatusGone, "Deleted",
			"This page or account was deleted from "+e.wiki.Site().SiteName+".")
	default:
		e.log.WarnContext(r.Context(), "the wiki could not be asked", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "30")
		e.errorPage(w, r, http.StatusServiceUnavailable, "Try again later",
			"The wiki is not answering at the moment. Please try again in a minute.")
	}
}

func (e *Endpoints) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	site := e.wiki.Site()
	p := e.basePage(site)
	p.Title, p.Heading, p.Message = heading+" – "+site.SiteName, heading, msg
	e.writePage(w, r, status, "error", p)
}

func (e *Endpoints) basePage(site *wiki.SiteInfo) followPage {
	lang := site.Lang
	if lang == "" {
		lang = "en"
	}
	return followPage{CSS: template.CSS(followCSS), JS: template.JS(followJS),
		Lang: lang, SiteName: site.SiteName, SiteURL: site.PageURL("")}
}

// writePage renders the page before writing anything, so a template error
// is a clean 500.
func (e *Endpoints) writePage(w http.ResponseWriter, r *http.Request, status int, name string, p followPage) {
	var b strings.Builder
	if err := followTmpl.ExecuteTemplate(&b, name, p); err != nil {
		e.internalError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", followCSP+"; img-src 'self'"+imageOrigins(p.Avatar, p.Header))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Vary", "Accept")
	if status == http.StatusOK {
		h.Set("Cache-Control", "max-age=60")
	} else {
		h.Set("Cache-Control", "no-store")
	}
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write([]byte(b.String()))
	}
}

// parseInstance reads the reader's server from what they typed:
// "mastodon.social", "https://mastodon.social/", "@me@mastodon.social",
// "me@mastodon.social", a host with a port. It returns the host (ASCII,
// lowercase, with its port if any), or a message for the reader.
// Nothing but a DNS host name and a port gets through: no scheme other
// than http(s), no user info, path, query or fragment, no IP address.
func parseInstance(in string) (host, problem string) {
	s := strings.TrimSpace(in)
	const example = " Type only your server’s address, for example mastodon.social."
	if s == "" {
		return "", "Type the address of your server, for example mastodon.social."
	}
	quoted := "“" + s + "”"
	if len(s) > 300 {
		return "", "That is too long for a server address." + example
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "https://"):
		s = s[len("https://"):]
	case strings.HasPrefix(lower, "http://"):
		s = s[len("http://"):]
	case strings.HasPrefix(s, "@") || (strings.Count(s, "@") == 1 && !strings.Contains(s, "/")):
		// @me@server or me@server: the server is after the last @.
		user, rest, ok := strings.Cut(strings.TrimPrefix(s, "@"), "@")
		if !ok || !validAccountName(user) {
			return "", quoted + " is not a Fediverse address." + example
		}
		s = rest
	}
	s = strings.TrimSuffix(s, "/")
	if s == "" || strings.ContainsAny(s, "/?#@\\%") {
		return "", quoted + " is not just a server address." + example
	}
	for _, c := range s {
		if c <= ' ' || c == 0x7f || c == '[' || c == ']' {
			return "", quoted + " is not a server address." + example
		}
	}
	name, port := s, ""
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		name, port = s[:i], s[i+1:]
		if port == "" || strings.Trim(port, "0123456789") != "" {
			return "", quoted + " is not a server address." + example
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return "", quoted + " has no valid port number after the colon." + example
		}
	}
	ascii := strings.ToLower(strings.TrimSuffix(name, "."))
	for _, c := range ascii {
		if c > 0x7e {
			// Internationalised names would need IDNA tables (golang.org/x/text).
			return "", quoted + " has letters outside ASCII: type its xn-- form, as your server shows it in its own addresses."
		}
	}
	if !validDNSName(ascii) {
		return "", quoted + " is not a server address." + example
	}
	if port != "" {
		return ascii + ":" + port, ""
	}
	return ascii, ""
}

// validAccountName is a user name in a Fediverse address, leniently.
func validAccountName(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '.' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// validDNSName is a lowercase ASCII host name with at least two labels and
// a top-level label that is not a number (so no IPv4 address).
func validDNSName(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return strings.Trim(tld, "0123456789") != ""
}
