package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/httpsig"
	"github.com/wikipub/wikipub/federation/internal/ttlcache"
)

// ErrRemoteGone is a remote actor or key answering 404 or 410.
var ErrRemoteGone = errors.New("remote object is gone")

// ErrBadRemoteID is an id (a keyId, an actor) that cannot be fetched at all.
var ErrBadRemoteID = errors.New("not an http(s) URL")

// Remote fetches remote actors and keys, signed as our instance actor
// (GoToSocial and "authorized fetch" Mastodon require signed GETs), and
// caches them.
type Remote struct {
	client *http.Client
	keys   *actors.Keys
	iris   actors.IRIs
	trust  trust
	ua     string
	cache  *ttlcache.Cache[string, *activity.RemoteActor]
	// keyOwners maps a fragment-less keyId to the owner its document
	// claims; only a claim, confirmed by the owner on every use.
	keyOwners *ttlcache.Cache[string, string]
	// gate limits how often one document is fetched (fetchgate.go).
	gate fetchGate
}

// NewRemote returns a fetcher; userAgent names wikipub, its version and URL.
func NewRemote(client *http.Client, keys *actors.Keys, iris actors.IRIs, userAgent string) *Remote {
	return &Remote{client: client, keys: keys, iris: iris, trust: newTrust(iris.Base), ua: userAgent, cache: ttlcache.New[string, *activity.RemoteActor](time.Hour, 100_000),
		keyOwners: ttlcache.New[string, string](time.Hour, 100_000), gate: newFetchGate()}
}

// Actor returns a remote actor, from the cache unless refresh.
func (r *Remote) Actor(ctx context.Context, id string, refresh bool) (*activity.RemoteActor, error) {
	id = stripFragment(id)
	if refresh && !r.gate.mayRefresh(id) {
		refresh = false // fetched within keyRefreshEvery: what we have is as fresh
	}
	if !refresh {
		if a, ok := r.cache.Get(id); ok {
			return a, nil
		}
	}
	if err := r.gate.failure(id); err != nil {
		return nil, err
	}
	a, err := r.fetchActor(ctx, id)
	r.gate.done(id, err)
	if err != nil {
		return nil, err
	}
	r.cache.Put(id, a)
	return a, nil
}

func (r *Remote) fetchActor(ctx context.Context, id string) (*activity.RemoteActor, error) {
	got, err := r.fetchFrom(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := activity.ParseActor(got.raw, got.doc)
	if err != nil {
		return nil, fmt.Errorf("remote actor %s: %w: %w", id, err, ErrUnreadable)
	}
	if a.ID != id {
		return nil, fmt.Errorf("remote actor %s: its document has id %s: %w", id, a.ID, ErrUnreadable)
	}
	return a, nil
}

// fetched is a remote document: as sent, decoded, and the URL that
// answered it after redirects.
type fetched struct {
	raw   []byte
	doc   map[string]any
	final *url.URL
}

// fetch GETs an ActivityPub document, signed as the instance actor.
func (r *Remote) fetch(ctx context.Context, id string) (map[string]any, error) {
	got, err := r.get(ctx, id)
	if err != nil {
		return nil, err
	}
	return got.doc, nil
}

// fetchFrom GETs a document that must come from id's own host: a redirect
// elsewhere could otherwise serve a document claiming id.
func (r *Remote) fetchFrom(ctx context.Context, id string) (*fetched, error) {
	got, err := r.get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !SameOrigin(id, got.final.String()) {
		return nil, fmt.Errorf("GET %s: answered from another host (%s): %w", id, got.final.Host, ErrUnreadable)
	}
	return got, nil
}

// get does the signed GET and returns the document and the URL that
// answered it, after redirects. A 4xx other than 404, 410, 408 and 429 will
// not change by asking again, nor will an answer that is not JSON: both are
// ErrUnreadable.
func (r *Remote) get(ctx context.Context, id string) (*fetched, error) {
	u, err := url.Parse(id)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%q: %w", id, ErrBadRemoteID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, id, nil)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", id, ErrBadRemoteID)
	}
	req.Header.Set("Accept", `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
	req.Header.Set("User-Agent", r.ua)
	inst := actors.Ref{Kind: actors.KindInstance}
	key, err := r.keys.Get(ctx, r.iris.Actor(inst))
	if err != nil {
		return nil, err
	}
	if err := httpsig.SignGET(req, r.iris.Key(inst), key.Private); err != nil {
		return nil, fmt.Errorf("signing GET %s: %w", id, err)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", id, err)
	}
	defer Drain(resp)
	switch c := resp.StatusCode; {
	case c == http.StatusNotFound || c == http.StatusGone:
		return nil, fmt.Errorf("GET %s: %s: %w", id, resp.Status, ErrRemoteGone)
	case c >= 400 && c < 500 && c != http.StatusRequestTimeout && c != http.StatusTooManyRequests:
		return nil, fmt.Errorf("GET %s: %s: %w", id, resp.Status, ErrUnreadable)
	case c != http.StatusOK:
		return nil, fmt.Errorf("GET %s: %s", id, resp.Status)
	}
	body, err := readCapped(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w: %w", id, err, ErrUnreadable)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("GET %s: not JSON: %w: %w", id, err, ErrUnreadable)
	}
	return &fetched{raw: body, doc: doc, final: resp.Request.URL}, nil
}

func stripFragment(id string) string {
	id, _, _ = strings.Cut(id, "#")
	return id
}
