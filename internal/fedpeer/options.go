package fedpeer

import (
	"crypto/rsa"
	"net/http"
	"time"
)

// Option configures a Peer; options exist so tests can make the peer
// misbehave or behave like a specific server.
type Option func(*config)

// FollowPolicy says how the peer answers a Follow of its user.
type FollowPolicy int

const (
	// FollowRecord only records incoming Follows; the test answers them itself.
	FollowRecord FollowPolicy = iota
	// FollowAccept answers each verified Follow with a signed Accept, like an unlocked account.
	FollowAccept
	// FollowReject answers each verified Follow with a signed Reject.
	FollowReject
)

type config struct {
	username           string
	followPolicy       FollowPolicy
	requireSignedFetch bool
	scheme             string
	client             *http.Client
	now                func() time.Time
	key                *rsa.PrivateKey
	mutateActor        func(doc map[string]any, r *http.Request)
	mutateWebFinger    func(jrd map[string]any, r *http.Request)
	middleware         func(http.Handler) http.Handler
	inboxStatus        func(Delivery) int
}

func defaultConfig() config {
	return config{username: "alice", scheme: "http", now: time.Now}
}

// WithUsername names the local user; it is served verbatim (even if not
// canonical) so negative tests can check how others treat odd names.
func WithUsername(name string) Option { return func(c *config) { c.username = name } }

// WithFollowPolicy makes the peer accept or reject Follows of its user
// automatically, like an unlocked or a hostile account.
func WithFollowPolicy(p FollowPolicy) Option { return func(c *config) { c.followPolicy = p } }

// WithRequireSignedFetch makes the peer demand signed GETs for its actor's
// documents, like GoToSocial and authorized-fetch Mastodon. An unsigned GET
// of the actor gets only a key stub, so the key stays fetchable unsigned.
func WithRequireSignedFetch() Option { return func(c *config) { c.requireSignedFetch = true } }

// WithScheme sets the scheme for WebFinger look-ups ("http" by default,
// since test servers run without TLS; real servers use https).
func WithScheme(scheme string) Option { return func(c *config) { c.scheme = scheme } }

// WithHTTPClient replaces the client used for outgoing requests (e.g. one
// trusting a TLS test server). Redirects should not be followed.
func WithHTTPClient(cl *http.Client) Option { return func(c *config) { c.client = cl } }

// WithClock sets the peer's clock, used for Date headers it signs and for
// the Date window it enforces, to test clock skew.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithKey gives the peer a ready key instead of generating RSA-2048, to
// save time or to test weak keys.
func WithKey(k *rsa.PrivateKey) Option { return func(c *config) { c.key = k } }

// WithActorMutator edits every actor document the peer serves, to build a
// fake server that breaks one rule.
func WithActorMutator(f func(doc map[string]any, r *http.Request)) Option {
	return func(c *config) { c.mutateActor = f }
}

// WithWebFingerMutator edits every WebFinger answer the peer serves, to
// build a fake server that breaks one rule.
func WithWebFingerMutator(f func(jrd map[string]any, r *http.Request)) Option {
	return func(c *config) { c.mutateWebFinger = f }
}

// WithMiddleware wraps the peer's HTTP handler, to fake any server
// misbehaviour (status codes, content types, refusing unsigned GETs).
func WithMiddleware(m func(http.Handler) http.Handler) Option {
	return func(c *config) { c.middleware = m }
}

// WithInboxStatus chooses the status answered to each verified delivery
// (202 by default), to test the sender's retries.
func WithInboxStatus(f func(Delivery) int) Option { return func(c *config) { c.inboxStatus = f } }
