package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/inbox"
	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/federation/store/redisstore"
	"github.com/wikipub/wikipub/federation/talk"
	"github.com/wikipub/wikipub/internal/fedwire"
	"github.com/wikipub/wikipub/wiki"
)

// serve wires the parts together and runs until ctx ends (SIGTERM).
func serve(ctx context.Context, cfg *serveConfig, logOut io.Writer) error {
	log := newLogger(cfg, logOut)
	log.Info("starting wikipub", "version", version, "wiki", cfg.Wiki, "public_url", cfg.PublicURL)

	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()

	client, err := wiki.New(ctx, wiki.Config{
		API:         cfg.Wiki,
		UserAgent:   fmt.Sprintf("wikipub/%s (+%s)", version, cfg.PublicURL),
		BotUser:     cfg.BotUser,
		BotPassword: cfg.BotPassword,
		Logger:      log,
	})
	if err != nil {
		return err
	}
	site := client.Site()
	log.Info("connected to the wiki", "site", site.SiteName, "server", site.Server, "generator", site.Generator)

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	ua := fmt.Sprintf("wikipub/%s (+%s)", version, cfg.PublicURL)
	outbound := remote.NewHTTPClient(cfg.AllowPrivate)
	reg := prometheus.NewRegistry()
	fed := fedwire.Wire(fedwire.Config{
		PublicURL: cfg.PublicURL, Discoverable: cfg.Discoverable, Indexable: cfg.Indexable,
		Blocks: cfg.Blocks,
		Talk: talk.Config{
			Wiki: talkWiki(client), Namespaces: cfg.TalkNamespaces, Window: cfg.TalkWindow, DailyCap: cfg.TalkDailyCap,
			PerActorHour: cfg.TalkPerActor, PerDomainHour: cfg.TalkPerDomain, ReportsPage: cfg.ReportsPage,
		},
		Limits: inbox.Limits{
			InboxPerMinute: cfg.InboxPerMinute, InboxBurst: cfg.InboxBurst,
			ReportsPerHost: cfg.ReportsPerHost, ReportsPerHour: cfg.ReportsPerHour,
		},
		AllowPrivate: cfg.AllowPrivate,
		Delivery: delivery.Config{
			Workers: cfg.Workers, UserAgent: ua, Logger: log, Registry: reg,
			PostTimeout: cfg.DeliveryTimeout, Lease: cfg.DeliveryLease, MaxAttempts: cfg.DeliveryTries,
			Backoff: retrySchedule(cfg.RetryUnit, cfg.RetryBase),
		},
		WikiAccount: cfg.WikiAccount,
		Publish: publish.Config{PublicTimelines: cfg.PublicTimelines, Coalesce: cfg.Coalesce,
			WikiAccountNamespaces: cfg.WikiAccountNamespaces, ProfileUpdateEvery: cfg.ProfileUpdateEvery,
			ExcerptPages: cfg.ExcerptPages, ExcerptNamespaces: cfg.ExcerptNamespaces},
		Version: version, UserAgent: ua, Logger: log, Registry: reg,
	}, client, st, outbound)
	ops := newOpsMetrics(reg)
	deliverer := fed.Deliverer
	deliveryCtx, stopDelivery := context.WithCancel(ctx)
	deliveryDone := make(chan struct{})
	go func() { deliverer.Run(deliveryCtx); close(deliveryDone) }()
	defer func() { stopDelivery(); <-deliveryDone }()

	mux := http.NewServeMux()
	go fed.Web.WarmAvatar(ctx)
	fed.Web.Routes(mux)
	opsRoutes(mux, reg, readiness{store: st, wiki: func(ctx context.Context) error {
		_, err := client.PageByID(ctx, 1)
		if errors.Is(err, wiki.ErrNotFound) {
			return nil // the wiki answered
		}
		return err
	}})
	srv := newHTTPServer(requestLog(log, mux), cfg)
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(ln) }()
	log.Info("serving HTTP", "addr", ln.Addr().String())

	wake := make(chan struct{}, 1)
	if cfg.RCUDP != "" {
		if err := wiki.ListenRCFeed(ctx, cfg.RCUDP, wake, log); err != nil {
			return err
		}
	}
	talkDone := make(chan struct{})
	go func() { fed.Talk.Run(deliveryCtx); close(talkDone) }()
	defer func() { stopDelivery(); <-talkDone }()

	sweeper := publish.NewSweeper(fed.Publisher, publish.SweepConfig{Window: cfg.SweepWindow, Every: cfg.SweepEvery, Wiki: client, Logger: log})
	sweepDone := make(chan struct{})
	go func() { sweeper.Run(deliveryCtx); close(sweepDone) }()
	defer func() { stopDelivery(); <-sweepDone }()

	w := wiki.NewWatcher(client, cursorStore{st}, publishChanges(log, fed.Publisher, ops), wiki.WatcherConfig{
		Poll:       cfg.Poll,
		Overlap:    cfg.RCOverlap,
		LateWindow: cfg.RCLateWin,
		LateSweep:  cfg.RCLateSweep,
		Start:      site.Time,
		Filter:     wiki.Filter{Namespaces: cfg.Namespaces, IncludeBots: cfg.IncludeBots, SkipMinor: cfg.SkipMinor},
		Wake:       wake,
		Logger:     log,
	})
	watchErr := runWithLease(ctx, st, holderID(), log, w.Run)

	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("HTTP shutdown", "err", err)
	}
	if err := <-httpDone; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("HTTP server: %w", err)
	}
	if watchErr != nil {
		return watchErr
	}
	log.Info("stopped cleanly")
	return nil
}

// retrySchedule is Mastodon's n⁴ + 15 s (with up to a quarter of jitter),
// in configurable units so tests and impatient admins can compress it.
func retrySchedule(unit, base time.Duration) func(int) time.Duration {
	return func(n int) time.Duration {
		d := time.Duration(n*n*n*n)*unit + base
		return d + rand.N(d/4+1)
	}
}

// talkWiki writes replies with the bot account; without a bot password
// there is nobody to write as, and replies are only kept.
func talkWiki(c *wiki.Client) talk.Wiki {
	if !c.LoggedIn() {
		return nil
	}
	return c
}

func openStore(ctx context.Context, cfg *serveConfig) (store.Store, error) {
	if cfg.Redis != "" {
		return redisstore.Open(ctx, cfg.Redis)
	}
	return boltstore.Open(cfg.Data)
}

// cursorStore lets the watcher use the store without the wiki package
// knowing it: it maps the store's "not found" to the watcher's.
type cursorStore struct{ store.Store }

func (c cursorStore) Cursor(ctx context.Context, name string) ([]byte, error) {
	b, err := c.Store.Cursor(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, wiki.ErrNoCursor
	}
	return b, err
}

// publishChanges publishes changes, then logs each (at debug level): a
// logged change is a handled one.
func publishChanges(log *slog.Logger, pub *publish.Publisher, ops *opsMetrics) wiki.Handler {
	return func(ctx context.Context, changes []wiki.Change) error {
		if err := pub.Handle(ctx, changes); err != nil {
			return err
		}
		if len(changes) > 0 {
			ops.observe(changes[len(changes)-1].Timestamp, len(changes))
		}
		for i := range changes {
			logChange(ctx, log, &changes[i])
		}
		return nil
	}
}

// logChange writes one handled change at debug level. An IP editor's
// address is not logged: the wiki shows it, but a log is kept, copied and
// shipped where the wiki's own privacy rules (and later hiding) do not
// reach; that the editor was unregistered is enough.
func logChange(ctx context.Context, log *slog.Logger, c *wiki.Change) {
	if !log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	user := c.User
	if c.Anonymous {
		user = ""
	}
	attrs := []slog.Attr{
		slog.Int64("rcid", c.RCID), slog.String("kind", string(c.Kind)),
		slog.Time("ts", c.Timestamp), slog.Int("ns", c.Namespace), slog.String("title", c.Title),
		slog.Int64("pageid", c.PageID), slog.Int64("revid", c.RevID), slog.Int64("old_revid", c.OldRevID),
		slog.String("user", user), slog.Int64("userid", c.UserID), slog.Bool("anon", c.Anonymous),
		slog.String("comment", c.Comment), slog.Int("size_delta", c.SizeDelta()),
		slog.Bool("minor", c.Minor), slog.Bool("bot", c.Bot),
	}
	if c.LogType != "" {
		attrs = append(attrs, slog.Int64("logid", c.LogID), slog.String("logtype", c.LogType), slog.String("logaction", c.LogAction))
	}
	if c.Move != nil {
		attrs = append(attrs, slog.String("target_title", c.Move.TargetTitle))
	}
	if rd := c.RevisionDelete; rd != nil {
		attrs = append(attrs, slog.String("rd_type", rd.Type), slog.Any("rd_ids", rd.IDs), slog.Int("rd_new", int(rd.New)))
	}
	if c.UserHidden || c.CommentHidden || c.ContentHidden {
		attrs = append(attrs, slog.Bool("userhidden", c.UserHidden), slog.Bool("commenthidden", c.CommentHidden), slog.Bool("contenthidden", c.ContentHidden))
	}
	log.LogAttrs(ctx, slog.LevelDebug, "change", attrs...)
}

func newLogger(cfg *serveConfig, out io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(out, opts))
	}
	return slog.New(slog.NewTextHandler(out, opts))
}
