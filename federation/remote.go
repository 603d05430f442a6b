package federation

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
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
	KeyID             string
	KeyPEM            string
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
	ua     string
	cache  *ttlCache[string, *RemoteActor]
}

// NewRemote returns a fetcher; userAgent names wikipub, its version and URL.
func NewRemote(client *http.Client, keys *Keys, iris IRIs, userAgent string) *Remote {
	return &Remote{client: client, keys: keys, iris: iris, ua: userAgent, cache: newTTLCache[string, *RemoteActor](time.Hour, 100_000)}
}

// Actor returns a remote actor, from the cache unless refresh.
func (r *Remote) Actor(ctx context.Context, id string, refresh bool) (*RemoteActor, error) {
	id = stripFragment(id)
	if !refresh {
		if a, ok := r.cache.get(id); ok {
			return a, nil
		}
	}
	doc, err := r.fetch(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := parseRemoteActor(doc)
	if err != nil {
		return nil, fmt.Errorf("remote actor %s: %w", id, err)
	}
	if a.ID != id {
		return nil, fmt.Errorf("remote actor %s: its document has id %s", id, a.ID)
	}
	r.cache.put(id, a)
	return a, nil
}

// ResolveKey implements httpsig.KeyResolver: the key id is the actor's id
// with a fragment (Mastodon) or a key document naming its owner.
func (r *Remote) ResolveKey(ctx context.Context, keyID string, refresh bool) (httpsig.PublicKey, error) {
	a, err := r.keyOwner(ctx, keyID, refresh)
	if err != nil {
		return httpsig.PublicKey{}, err
	}
	if a.KeyID != keyID {
		return httpsig.PublicKey{}, fmt.Errorf("%s does not list the key %s", a.ID, keyID)
	}
	block, _ := pem.Decode([]byte(a.KeyPEM))
	if block == nil {
		return httpsig.PublicKey{}, fmt.Errorf("key %s is not PEM", keyID)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		if rsaPub, err2 := x509.ParsePKCS1PublicKey(block.Bytes); err2 == nil {
			pub, err = rsaPub, nil
		}
	}
	if err != nil {
		return httpsig.PublicKey{}, fmt.Errorf("key %s: %w", keyID, err)
	}
	return httpsig.PublicKey{ID: keyID, Owner: a.ID, Key: pub}, nil
}

// keyOwner finds the actor whose key keyID is. A key id without a fragment
// may be a key document of its own ({id, owner, publicKeyPem}); its owner
// must then list the same key.
func (r *Remote) keyOwner(ctx context.Context, keyID string, refresh bool) (*RemoteActor, error) {
	if strings.Contains(keyID, "#") {
		return r.Actor(ctx, keyID, refresh)
	}
	if !refresh {
		if a, ok := r.cache.get(keyID); ok {
			return a, nil
		}
	}
	doc, err := r.fetch(ctx, keyID)
	if err != nil {
		return nil, err
	}
	var a *RemoteActor
	if owner := str(doc["owner"]); owner != "" && str(doc["publicKeyPem"]) != "" {
		a, err = r.Actor(ctx, owner, refresh)
	} else {
		a, err = parseRemoteActor(doc)
	}
	if err != nil {
		return nil, err
	}
	r.cache.put(keyID, a)
	return a, nil
}

// fetch GETs an ActivityPub document, signed as the instance actor.
func (r *Remote) fetch(ctx context.Context, id string) (map[string]any, error) {
	u, err := url.Parse(id)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%q: %w", id, ErrBadRemoteID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, id, nil)
	if err != nil {
		return nil, err
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
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return nil, fmt.Errorf("GET %s: %s: %w", id, resp.Status, ErrRemoteGone)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", id, resp.Status)
	}
	body, err := readCapped(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", id, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("GET %s: not JSON: %w", id, err)
	}
	return doc, nil
}

func parseRemoteActor(doc map[string]any) (*RemoteActor, error) {
	a := &RemoteActor{ID: str(doc["id"]), Inbox: str(doc["inbox"]), PreferredUsername: str(doc["preferredUsername"]), Name: str(doc["name"]), URL: str(doc["url"])}
	if a.ID == "" || a.Inbox == "" {
		return nil, errors.New("no id or no inbox")
	}
	if ep, ok := doc["endpoints"].(map[string]any); ok {
		a.SharedInbox = str(ep["sharedInbox"])
	}
	// publicKey may be one object or a list; the first RSA one is used, as
	// GoToSocial does.
	keys, _ := doc["publicKey"].([]any)
	if k, ok := doc["publicKey"].(map[string]any); ok {
		keys = []any{k}
	}
	for _, k := range keys {
		km, ok := k.(map[string]any)
		if !ok {
			continue
		}
		if owner := str(km["owner"]); owner != "" && owner != a.ID {
			continue
		}
		a.KeyID, a.KeyPEM = str(km["id"]), str(km["publicKeyPem"])
		break
	}
	if a.KeyID == "" {
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
