package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/avatar"
	"github.com/wikipub/wikipub/federation/internal/httpjson"
	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// Config is what the endpoints say about this build.
type Config struct {
	// Version names this build in NodeInfo.
	Version string
}

// Wiki is what the endpoints read of the wiki: the site, a revision for
// its post built on demand, histories and edit counts for outboxes.
// *wiki.Client satisfies it.
type Wiki interface {
	Site() *wiki.SiteInfo
	RevisionChange(ctx context.Context, id int64) (wiki.Change, error)
	PageHistory(ctx context.Context, pageID int64, cont string, limit int) ([]wiki.Change, string, error)
	Contributions(ctx context.Context, userID int64, cont string, limit int) ([]wiki.Change, string, error)
	EditCount(ctx context.Context, title string) (int, error)
	UserByID(ctx context.Context, id int64) (wiki.User, error)
}

// Store is what the endpoints read of the store: followers, published
// posts (withdrawn ones answer 410) and the interactions collections.
type Store interface {
	CountFollowers(ctx context.Context, actorID string) (int, error)
	Followers(ctx context.Context, actorID, after string, limit int) ([]store.Follower, error)
	PublishedPost(ctx context.Context, objectID string) (store.Published, error)
	Interactions(ctx context.Context, object, kind, afterID string, limit int) ([]store.Interaction, error)
	CountInteractions(ctx context.Context, object, kind string) (int, error)
}

// Posts builds the posts the endpoints serve, the same as were sent;
// *publish.Publisher is one.
type Posts interface {
	RevisionNote(ctx context.Context, c *wiki.Change, withExtras bool) (note activity.Note, ok bool, err error)
	EditNote(c *wiki.Change, page *actors.Actor, ed publish.Editor, x publish.Extras) activity.Note
}

// Deps is what the endpoints work with, each made once by cmd/wikipub.
type Deps struct {
	Wiki     Wiki
	Store    Store
	Resolver *actors.Resolver
	Docs     *actors.Documents
	Posts    Posts
	Avatars  *avatar.Source
	// Inbox takes the POSTs to every inbox of ours (an *inbox.Handler).
	Inbox  http.Handler
	IRIs   actors.IRIs
	Logger *slog.Logger
}

// Endpoints answer the Fediverse and the people who follow from it:
// WebFinger, NodeInfo, actors, objects, collections, the follow page, the
// avatar; POSTs to inboxes go to the inbox handler.
type Endpoints struct {
	cfg      Config
	iris     actors.IRIs
	wiki     Wiki
	store    Store
	resolver *actors.Resolver
	docs     *actors.Documents
	pub      Posts
	avatars  *avatar.Source
	inbox    http.Handler
	log      *slog.Logger
}

// New returns the endpoints; Routes mounts them.
func New(cfg Config, d Deps) *Endpoints {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return &Endpoints{cfg: cfg, iris: d.IRIs, wiki: d.Wiki, store: d.Store, resolver: d.Resolver, docs: d.Docs,
		pub: d.Posts, avatars: d.Avatars, inbox: d.Inbox, log: d.Logger}
}

// Routes registers the federation endpoints on mux.
func (e *Endpoints) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/webfinger", e.webfinger)
	mux.HandleFunc("GET /.well-known/host-meta", e.hostMeta)
	mux.HandleFunc("GET /.well-known/nodeinfo", e.nodeinfoLinks)
	mux.HandleFunc("GET /nodeinfo/2.0", e.nodeinfo)
	mux.HandleFunc("GET /{at}", e.profile) // /@handle; a wildcard must be a whole segment
	mux.HandleFunc("GET /follow", e.followRedirect)
	mux.HandleFunc("GET /follow-page", e.followByTitle)
	// The wiki's own page URLs, for a proxy that sends ActivityPub requests
	// for them here (see the README's deployment section).
	site := e.wiki.Site()
	if prefix, _, ok := strings.Cut(site.ArticlePath, "$1"); ok && strings.HasSuffix(prefix, "/") && prefix != "/" && !strings.HasPrefix(prefix, "/ap/") {
		mux.HandleFunc("GET "+prefix+"{title...}", e.wikiPage)
	}
	if site.Script != "" && strings.HasPrefix(site.Script, "/") {
		mux.HandleFunc("GET "+site.Script, e.wikiPage)
	}
	mux.HandleFunc("GET /ap/avatar", e.avatar)
	mux.HandleFunc("GET /ap/instance", e.actor)
	// Every collection an actor advertises answers, the instance's too:
	// GoToSocial counts them and logs each 404.
	mux.HandleFunc("GET /ap/instance/followers", e.followers)
	mux.HandleFunc("GET /ap/instance/following", e.following)
	mux.HandleFunc("GET /ap/instance/outbox", e.outbox)
	mux.HandleFunc("GET /ap/instance/featured", e.featured)
	// The whole wiki's account, when there is one.
	wikiRef := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { r.SetPathValue("kind", string(actors.KindWiki)); h(w, r) }
	}
	mux.HandleFunc("GET /ap/wiki", wikiRef(e.actor))
	mux.HandleFunc("GET /ap/wiki/followers", wikiRef(e.followers))
	mux.HandleFunc("GET /ap/wiki/following", wikiRef(e.following))
	mux.HandleFunc("GET /ap/wiki/outbox", wikiRef(e.outbox))
	mux.HandleFunc("GET /ap/wiki/featured", wikiRef(e.featured))
	mux.Handle("POST /ap/wiki/inbox", e.inbox)
	mux.HandleFunc("GET /ap/{kind}/{id}/featured", e.featured)
	mux.HandleFunc("GET /ap/{kind}/{id}", e.actor)
	mux.HandleFunc("GET /ap/{kind}/{id}/followers", e.followers)
	mux.HandleFunc("GET /ap/{kind}/{id}/following", e.following)
	mux.HandleFunc("GET /ap/{kind}/{id}/outbox", e.outbox)
	mux.HandleFunc("GET /ap/rev/{id}", e.revisionObject)
	mux.HandleFunc("GET /ap/{kind}/{id}/{collection}", e.interactionCollection)
	mux.HandleFunc("GET /ap/log/{id}", e.withdrawnOrMissing)
	mux.HandleFunc("GET /ap/rc/{id}", e.withdrawnOrMissing)
	mux.Handle("POST /ap/inbox", e.inbox)
	mux.Handle("POST /ap/instance/inbox", e.inbox)
	mux.Handle("POST /ap/{kind}/{id}/inbox", e.inbox)
}

// refFromPath reads the actor named by a request path.
func (e *Endpoints) refFromPath(r *http.Request) (actors.Ref, bool) {
	switch r.PathValue("kind") {
	case "":
		return actors.Ref{Kind: actors.KindInstance}, true
	case string(actors.KindWiki):
		return actors.Ref{Kind: actors.KindWiki}, true
	}
	return actors.ParseRef(r.PathValue("kind") + "/" + r.PathValue("id"))
}

func (e *Endpoints) actor(w http.ResponseWriter, r *http.Request) {
	if wantsHTML(r) {
		// A person opening the actor id gets the follow page (HTML errors too).
		e.followPageForRef(w, r)
		return
	}
	ref, ok := e.refFromPath(r)
	if !ok {
		writeError(w, http.StatusNotFound, "no such actor")
		return
	}
	a, err := e.resolver.ByRef(r.Context(), ref)
	if err != nil {
		e.actorError(w, r, err)
		return
	}
	doc, err := e.actorDoc(r.Context(), a)
	if err != nil {
		e.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", activity.ContentType)
	w.Header().Set("Cache-Control", "max-age=60")
	w.Header().Set("Vary", "Accept")
	w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
	w.Write(doc)
}

// profile is an actor's page for people: the follow page (followpage.go);
// ActivityPub clients are sent to the actor document.
func (e *Endpoints) profile(w http.ResponseWriter, r *http.Request) {
	h, ok := strings.CutPrefix(r.PathValue("at"), "@")
	if !ok || h == "" {
		http.NotFound(w, r)
		return
	}
	if !isAPAccept(r.Header.Get("Accept")) {
		e.followPageForHandle(w, r, h)
		return
	}
	a, err := e.resolver.ByHandle(r.Context(), h)
	if err != nil {
		e.actorError(w, r, err)
		return
	}
	http.Redirect(w, r, e.iris.Actor(a.Ref), http.StatusFound)
}

// actorDoc renders (or takes from the cache) an actor's document.
func (e *Endpoints) actorDoc(ctx context.Context, a *actors.Actor) ([]byte, error) {
	return e.docs.Get(ctx, a)
}

// host is the handle domain.
func (e *Endpoints) host() string { return e.iris.Host() }

// avatar serves the avatar image; its URL carries the version, so it may
// be cached for long.
func (e *Endpoints) avatar(w http.ResponseWriter, r *http.Request) {
	img := e.avatars.Get(r.Context())
	w.Header().Set("Content-Type", img.MediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(img.Body)))
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("ETag", `"`+img.Version+`"`)
	w.Write(img.Body)
}

// WarmAvatar reads the wiki's logo once, so that the first actor document
// does not wait for it (drawing an SVG logo can take a second).
func (e *Endpoints) WarmAvatar(ctx context.Context) { e.avatars.Get(ctx) }

// actorError maps resolution errors to statuses: 404 unknown, 410 gone,
// 301 to a redirect's target, 503 when the wiki cannot be asked.
func (e *Endpoints) actorError(w http.ResponseWriter, r *http.Request, err error) {
	var re *actors.RedirectError
	switch {
	case errors.As(err, &re):
		target := e.iris.Actor(re.Target)
		if suffix := r.URL.Path[strings.LastIndex(r.URL.Path, "/"):]; r.PathValue("id") != "" && !strings.HasSuffix(r.URL.Path, "/"+r.PathValue("id")) {
			target += suffix
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	case errors.Is(err, actors.ErrNoActor), errors.Is(err, wiki.ErrNotFound):
		// The wiki's own "not found" (an account hidden between two
		// look-ups) is a 404 too, never a 503 to retry.
		writeError(w, http.StatusNotFound, "no such actor")
	case errors.Is(err, actors.ErrGone):
		writeError(w, http.StatusGone, "this page or account was deleted")
	default:
		e.log.WarnContext(r.Context(), "the wiki could not be asked", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "30")
		writeError(w, http.StatusServiceUnavailable, "the wiki is not answering; try again later")
	}
}

func (e *Endpoints) internalError(w http.ResponseWriter, r *http.Request, err error) {
	e.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "internal error")
}

// wantsHTML is true for browsers: they ask for text/html and not for an
// ActivityPub type.
func wantsHTML(r *http.Request) bool {
	acc := r.Header.Get("Accept")
	return strings.Contains(acc, "text/html") && !isAPAccept(acc)
}

// isAPAccept recognises the Accept headers of ActivityPub clients.
func isAPAccept(acc string) bool {
	return strings.Contains(acc, "application/activity+json") || strings.Contains(acc, "application/ld+json")
}

func writeError(w http.ResponseWriter, status int, msg string) { httpjson.Error(w, status, msg) }

func writeJSON(w http.ResponseWriter, contentType string, v any) { httpjson.Write(w, contentType, v) }
