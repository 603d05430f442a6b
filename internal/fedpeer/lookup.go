package fedpeer

import (
	"context"
	"fmt"
	"strings"
)

// Lookup resolves a handle the way Mastodon's search box does: WebFinger,
// a signed fetch of the actor, then the loop-back and key checks. Each
// failure wraps the Err* of the rule that was broken.
func (p *Peer) Lookup(ctx context.Context, handle string) (*RemoteActor, error) {
	user, host, err := parseHandle(handle)
	if err != nil {
		return nil, fmt.Errorf("fedpeer: lookup: %w", err)
	}
	jr, err := p.webfinger(ctx, user, host)
	if err != nil {
		return nil, fmt.Errorf("fedpeer: lookup %s: %w", handle, err)
	}
	a, err := p.fetchActor(ctx, jr.Href)
	if err != nil {
		return nil, fmt.Errorf("fedpeer: lookup %s: %w", handle, err)
	}
	// preferredUsername may differ from the handle that was asked (an old
	// handle, a redirect's): like Mastodon's check_webfinger!, confirmActor
	// re-fingers preferredUsername and requires it to loop back.
	if err := p.confirmActor(ctx, a); err != nil {
		return nil, fmt.Errorf("fedpeer: lookup %s: %w", handle, err)
	}
	return a, nil
}

// LookupActor resolves an actor by id, as a server does for the actor of
// an incoming activity: signed fetch, document rules, loop-back through
// WebFinger, key fetchable unsigned.
func (p *Peer) LookupActor(ctx context.Context, actorID string) (*RemoteActor, error) {
	a, err := p.fetchActor(ctx, actorID)
	if err != nil {
		return nil, fmt.Errorf("fedpeer: lookup actor %s: %w", actorID, err)
	}
	if err := p.confirmActor(ctx, a); err != nil {
		return nil, fmt.Errorf("fedpeer: lookup actor %s: %w", actorID, err)
	}
	return a, nil
}

// confirmActor re-WebFingers preferredUsername@host (or the FEP-2c59
// webfinger property) and requires it to point back to the same id, then
// checks the key is fetchable without a signature.
func (p *Peer) confirmActor(ctx context.Context, a *RemoteActor) error {
	user, host := a.PreferredUsername, hostOfURL(a.ID)
	if wf := str(a.Raw, "webfinger"); wf != "" {
		var err error
		if user, host, err = parseHandle(wf); err != nil {
			return fmt.Errorf("%w: webfinger property: %w", ErrNoLoopBack, err)
		}
	}
	jr, err := p.webfinger(ctx, user, host)
	if err != nil {
		return fmt.Errorf("%w: webfinger %s@%s: %w", ErrNoLoopBack, user, host, err)
	}
	if jr.Href != a.ID {
		return fmt.Errorf("%w: %s@%s points to %q, not %q", ErrNoLoopBack, user, host, jr.Href, a.ID)
	}
	a.Handle = strings.ToLower(user + "@" + host)
	a.WebFinger = jr.Raw
	return p.checkKeyUnsigned(ctx, a)
}

// checkKeyUnsigned fetches the actor's keyId without a signature and
// requires the same key, owned by the actor: servers fetch keys unsigned
// and Mastodon trips a breaker when that fails.
func (p *Peer) checkKeyUnsigned(ctx context.Context, a *RemoteActor) error {
	doc, err := p.fetchDoc(ctx, stripFragment(a.KeyID), false)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrKeyNeedsSignature, a.KeyID, err)
	}
	pub, owner, _, err := keyFromDoc(doc, a.KeyID)
	if err != nil {
		return fmt.Errorf("unsigned fetch of %s: %w", a.KeyID, err)
	}
	if owner != a.ID {
		return fmt.Errorf("%w: unsigned fetch of %s gives owner %q, actor %q", ErrKeyOwner, a.KeyID, owner, a.ID)
	}
	if !pub.Equal(a.PublicKey) {
		return fmt.Errorf("%w: %s", ErrKeyMismatch, a.KeyID)
	}
	return nil
}
