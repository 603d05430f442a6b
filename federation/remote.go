package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/httpsig"
)

// RemoteActor is what we keep of a remote actor: where to deliver to it and
// how to check its signatures.
type RemoteActor struct {
	ID                string
	Inbox             string
	SharedInbox       string
	PreferredUsername string
	Name              string
	URL               string
	// Keys are the actor's publicKey entries, as its own document lists
	// them.
	Keys []remoteKey
}

// ErrRemoteGone is a remote actor or key answering 404 or 410.
var ErrRemoteGone = errors.New("remote object is gone")

// ErrBadRemoteID is an id (a keyId, an actor) that cannot be fetched at all.
var ErrBadRemoteID = errors.New("not an http(s) URL")

// Remote fetches remote actors and keys, signed as our instance actor
// (GoToSocial and "authorized fetch" Mastodon require signed GETs), and
// caches them.
type Remote struct {
	client *http.Client
	keys   *Keys
	iris   IRIs
	trust  trust
	ua     string
	cache  *ttlCache[string, *RemoteActor]
	// keyOwners maps a fragment-less keyId to the owner its document
	// claims; only a claim, confirmed by the owner on every use.
	keyOwners *ttlCache[string, string]
	// gate limits how often one document is fetched (fetchgate.go).
	gate fetchGate
}

// NewRemote returns a fetcher; userAgent names wikipub, its version and URL.
func NewRemote(client *http.Client, keys *Keys, iris IRIs, userAgent string) *Remote {
	return &Remote{client: client, keys: keys, iris: iris, trust: newTrust(iris.Base), ua: userAgent, cache: newTTLCache[string, *RemoteActor](time.Hour, 100_000),
		keyOwners: newTTLCache[string, string](time.Hour, 100_000), gate: newFetchGate()}
}

// Actor returns a remote actor, from the cache unless refresh.
func (r *Remote) Actor(ctx context.Context, id string, refresh bool) (*RemoteActor, error) {
	id = stripFragment(id)
	if refresh && !r.gate.mayRefresh(id) {
		refresh = false // fetched within keyRefreshEvery: what we have is as fresh
	}
	if !refresh {
		if a, ok := r.cache.get(id); ok {
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
	r.cache.put(id, a)
	return a, nil
}

func (r *Remote) fetchActor(ctx context.Context, id string) (*RemoteActor, error) {
	got, err := r.fetchFrom(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := parseRemoteActor(got.raw, got.doc)
	if err != nil {
		return nil, fmt.Errorf("remote actor %s: %w: %w", id, err, errUnreadable)
	}
	if a.ID != id {
		return nil, fmt.Errorf("remote actor %s: its document has id %s: %w", id, a.ID, errUnreadable)
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
	if !sameOrigin(id, got.final.String()) {
		return nil, fmt.Errorf("GET %s: answered from another host (%s): %w", id, got.final.Host, errUnreadable)
	}
	return got, nil
}

// get does the signed GET and returns the document and the URL that
// answered it, after redirects. A 4xx other than 404, 410, 408 and 429 will
// not change by asking again, nor will an answer that is not JSON: both are
// errUnreadable.
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
	inst := Ref{Kind: KindInstance}
	key, err := r.keys.Get(ctx, r.iris.Actor(inst))
	if err != nil {
		return nil, err
	}
	if err := httpsig.SignGET(req, r.iris.Key(inst), key.priv); err != nil {
		return nil, fmt.Errorf("signing GET %s: %w", id, err)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", id, err)
	}
	defer drain(resp)
	switch c := resp.StatusCode; {
	case c == http.StatusNotFound || c == http.StatusGone:
		return nil, fmt.Errorf("GET %s: %s: %w", id, resp.Status, ErrRemoteGone)
	case c >= 400 && c < 500 && c != http.StatusRequestTimeout && c != http.StatusTooManyRequests:
		return nil, fmt.Errorf("GET %s: %s: %w", id, resp.Status, errUnreadable)
	case c != http.StatusOK:
		return nil, fmt.Errorf("GET %s: %s", id, resp.Status)
	}
	body, err := readCapped(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w: %w", id, err, errUnreadable)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("GET %s: not JSON: %w: %w", id, err, errUnreadable)
	}
	return &fetched{raw: body, doc: doc, final: resp.Request.URL}, nil
}

// parseRemoteActor reads an actor document with go-ap (one value or a
// list, an object or its id, as jsonld.go explains) and its keys with
// publicKeys, since go-ap keeps only one.
func parseRemoteActor(raw []byte, doc map[string]any) (*RemoteActor, error) {
	it, v, err := decodeAP(raw)
	if err != nil {
		return nil, err
	}
	a := &RemoteActor{ID: stringOf(v, "id"), PreferredUsername: stringOf(v, "preferredUsername"), Name: stringOf(v, "name")}
	if act, ok := asActor(it); ok {
		a.Inbox = idOfItem(act.Inbox)
		if act.Endpoints != nil {
			a.SharedInbox = idOfItem(act.Endpoints.SharedInbox)
		}
		a.URL = hrefOf(act.URL)
	}
	if a.ID == "" || a.Inbox == "" {
		return nil, errors.New("no id or no inbox")
	}
	if len(a.ID) > maxIDLength || len(a.Inbox) > maxIDLength || len(a.SharedInbox) > maxIDLength {
		return nil, errIDTooLong
	}
	a.Keys = publicKeys(doc["publicKey"])
	if len(a.Keys) == 0 {
		return nil, errors.New("no public key")
	}
	return a, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func stripFragment(id string) string {
	id, _, _ = strings.Cut(id, "#")
	return id
}

// Handle is user@host, as people write the remote actor.
func (a *RemoteActor) Handle() string {
	u, err := url.Parse(a.ID)
	if err != nil || a.PreferredUsername == "" {
		return a.ID
	}
	return a.PreferredUsername + "@" + u.Host
}

// DisplayName is the remote actor's name, or its handle.
func (a *RemoteActor) DisplayName() string {
	if strings.TrimSpace(a.Name) != "" {
		return a.Name
	}
	return a.Handle()
}
