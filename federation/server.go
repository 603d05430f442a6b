package federation

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/avatar"
	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/handle"
	"github.com/wikipub/wikipub/federation/httpsig"
	"github.com/wikipub/wikipub/federation/inbox"
	"github.com/wikipub/wikipub/federation/internal/httpjson"
	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/talk"
	"github.com/wikipub/wikipub/wiki"
)

// Config is what the federation side is told at start.
type Config struct {
	// PublicURL is the base URL the Fediverse reaches us at, no trailing slash.
	PublicURL string
	// Discoverable and Indexable are copied into every actor.
	Discoverable, Indexable bool
	// Version and UserAgent name this build.
	Version, UserAgent string
	// Coalesce is the window in which consecutive saves by one editor to one
	// page become one post; 0 (the default) posts every revision.
	Coalesce time.Duration
	// PublicTimelines addresses posts to Public (public timelines) instead
	// of cc (unlisted, the default).
	PublicTimelines bool
	// Talk says how replies reach the wiki.
	Talk talk.Config
	// Blocks are domains and actor ids blocked by configuration.
	Blocks []string
	// CacheTTL bounds how stale a cached actor may be; default 1 min.
	CacheTTL time.Duration
	Logger   *slog.Logger
	// Limits bound what remotes can make us do (inbox/limits.go).
	Limits inbox.Limits
	// AllowPrivate is the list given to remote.NewHTTPClient: the internal
	// ranges a follower's inbox may be on (a Follow naming any other
	// internal address is refused at once).
	AllowPrivate []netip.Prefix
	// Registry receives the inbox's metrics (refusals by reason); nil
	// for none.
	Registry prometheus.Registerer
	// WikiAccount is the handle of the whole wiki's account, which boosts
	// every new page; "" for none.
	WikiAccount string
	// WikiAccountNamespaces are the namespaces whose every edit the wiki's
	// account boosts too (new pages it boosts everywhere).
	WikiAccountNamespaces []int
	// ProfileUpdateEvery is the least time between two Updates of one
	// actor's profile (a new lead image or opening); default 1 h.
	ProfileUpdateEvery time.Duration
}

// WikiReader is everything the federation side reads from the wiki:
// actors, revisions for posts built on demand, histories for outboxes.
type WikiReader interface {
	actors.Wiki
	RevisionChange(ctx context.Context, id int64) (wiki.Change, error)
	Revisions(ctx context.Context, ids []int64) (map[int64]wiki.Revision, error)
	FileURL(ctx context.Context, title string) (string, string, error)
	PageHistory(ctx context.Context, pageID int64, cont string, limit int) ([]wiki.Change, string, error)
	Contributions(ctx context.Context, userID int64, cont string, limit int) ([]wiki.Change, string, error)
	EditCount(ctx context.Context, title string) (int, error)
	avatar.AssetFetcher
}

// Server answers the Fediverse: WebFinger, NodeInfo, actors, collections
// and inboxes.
type Server struct {
	cfg       Config
	iris      actors.IRIs
	wiki      WikiReader
	store     store.Store
	keys      *actors.Keys
	resolver  *actors.Resolver
	remote    *remote.Remote
	log       *slog.Logger
	docs      *actors.Documents
	pub       *publish.Publisher
	queue     *delivery.Outbox
	talk      *talk.Writer
	blocks    *remote.BlockList
	onSigned  func(host string)
	onEnqueue func()
	avatars   *avatar.Source
	inbox     *inbox.Handler
}

// NewServer wires the federation side over a wiki, a store and an HTTP
// client for outbound requests.
func NewServer(cfg Config, w WikiReader, st store.Store, client *http.Client) *Server {
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	iris := actors.IRIs{Base: strings.TrimSuffix(cfg.PublicURL, "/")}
	keys := actors.NewKeys(st)
	fetcher := remote.NewRemote(client, keys, iris, cfg.UserAgent)
	s := &Server{
		cfg: cfg, iris: iris, wiki: w, store: st, keys: keys,
		resolver: actors.NewResolver(w, st, keys, iris, cfg.CacheTTL),
		remote:   fetcher,
		log:      cfg.Logger,
	}
	s.talk = talk.New(cfg.Talk, w, st, iris, cfg.Logger)
	s.blocks = remote.NewBlockList(st, cfg.Blocks)
	s.avatars = avatar.New(w, w.Site().Logo, w.Site().SiteName, cfg.Logger)
	s.docs = actors.NewDocuments(keys, iris, s.avatars, actors.DocOptions{
		Discoverable: cfg.Discoverable, Indexable: cfg.Indexable, SiteName: w.Site().SiteName,
	}, cfg.CacheTTL)
	if pw, ok := w.(actors.ProfileWiki); ok {
		s.docs.WithProfiles(actors.NewProfiles(pw, st, cfg.Logger))
	}
	s.resolver.SetWikiAccount(wikiAccountHandle(w.Site(), cfg.WikiAccount))
	if cfg.ProfileUpdateEvery <= 0 {
		s.cfg.ProfileUpdateEvery = time.Hour
	}
	s.queue = delivery.NewOutbox(st, func() {
		if s.onEnqueue != nil {
			s.onEnqueue()
		}
	})
	s.pub = publish.New(publish.Config{
		PublicTimelines: cfg.PublicTimelines, Coalesce: cfg.Coalesce,
		WikiAccountNamespaces: cfg.WikiAccountNamespaces, ProfileUpdateEvery: s.cfg.ProfileUpdateEvery,
	}, publish.Deps{
		Wiki: w, Store: st, Queue: s.queue, Resolver: s.resolver, Docs: s.docs, Blocks: s.blocks, IRIs: iris, Logger: cfg.Logger,
	})
	s.inbox = inbox.New(inbox.Config{AllowPrivate: cfg.AllowPrivate, Limits: cfg.Limits}, inbox.Deps{
		Store: st, Wiki: w, Keys: keys, Resolver: s.resolver, Remote: fetcher, Verifier: httpsig.NewVerifier(fetcher),
		Blocks: s.blocks, Talk: s.talk, Queue: s.queue, IRIs: iris, Logger: cfg.Logger, Registry: cfg.Registry,
		Revive: func(host string) {
			if s.onSigned != nil {
				s.onSigned(host)
			}
		},
	})
	return s
}

// NoWikiAccount, given as Config.WikiAccount, turns the wiki's account off.
const NoWikiAccount = "off"

// wikiAccountHandle is the wiki account's handle: the one configured, by
// default the wiki's name made a handle ("Example Wiki": example_wiki).
func wikiAccountHandle(site *wiki.SiteInfo, configured string) string {
	switch h := handle.Canonical(configured); h {
	case NoWikiAccount:
		return ""
	case "":
		return handle.ForPage(site, site.SiteName)
	default:
		return h
	}
}

// OnSignedRequest sets f to be called with the host of every remote actor
// whose signed request to one of our inboxes verified: serve wires this to
// (*Deliverer).Revive. Set it before serving.
func (s *Server) OnSignedRequest(f func(host string)) { s.onSigned = f }

// OnEnqueue sets f to be called after deliveries are queued: serve wires
// it to (*Deliverer).Wake, so posts leave at once. Set it before serving.
func (s *Server) OnEnqueue(f func()) { s.onEnqueue = f }

// InboxGone forgets the followers behind an inbox that answered 410.
func (s *Server) InboxGone(ctx context.Context, in string) { s.inbox.InboxGone(ctx, in) }

// Publisher returns the server's publisher, the watcher's handler.
func (s *Server) Publisher() *publish.Publisher { return s.pub }

// NewSweeper returns a sweeper over the server's posts and actors.
func (s *Server) NewSweeper(cfg publish.SweepConfig) *publish.Sweeper {
	return publish.NewSweeper(s.pub, cfg)
}

// RunTalkWriter writes replies to the wiki's talk pages until ctx ends.
func (s *Server) RunTalkWriter(ctx context.Context) { s.talk.Run(ctx) }

// Blocks is the moderation list.
func (s *Server) Blocks() *remote.BlockList { return s.blocks }

// Keys exposes the key source, for the deliverer.
func (s *Server) Keys() *actors.Keys { return s.keys }

// IRIs exposes the id scheme.
func (s *Server) IRIs() actors.IRIs { return s.iris }

// Routes registers the federation endpoints on mux.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/webfinger", s.webfinger)
	mux.HandleFunc("GET /.well-known/host-meta", s.hostMeta)
	mux.HandleFunc("GET /.well-known/nodeinfo", s.nodeinfoLinks)
	mux.HandleFunc("GET /nodeinfo/2.0", s.nodeinfo)
	mux.HandleFunc("GET /{at}", s.profile) // /@handle; a wildcard must be a whole segment
	mux.HandleFunc("GET /follow", s.followRedirect)
	mux.HandleFunc("GET /follow-page", s.followByTitle)
	// The wiki's own page URLs, for a proxy that sends ActivityPub requests
	// for them here (see the README's deployment section).
	site := s.wiki.Site()
	if prefix, _, ok := strings.Cut(site.ArticlePath, "$1"); ok && strings.HasSuffix(prefix, "/") && prefix != "/" && !strings.HasPrefix(prefix, "/ap/") {
		mux.HandleFunc("GET "+prefix+"{title...}", s.wikiPage)
	}
	if site.Script != "" && strings.HasPrefix(site.Script, "/") {
		mux.HandleFunc("GET "+site.Script, s.wikiPage)
	}
	mux.HandleFunc("GET /ap/avatar", s.avatar)
	mux.HandleFunc("GET /ap/instance", s.actor)
	// Every collection an actor advertises answers, the instance's too:
	// GoToSocial counts them and logs each 404.
	mux.HandleFunc("GET /ap/instance/followers", s.followers)
	mux.HandleFunc("GET /ap/instance/following", s.following)
	mux.HandleFunc("GET /ap/instance/outbox", s.outbox)
	mux.HandleFunc("GET /ap/instance/featured", s.featured)
	// The whole wiki's account, when there is one.
	wikiRef := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { r.SetPathValue("kind", string(actors.KindWiki)); h(w, r) }
	}
	mux.HandleFunc("GET /ap/wiki", wikiRef(s.actor))
	mux.HandleFunc("GET /ap/wiki/followers", wikiRef(s.followers))
	mux.HandleFunc("GET /ap/wiki/following", wikiRef(s.following))
	mux.HandleFunc("GET /ap/wiki/outbox", wikiRef(s.outbox))
	mux.HandleFunc("GET /ap/wiki/featured", wikiRef(s.featured))
	mux.Handle("POST /ap/wiki/inbox", s.inbox)
	mux.HandleFunc("GET /ap/{kind}/{id}/featured", s.featured)
	mux.HandleFunc("GET /ap/{kind}/{id}", s.actor)
	mux.HandleFunc("GET /ap/{kind}/{id}/followers", s.followers)
	mux.HandleFunc("GET /ap/{kind}/{id}/following", s.following)
	mux.HandleFunc("GET /ap/{kind}/{id}/outbox", s.outbox)
	mux.HandleFunc("GET /ap/rev/{id}", s.revisionObject)
	mux.HandleFunc("GET /ap/{kind}/{id}/{collection}", s.interactionCollection)
	mux.HandleFunc("GET /ap/log/{id}", s.withdrawnOrMissing)
	mux.HandleFunc("GET /ap/rc/{id}", s.withdrawnOrMissing)
	mux.Handle("POST /ap/inbox", s.inbox)
	mux.Handle("POST /ap/instance/inbox", s.inbox)
	mux.Handle("POST /ap/{kind}/{id}/inbox", s.inbox)
}

// refFromPath reads the actor named by a request path.
func (s *Server) refFromPath(r *http.Request) (actors.Ref, bool) {
	switch r.PathValue("kind") {
	case "":
		return actors.Ref{Kind: actors.KindInstance}, true
	case string(actors.KindWiki):
		return actors.Ref{Kind: actors.KindWiki}, true
	}
	return actors.ParseRef(r.PathValue("kind") + "/" + r.PathValue("id"))
}

func (s *Server) actor(w http.ResponseWriter, r *http.Request) {
	if wantsHTML(r) {
		// A person opening the actor id gets the follow page (HTML errors too).
		s.followPageForRef(w, r)
		return
	}
	ref, ok := s.refFromPath(r)
	if !ok {
		writeError(w, http.StatusNotFound, "no such actor")
		return
	}
	a, err := s.resolver.ByRef(r.Context(), ref)
	if err != nil {
		s.actorError(w, r, err)
		return
	}
	doc, err := s.actorDoc(r.Context(), a)
	if err != nil {
		s.internalError(w, r, err)
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
func (s *Server) profile(w http.ResponseWriter, r *http.Request) {
	h, ok := strings.CutPrefix(r.PathValue("at"), "@")
	if !ok || h == "" {
		http.NotFound(w, r)
		return
	}
	if !isAPAccept(r.Header.Get("Accept")) {
		s.followPageForHandle(w, r, h)
		return
	}
	a, err := s.resolver.ByHandle(r.Context(), h)
	if err != nil {
		s.actorError(w, r, err)
		return
	}
	http.Redirect(w, r, s.iris.Actor(a.Ref), http.StatusFound)
}

// actorDoc renders (or takes from the cache) an actor's document.
func (s *Server) actorDoc(ctx context.Context, a *actors.Actor) ([]byte, error) {
	return s.docs.Get(ctx, a)
}

// host is the handle domain.
func (s *Server) host() string { return s.iris.Host() }

// avatar serves the avatar image; its URL carries the version, so it may
// be cached for long.
func (s *Server) avatar(w http.ResponseWriter, r *http.Request) {
	img := s.avatars.Get(r.Context())
	w.Header().Set("Content-Type", img.MediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(img.Body)))
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("ETag", `"`+img.Version+`"`)
	w.Write(img.Body)
}

// WarmAvatar reads the wiki's logo once, so that the first actor document
// does not wait for it (drawing an SVG logo can take a second).
func (s *Server) WarmAvatar(ctx context.Context) { s.avatars.Get(ctx) }

// actorError maps resolution errors to statuses: 404 unknown, 410 gone,
// 301 to a redirect's target, 503 when the wiki cannot be asked.
func (s *Server) actorError(w http.ResponseWriter, r *http.Request, err error) {
	var re *actors.RedirectError
	switch {
	case errors.As(err, &re):
		target := s.iris.Actor(re.Target)
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
		s.log.WarnContext(r.Context(), "the wiki could not be asked", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "30")
		writeError(w, http.StatusServiceUnavailable, "the wiki is not answering; try again later")
	}
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
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
