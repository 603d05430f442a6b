package fedpeer

import (
	"context"
	"crypto/rsa"
	"fmt"
	"sync"
)

// fetchedKey is a resolved keyId.
type fetchedKey struct {
	id       string
	owner    string
	pub      *rsa.PublicKey
	needsSig bool // only a signed GET could fetch it
}

// keyCache caches keys by keyId, as every server does.
type keyCache struct {
	mu sync.Mutex
	m  map[string]*fetchedKey
}

// get returns the cached key, or fetches it (always when refresh is set).
func (c *keyCache) get(ctx context.Context, p *Peer, keyID string, refresh bool) (*fetchedKey, error) {
	if !refresh {
		c.mu.Lock()
		k, ok := c.m[keyID]
		c.mu.Unlock()
		if ok {
			return k, nil
		}
	}
	k, err := p.fetchKey(ctx, keyID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.m[keyID] = k
	c.mu.Unlock()
	return k, nil
}

// fetchKey resolves a keyId: an unsigned GET first (keys must be fetchable
// without a signature), a signed one if that is refused. The key's owner is
// established from the document, never from the keyId's shape.
func (p *Peer) fetchKey(ctx context.Context, keyID string) (*fetchedKey, error) {
	docURL := stripFragment(keyID)
	doc, err := p.fetchDoc(ctx, docURL, false)
	needsSig := false
	if err != nil {
		doc2, err2 := p.fetchDoc(ctx, docURL, true)
		if err2 != nil {
			return nil, fmt.Errorf("%w: %s: unsigned: %w; signed: %w", ErrKeyFetch, keyID, err, err2)
		}
		doc, needsSig = doc2, true
	}
	pub, owner, standalone, err := keyFromDoc(doc, keyID)
	if err != nil {
		return nil, err
	}
	if standalone && stripFragment(owner) != docURL {
		if err := p.checkOwnerHasKey(ctx, owner, keyID); err != nil {
			return nil, err
		}
	}
	return &fetchedKey{id: keyID, owner: owner, pub: pub, needsSig: needsSig}, nil
}

// keyFromDoc finds keyID in a fetched document: either a standalone key
// {id, owner, publicKeyPem} or an actor embedding it in publicKey, whose
// owner must then be that actor.
func keyFromDoc(doc map[string]any, keyID string) (pub *rsa.PublicKey, owner string, standalone bool, err error) {
	if str(doc, "id") == keyID && str(doc, "publicKeyPem") != "" {
		owner = str(doc, "owner")
		if owner == "" {
			return nil, "", false, fmt.Errorf("%w: key %s has no owner", ErrKeyOwner, keyID)
		}
		if hostOfURL(owner) != hostOfURL(keyID) {
			return nil, "", false, fmt.Errorf("%w: key %s owned by %s on another host", ErrKeyOwner, keyID, owner)
		}
		pub, err = parsePublicKeyPEM(str(doc, "publicKeyPem"))
		return pub, owner, true, err
	}
	actorID := str(doc, "id")
	for _, k := range keyObjects(doc["publicKey"]) {
		if str(k, "id") != keyID {
			continue
		}
		owner = str(k, "owner")
		if owner != actorID {
			return nil, "", false, fmt.Errorf("%w: key %s has owner %q, document is %q", ErrKeyOwner, keyID, owner, actorID)
		}
		if hostOfURL(actorID) != hostOfURL(keyID) {
			return nil, "", false, fmt.Errorf("%w: key %s served by actor %s on another host", ErrKeyOwner, keyID, actorID)
		}
		pub, err = parsePublicKeyPEM(str(k, "publicKeyPem"))
		return pub, owner, false, err
	}
	return nil, "", false, fmt.Errorf("%w: %s not found in the fetched document %q", ErrKeyFetch, keyID, actorID)
}

// checkOwnerHasKey confirms that a standalone key's owner lists that key,
// so nobody can claim to own someone else's key.
func (p *Peer) checkOwnerHasKey(ctx context.Context, owner, keyID string) error {
	doc, err := p.fetchDoc(ctx, owner, false)
	if err != nil {
		if doc, err = p.fetchDoc(ctx, owner, true); err != nil {
			return fmt.Errorf("%w: owner %s of %s: %w", ErrKeyFetch, owner, keyID, err)
		}
	}
	if str(doc, "id") != owner {
		return fmt.Errorf("%w: owner document id %q, want %q", ErrKeyOwner, str(doc, "id"), owner)
	}
	for _, k := range keyObjects(doc["publicKey"]) {
		if str(k, "id") == keyID {
			return nil
		}
	}
	return fmt.Errorf("%w: owner %s does not list key %s", ErrKeyOwner, owner, keyID)
}

// keyObjects lists the objects of a publicKey property (object or array).
func keyObjects(v any) []map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return []map[string]any{x}
	case []any:
		var out []map[string]any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}
