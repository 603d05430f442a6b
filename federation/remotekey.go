package federation

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/wikipub/wikipub/federation/httpsig"
)

// ErrUntrustedKey is a key that its claimed owner does not confirm, or a
// key document we cannot read: the request it signed will never be
// accepted, so the sender gets a 401, not a "try later".
var ErrUntrustedKey = errors.New("key not confirmed by its owner")

// ResolveKey implements httpsig.KeyResolver. A key is believed only when
// the actor that owns it, fetched from its own id, lists that exact key id
// with the same key material (Mastodon's rule; docs/interop.md, "Trusting a
// key"). What the keyId URL itself answers only tells us which actor to
// ask: anyone can serve a document claiming any id or owner.
//
// The keyId may be the actor id with a fragment (Mastodon's
// "…/users/alice#main-key"), a key document of its own ({id, owner,
// publicKeyPem}), or, as GoToSocial does ("…/users/alice/main-key"), a
// cut-down actor with no inbox that embeds the key.
func (r *Remote) ResolveKey(ctx context.Context, keyID string, refresh bool) (httpsig.PublicKey, error) {
	ownerID, err := r.claimedOwner(ctx, keyID, refresh)
	if err != nil {
		return httpsig.PublicKey{}, err
	}
	if r.trust.isOurs(ownerID) {
		// Our own actors never sign requests to us from elsewhere.
		return httpsig.PublicKey{}, fmt.Errorf("key %s claims the local actor %s: %w", keyID, ownerID, ErrUntrustedKey)
	}
	owner, err := r.Actor(ctx, ownerID, refresh)
	if err != nil {
		if errors.Is(err, errUnreadable) {
			err = fmt.Errorf("%w: %w", err, ErrUntrustedKey)
		}
		return httpsig.PublicKey{}, fmt.Errorf("owner of key %s: %w", keyID, err)
	}
	k, ok := r.trust.confirmedKey(owner, keyID)
	if !ok {
		return httpsig.PublicKey{}, fmt.Errorf("%s does not list the key %s: %w", owner.ID, keyID, ErrUntrustedKey)
	}
	pub, err := parsePublicKeyPEM(k.PEM)
	if err != nil {
		return httpsig.PublicKey{}, fmt.Errorf("key %s of %s: %w: %w", keyID, owner.ID, err, ErrUntrustedKey)
	}
	return httpsig.PublicKey{ID: keyID, Owner: owner.ID, Key: pub}, nil
}

// claimedOwner reads which actor the keyId says it belongs to. For a
// fragment id it is the document without the fragment; otherwise it is
// read from what the keyId URL answers, and is only a claim to be checked.
func (r *Remote) claimedOwner(ctx context.Context, keyID string, refresh bool) (string, error) {
	if base, _, ok := strings.Cut(keyID, "#"); ok {
		return base, nil
	}
	if refresh && !r.gate.mayRefresh(keyID) {
		refresh = false
	}
	if !refresh {
		if o, ok := r.keyOwners.get(keyID); ok {
			return o, nil
		}
	}
	if err := r.gate.failure(keyID); err != nil {
		return "", err
	}
	owner, err := r.fetchOwnerClaim(ctx, keyID)
	r.gate.done(keyID, err)
	if err != nil {
		return "", err
	}
	r.keyOwners.put(keyID, owner)
	return owner, nil
}

func (r *Remote) fetchOwnerClaim(ctx context.Context, keyID string) (string, error) {
	doc, err := r.fetch(ctx, keyID)
	if err != nil {
		return "", err
	}
	owner, err := ownerClaim(doc, keyID)
	if err != nil {
		return "", fmt.Errorf("key document %s: %w: %w", keyID, err, ErrUntrustedKey)
	}
	return owner, nil
}

// ownerClaim finds the owner a key document names for keyID: a key object
// ({id: keyID, owner}), or an actor-shaped document embedding the key in
// publicKey (one object or a list), whose owner, or else the document's id,
// is the claim.
func ownerClaim(doc map[string]any, keyID string) (string, error) {
	if str(doc["id"]) == keyID && str(doc["publicKeyPem"]) != "" {
		if o := idValue(doc["owner"]); o != "" {
			return o, nil
		}
		return "", errors.New("a key object without an owner")
	}
	for _, k := range publicKeys(doc["publicKey"]) {
		if k.ID != keyID {
			continue
		}
		if k.Owner != "" {
			return k.Owner, nil
		}
		if id := str(doc["id"]); id != "" {
			return id, nil
		}
	}
	return "", errors.New("it names no owner for this key")
}

// remoteKey is one entry of an actor's publicKey.
type remoteKey struct {
	ID, Owner, PEM string
}

// publicKeys reads publicKey in any of its JSON-LD forms: one object, a
// list of objects; entries that are bare ids carry no key and are skipped.
func publicKeys(v any) []remoteKey {
	var out []remoteKey
	for _, e := range oneOrMany(v) {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		out = append(out, remoteKey{ID: str(m["id"]), Owner: idValue(m["owner"]), PEM: str(m["publicKeyPem"])})
	}
	return out
}

// oneOrMany is JSON-LD's rule that a single value and a list of values mean
// the same.
func oneOrMany(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}

// idValue reads a value that is an id or an object with an id; of a list,
// the first.
func idValue(v any) string {
	for _, e := range oneOrMany(v) {
		switch x := e.(type) {
		case string:
			return x
		case map[string]any:
			if id := str(x["id"]); id != "" {
				return id
			}
		}
	}
	return ""
}

// parsePublicKeyPEM reads an RSA public key in PKIX or PKCS#1 form.
func parsePublicKeyPEM(s string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("not PEM")
	}
	if pub, err := x509.ParsePKIXPublicKey(block.Bytes); err == nil {
		if rk, ok := pub.(*rsa.PublicKey); ok {
			return rk, nil
		}
		return nil, fmt.Errorf("a %T key; only RSA is supported", pub)
	}
	rk, err := x509.ParsePKCS1PublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not an RSA public key: %w", err)
	}
	return rk, nil
}

// errUnreadable marks a remote document that answered but cannot be read
// as what it should be: asking again will not change that.
var errUnreadable = errors.New("unreadable remote document")
