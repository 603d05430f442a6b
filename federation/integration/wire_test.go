package integration

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

// fedConfig is what a test tells the federation side: cmd/wikipub's
// fedConfig, with the publisher's options flattened as the tests set them,
// and the queue the deliverer claims from (nil: the store).
type fedConfig struct {
	PublicURL               string
	Discoverable, Indexable bool
	Version, UserAgent      string
	Coalesce                time.Duration
	ExcerptPages            []string
	ExcerptNamespaces       []int
	PublicTimelines         bool
	Talk                    talk.Config
	Blocks                  []string
	WikiAccount             string
	WikiAccountNamespaces   []int
	ProfileUpdateEvery      time.Duration
	CacheTTL                time.Duration
	Limits                  inbox.Limits
	AllowPrivate            []netip.Prefix
	Delivery                delivery.Config
	Logger                  *slog.Logger
	Registry                prometheus.Registerer
	// Queue, when set, is what the deliverer claims from instead of the
	// store (a benchmark traces claims through it).
	Queue delivery.Queue
}

// fedWiki is everything the federation packages read of the wiki.
type fedWiki interface {
	actors.Wiki
	avatar.AssetFetcher
	publish.Wiki
	talk.Reader
	inbox.Wiki
	web.Wiki
}

// fedSide is the federation side wired; its methods are what the tests
// drive it by.
type fedSide struct {
	iris      actors.IRIs
	keys      *actors.Keys
	blocks    *remote.BlockList
	pub       *publish.Publisher
	talk      *talk.Writer
	inbox     *inbox.Handler
	web       *web.Endpoints
	deliverer *delivery.Deliverer
}

// wire makes every part once and hands each the others it uses, exactly
// as cmd/wikipub's wireFederation does (keep the two in step).
func wire(cfg fedConfig, w fedWiki, st store.Store, client *http.Client) *fedSide {
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ProfileUpdateEvery <= 0 {
		cfg.ProfileUpdateEvery = time.Hour
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
	// The real wiki gives posts their extras; the in-memory ones have none.
	pages, _ := w.(publish.Pages)
	pub := publish.New(publish.Config{
		PublicTimelines: cfg.PublicTimelines, Coalesce: cfg.Coalesce,
		WikiAccountNamespaces: cfg.WikiAccountNamespaces, ProfileUpdateEvery: cfg.ProfileUpdateEvery,
		ExcerptPages: cfg.ExcerptPages, ExcerptNamespaces: cfg.ExcerptNamespaces,
	}, publish.Deps{
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
	return &fedSide{iris: iris, keys: keys, blocks: blocks, pub: pub, talk: tw, inbox: in,
		web: endpoints, deliverer: deliverer}
}

// Routes mounts the endpoints, as serve does.
func (f *fedSide) Routes(mux *http.ServeMux) { f.web.Routes(mux) }

// Publisher is the watcher's handler.
func (f *fedSide) Publisher() *publish.Publisher { return f.pub }

// NewSweeper makes a sweeper over the publisher, as serve does.
func (f *fedSide) NewSweeper(cfg publish.SweepConfig) *publish.Sweeper {
	return publish.NewSweeper(f.pub, cfg)
}

// Keys is our actors' keys.
func (f *fedSide) Keys() *actors.Keys { return f.keys }

// IRIs is the id scheme.
func (f *fedSide) IRIs() actors.IRIs { return f.iris }

// Blocks is the moderation list.
func (f *fedSide) Blocks() *remote.BlockList { return f.blocks }
