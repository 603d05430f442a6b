package fedwire

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/avatar"
	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/httpsig"
	"github.com/wikipub/wikipub/federation/inbox"
	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/talk"
	"github.com/wikipub/wikipub/federation/web"
)

// Config is what the command (or a test) tells the federation side, read
// once from the flags and the environment by cmd/wikipub.
type Config struct {
	// PublicURL is the base URL the Fediverse reaches us at.
	PublicURL string
	// Discoverable and Indexable are copied into every actor.
	Discoverable, Indexable bool
	// Version and UserAgent name this build.
	Version, UserAgent string
	Publish            publish.Config
	Talk               talk.Config
	// Blocks are domains and actor ids blocked by configuration.
	Blocks []string
	// WikiAccount is the handle of the whole wiki's account, which boosts
	// every new page: "" for the wiki's name, actors.NoWikiAccount for none.
	WikiAccount string
	// CacheTTL bounds how stale a cached actor may be; default 1 min.
	CacheTTL time.Duration
	Limits   inbox.Limits
	// AllowPrivate is the list given to remote.NewHTTPClient: the internal
	// ranges a follower's inbox may be on.
	AllowPrivate []netip.Prefix
	Delivery     delivery.Config
	Logger       *slog.Logger
	// Registry receives the inbox's and the deliverer's metrics.
	Registry prometheus.Registerer
	// Queue, when set, is what the deliverer claims from instead of the
	// store (a benchmark traces claims through it).
	Queue delivery.Queue
}

// Wiki is everything the federation packages read of the wiki, each
// through its own small interface; *wiki.Client has all of it.
type Wiki interface {
	actors.Wiki
	avatar.AssetFetcher
	publish.Wiki
	talk.Reader
	inbox.Wiki
	web.Wiki
}

// Side is the federation packages wired together. Nothing in them points
// back here: each got exactly what it uses.
type Side struct {
	IRIs      actors.IRIs
	Keys      *actors.Keys
	Blocks    *remote.BlockList
	Publisher *publish.Publisher
	Talk      *talk.Writer
	Inbox     *inbox.Handler
	Web       *web.Endpoints
	Deliverer *delivery.Deliverer
}

// Wire makes every part of the federation side once, over the wiki, the
// store and the one outbound client, and hands each the others it uses.
// It is the only place that knows them all: `wikipub serve` and the
// integration tests run what it makes.
func Wire(cfg Config, w Wiki, st store.Store, client *http.Client) *Side {
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Publish.ProfileUpdateEvery <= 0 {
		cfg.Publish.ProfileUpdateEvery = time.Hour
	}
	log := cfg.Logger
	iris := actors.IRIs{Base: strings.TrimSuffix(cfg.PublicURL, "/")}
	keys := actors.NewKeys(st)
	fetcher := remote.NewRemote(client, keys, iris, cfg.UserAgent)
	resolver := actors.NewResolver(w, st, keys, iris, cfg.CacheTTL)
	blocks := remote.NewBlockList(st, cfg.Blocks)
	site := w.Site()
	avatars := avatar.New(w, site.Logo, site.SiteName, log)
	docs := actors.NewDocuments(keys, iris, avatars, actors.DocOptions{
		Discoverable: cfg.Discoverable, Indexable: cfg.Indexable, SiteName: site.SiteName,
	}, cfg.CacheTTL)
	if pw, ok := w.(actors.ProfileWiki); ok {
		docs.WithProfiles(actors.NewProfiles(pw, st, log))
	}
	resolver.SetWikiAccount(actors.WikiAccountHandle(site, cfg.WikiAccount))

	// The deliverer forgets the followers behind an inbox that answers 410
	// through the inbox, which is made below with the deliverer's Revive.
	var in *inbox.Handler
	dcfg := cfg.Delivery
	dcfg.Gone = func(ctx context.Context, inbox string) { in.InboxGone(ctx, inbox) }
	if dcfg.Logger == nil {
		dcfg.Logger = log
	}
	var q delivery.Queue = st
	if cfg.Queue != nil {
		q = cfg.Queue
	}
	deliverer := delivery.NewDeliverer(q, keys, client, dcfg)
	queue := delivery.NewOutbox(st, deliverer.Wake)

	tw := talk.New(cfg.Talk, w, st, iris, log)
	// *wiki.Client gives posts their extras (language, hashtags, excerpts,
	// lead images); a wiki without them (a test's) gives none.
	pages, _ := w.(publish.Pages)
	pub := publish.New(cfg.Publish, publish.Deps{
		Wiki: w, Pages: pages, Store: st, Queue: queue, Resolver: resolver, Docs: docs, Blocks: blocks, IRIs: iris, Logger: log,
	})
	in = inbox.New(inbox.Config{AllowPrivate: cfg.AllowPrivate, Limits: cfg.Limits}, inbox.Deps{
		Store: st, Wiki: w, Keys: keys, Resolver: resolver, Remote: fetcher, Verifier: httpsig.NewVerifier(fetcher),
		Blocks: blocks, Talk: tw, Queue: queue, IRIs: iris, Logger: log, Registry: cfg.Registry,
		Revive: deliverer.Revive,
	})
	endpoints := web.New(web.Config{Version: cfg.Version}, web.Deps{
		Wiki: w, Store: st, Resolver: resolver, Docs: docs, Posts: pub, Avatars: avatars, Inbox: in, IRIs: iris, Logger: log,
	})
	return &Side{IRIs: iris, Keys: keys, Blocks: blocks, Publisher: pub, Talk: tw, Inbox: in, Web: endpoints, Deliverer: deliverer}
}
