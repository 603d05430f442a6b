package fedpeer

import (
	"context"
	"fmt"
	"net/http"
	"slices"
)

// actorTypes are the actor types Mastodon accepts.
var actorTypes = map[string]bool{
	"Person": true, "Service": true, "Application": true, "Group": true, "Organization": true,
}

// fetchActor GETs an actor, signed, and applies the document rules.
func (p *Peer) fetchActor(ctx context.Context, actorURL string) (*RemoteActor, error) {
	resp, body, err := p.get(ctx, actorURL, acceptActivity, true)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: signed GET %s answered %d: %s", ErrFetchStatus, actorURL, resp.StatusCode, snippet(body))
	}
	if ct := resp.Header.Get("Content-Type"); !isActivityJSON(ct) {
		return nil, fmt.Errorf("%w: GET %s answered Content-Type %q", ErrContentType, actorURL, ct)
	}
	doc, err := decodeObject(body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", actorURL, err)
	}
	return checkActor(actorURL, doc)
}

// checkActor applies the actor document rules of Mastodon, GoToSocial and
// Misskey to a document fetched from fetched.
func checkActor(fetched string, doc map[string]any) (*RemoteActor, error) {
	ctxs := contextIRIs(doc["@context"])
	for _, want := range []string{asContext, secContext} {
		if !slices.Contains(ctxs, want) {
			return nil, fmt.Errorf("%w: %s missing from %v", ErrContext, want, ctxs)
		}
	}
	id := str(doc, "id")
	if id != fetched {
		return nil, fmt.Errorf("%w: id %q, fetched %q", ErrIDMismatch, id, fetched)
	}
	host := hostOfURL(id)
	if err := checkOnHost("id", id, host); err != nil {
		return nil, err
	}
	typ := str(doc, "type")
	if !actorTypes[typ] {
		return nil, fmt.Errorf("%w: %v", ErrActorType, doc["type"])
	}
	a := &RemoteActor{
		ID: id, Type: typ, Raw: doc,
		PreferredUsername: str(doc, "preferredUsername"),
		Name:              str(doc, "name"),
		Inbox:             idOf(doc["inbox"]),
		Outbox:            idOf(doc["outbox"]),
		Followers:         idOf(doc["followers"]),
		Following:         idOf(doc["following"]),
	}
	if a.PreferredUsername == "" {
		return nil, fmt.Errorf("%w: preferredUsername", ErrMissingField)
	}
	if err := checkUsername(a.PreferredUsername); err != nil {
		return nil, fmt.Errorf("preferredUsername: %w", err)
	}
	if a.Inbox == "" {
		return nil, fmt.Errorf("%w: inbox", ErrMissingField)
	}
	if ep, ok := doc["endpoints"].(map[string]any); ok {
		a.SharedInbox = idOf(ep["sharedInbox"])
	}
	urls := linkHrefs(doc["url"])
	if len(urls) > 0 {
		a.URL = urls[0]
	}
	fields := []struct{ name, v string }{
		{"inbox", a.Inbox}, {"outbox", a.Outbox}, {"followers", a.Followers},
		{"following", a.Following}, {"endpoints.sharedInbox", a.SharedInbox},
	}
	for _, u := range urls {
		fields = append(fields, struct{ name, v string }{"url", u})
	}
	for _, f := range fields {
		if f.v == "" {
			continue
		}
		if err := checkOnHost(f.name, f.v, host); err != nil {
			return nil, err
		}
	}
	if err := checkActorKey(a, doc, host); err != nil {
		return nil, err
	}
	return a, nil
}

// checkActorKey requires exactly one publicKey {id, owner == actor id,
// RSA-2048+ publicKeyPem}: GoToSocial uses the first key only.
func checkActorKey(a *RemoteActor, doc map[string]any, host string) error {
	keys := keyObjects(doc["publicKey"])
	if len(keys) != 1 {
		return fmt.Errorf("%w: %d publicKey objects", ErrPublicKey, len(keys))
	}
	k := keys[0]
	a.KeyID = str(k, "id")
	if a.KeyID == "" {
		return fmt.Errorf("%w: publicKey has no id", ErrPublicKey)
	}
	if err := checkOnHost("publicKey.id", a.KeyID, host); err != nil {
		return err
	}
	if owner := str(k, "owner"); owner != a.ID {
		return fmt.Errorf("%w: owner %q, actor %q", ErrKeyOwner, owner, a.ID)
	}
	a.PublicKeyPEM = str(k, "publicKeyPem")
	pub, err := parsePublicKeyPEM(a.PublicKeyPEM)
	if err != nil {
		return err
	}
	a.PublicKey = pub
	return nil
}
