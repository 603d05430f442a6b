package remote

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/wikipub/wikipub/federation/activity"
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
		if errors.Is(err, ErrUnreadable) {
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
		if o, ok := r.keyOwners.Get(keyID); ok {
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
	r.keyOwners.Put(keyID, owner)
	return owner, nil
}

func (r *Remote) fetchOwnerClaim(ctx context.Context, keyID string) (string, error) {
	doc, err := r.fetch(ctx, keyID)
	if err != nil {
		return "", err
	}
	owner, err := activity.KeyOwnerClaim(doc, keyID)
	if err != nil {
		return "", fmt.Errorf("key document %s: %w: %w", keyID, err, ErrUntrustedKey)
	}
	return owner, nil
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

// ErrUnreadable marks a remote document that answered but cannot be read
// as what it should be: asking again will not change that, so the inbox
// refuses for good what depends on it.
var ErrUnreadable = errors.New("unreadable remote document")

// MayPass tells a fetch that failed for a passing reason (the network, a
// 5xx, a 429) from one that will fail the same way again, so that the
// inbox answers the first with 503 and the second with a 4xx.
func MayPass(err error) bool {
	for _, permanent := range []error{ErrRemoteGone, ErrForbiddenAddress, ErrBadRemoteID, ErrUntrustedKey, ErrUnreadable} {
		if errors.Is(err, permanent) {
			return false
		}
	}
	return true
}
