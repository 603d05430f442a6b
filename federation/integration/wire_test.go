package integration

import (
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/inbox"
	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/talk"
	"github.com/wikipub/wikipub/federation/web"
	"github.com/wikipub/wikipub/internal/fedwire"
)

// fedConfig is what a test tells the federation side: fedwire.Config
// with the publisher's options flattened as the tests set them.
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

// fedSide is the federation side wired by fedwire.Wire, as serve wires
// it; its methods are what the tests drive it by.
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

// wire is fedwire.Wire, the one wiring serve uses too, with the test's
// flattened options.
func wire(cfg fedConfig, w fedwire.Wiki, st store.Store, client *http.Client) *fedSide {
	side := fedwire.Wire(fedwire.Config{
		PublicURL: cfg.PublicURL, Discoverable: cfg.Discoverable, Indexable: cfg.Indexable,
		Version: cfg.Version, UserAgent: cfg.UserAgent,
		Publish: publish.Config{
			PublicTimelines: cfg.PublicTimelines, Coalesce: cfg.Coalesce,
			WikiAccountNamespaces: cfg.WikiAccountNamespaces, ProfileUpdateEvery: cfg.ProfileUpdateEvery,
			ExcerptPages: cfg.ExcerptPages, ExcerptNamespaces: cfg.ExcerptNamespaces,
		},
		Talk: cfg.Talk, Blocks: cfg.Blocks, WikiAccount: cfg.WikiAccount, CacheTTL: cfg.CacheTTL,
		Limits: cfg.Limits, AllowPrivate: cfg.AllowPrivate, Delivery: cfg.Delivery,
		Logger: cfg.Logger, Registry: cfg.Registry, Queue: cfg.Queue,
	}, w, st, client)
	return &fedSide{iris: side.IRIs, keys: side.Keys, blocks: side.Blocks, pub: side.Publisher, talk: side.Talk,
		inbox: side.Inbox, web: side.Web, deliverer: side.Deliverer}
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
