package inbox

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/internal/ttlcache"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// Config is the admin's choice of what the inbox accepts.
type Config struct {
	// AllowPrivate lists the internal ranges a follower's inbox may be on
	// (the ones remote.NewHTTPClient was given); a Follow naming any other
	// internal address is refused at once.
	AllowPrivate []netip.Prefix
	// Limits bound what remotes can make us do (limits.go).
	Limits Limits
}

// Store is the part of the store the inbox changes: dedupe marks,
// followers, and the interactions (replies, mentions, likes, boosts) it
// keeps; it reads published posts to know what may be answered.
type Store interface {
	MarkSeen(ctx context.Context, activityID string, ttl time.Duration) (first bool, err error)
	ForgetSeen(ctx context.Context, activityID string) error
	AddFollower(ctx context.Context, actorID string, f store.Follower) (added bool, err error)
	RemoveFollower(ctx context.Context, actorID, followerID string) (removed bool, err error)
	RemoveFollowerEverywhere(ctx context.Context, followerID string) (int, error)
	RemoveFollowersByInbox(ctx context.Context, inbox string) (int, error)
	Follows(ctx context.Context, followerID string) (map[string]store.Follower, error)
	AddInteraction(ctx context.Context, i store.Interaction) (added bool, err error)
	GetInteraction(ctx context.Context, id string) (store.Interaction, error)
	RemoveInteraction(ctx context.Context, id string) error
	PublishedPost(ctx context.Context, objectID string) (store.Published, error)
}

// Wiki is what the inbox reads of the wiki: whether a revision a reply
// answers exists (its post is built on demand). *wiki.Client satisfies it.
type Wiki interface {
	Revisions(ctx context.Context, ids []int64) (map[int64]wiki.Revision, error)
}

// Remote fetches a remote actor (refresh skips the cache);
// *remote.Remote is one.
type Remote interface {
	Actor(ctx context.Context, id string, refresh bool) (*activity.RemoteActor, error)
}

// Verifier checks a request's HTTP signature and says whose key signed
// it; *httpsig.Verifier is one.
type Verifier interface {
	Verify(ctx context.Context, r *http.Request, body []byte) (owner string, err error)
}

// Keys makes sure the actor an Accept or Reject is signed as has a key
// before its delivery is queued; *actors.Keys is one.
type Keys interface {
	Get(ctx context.Context, actorID string) (*actors.Key, error)
}

// Blocker says whether an actor or its server is blocked;
// *remote.BlockList is one.
type Blocker interface {
	Blocked(ctx context.Context, id string) bool
}

// Talk is where replies and mentions may reach the wiki; *talk.Writer is
// one.
type Talk interface {
	ReplyTalkPage(ctx context.Context, objectID string) string
	UserTalkPage(name string) string
	Schedule(ctx context.Context, i store.Interaction) store.Interaction
	Report(ctx context.Context, id, from, content, object string) error
}

// Enqueuer queues an Accept or Reject durably and wakes the deliverer;
// *delivery.Outbox is one.
type Enqueuer interface {
	Enqueue(ctx context.Context, ds ...store.Delivery) error
}

// Deps is what the inbox works with, each made once by cmd/wikipub.
type Deps struct {
	Store    Store
	Wiki     Wiki
	Keys     Keys
	Resolver *actors.Resolver
	Remote   Remote
	Verifier Verifier
	Blocks   Blocker
	Talk     Talk
	Queue    Enqueuer
	IRIs     actors.IRIs
	Logger   *slog.Logger
	// Registry receives the refusal counters; nil for none.
	Registry prometheus.Registerer
	// Revive, when set, is called with the host of every remote actor
	// whose signed request verified (see revive.go).
	Revive func(host string)
}

// Handler is every inbox of ours (the shared one, the instance's, each
// actor's): it answers POSTs with ServeHTTP.
type Handler struct {
	cfg      Config
	iris     actors.IRIs
	store    Store
	wiki     Wiki
	keys     Keys
	resolver *actors.Resolver
	remote   Remote
	verifier Verifier
	blocks   Blocker
	talk     Talk
	queue    Enqueuer
	log      *slog.Logger
	onSigned func(host string)
	// trust decides what inbound requests may make us believe (trust.go);
	// refusals answers, logs and counts what the inbox turns down.
	trust    trust
	refusals *refusals
	// What remotes may cost us (limits.go): activities per host, reports,
	// and caches of what they asked for that is not there.
	inboxRate, reportsPerHost, reportsAll *buckets
	posts                                 *ttlcache.Cache[string, bool]
	mentionMisses                         *ttlcache.Cache[actors.Ref, struct{}]
}

// New returns the inbox handler.
func New(cfg Config, d Deps) *Handler {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	h := &Handler{
		cfg: cfg, iris: d.IRIs, store: d.Store, wiki: d.Wiki, keys: d.Keys, resolver: d.Resolver,
		remote: d.Remote, verifier: d.Verifier, blocks: d.Blocks, talk: d.Talk, queue: d.Queue,
		log: d.Logger, onSigned: d.Revive,
		trust:    newTrust(d.IRIs.Base),
		refusals: newRefusals(d.Logger, d.Registry),
	}
	lim := cfg.Limits.withDefaults()
	h.inboxRate = newBuckets(lim.InboxBurst, time.Minute/time.Duration(lim.InboxPerMinute))
	h.reportsPerHost = newBuckets(lim.ReportsPerHost, time.Hour/time.Duration(lim.ReportsPerHost))
	h.reportsAll = newBuckets(lim.ReportsPerHour, time.Hour/time.Duration(lim.ReportsPerHour))
	h.posts = ttlcache.New[string, bool](time.Minute, 100_000)
	h.mentionMisses = ttlcache.New[actors.Ref, struct{}](10*time.Minute, 100_000)
	return h
}
