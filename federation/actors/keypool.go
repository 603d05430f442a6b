package actors

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/wikipub/wikipub/federation/store"
)

// keyPoolSize is how many keys the pool has. It is fixed for good:
// another size would move actors to other keys, and a key once shown must
// never change (GoToSocial refuses a changed key that was not marked
// expired). Each key is made the first time an actor needs it (about
// 80 ms, sixteen times per deployment, ever), then stored.
//
// Why sharing a key is safe: every key lives in the same store, so one
// leaked key is no worse than any other store leak; a signature still
// names its actor (the keyId is the actor's own id#main-key, and Mastodon
// and GoToSocial look the signer up by that id, never by key material);
// and nothing in their databases is unique per public key (GoToSocial's
// accounts are unique by PublicKeyURI, Mastodon's by uri). What a remote
// learns is that two of our actors share a key, which says nothing: they
// are all ours. The hash is keyed so that which actors share a key cannot
// be worked out from their ids.
const keyPoolSize = 16

// The pool's entries in the key store, under ids no actor can have.
const (
	poolSecretID = "urn:wikipub:key-pool:secret"
	poolSlotID   = "urn:wikipub:key-pool:%d"
)

// keyPool is the shared keys and the secret that assigns actors to them.
type keyPool struct {
	k *Keys

	mu     sync.Mutex
	secret []byte
	slots  [keyPoolSize]*Key
	making [keyPoolSize]sync.Mutex
}

func newKeyPool(k *Keys) *keyPool { return &keyPool{k: k} }

// keyOf is the pool key of an actor without a key of its own.
func (p *keyPool) keyOf(ctx context.Context, actorID string) (*Key, error) {
	secret, err := p.loadSecret(ctx)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(actorID))
	slot := int(binary.BigEndian.Uint64(mac.Sum(nil)[:8]) % keyPoolSize)
	return p.slot(ctx, slot)
}

// loadSecret reads the pool's secret, making it the first time; two
// replicas racing to make it end up with the same one (the store keeps
// the first).
func (p *keyPool) loadSecret(ctx context.Context) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.secret != nil {
		return p.secret, nil
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	s, err := p.k.store.CreateActorKey(ctx, poolSecretID, fresh)
	if err != nil {
		return nil, fmt.Errorf("loading the key pool's secret: %w", err)
	}
	if len(s) < 16 {
		return nil, fmt.Errorf("the key pool's secret in the store is %d bytes", len(s))
	}
	p.secret = s
	return s, nil
}

// slot returns the pool key i, loading or making it once.
func (p *keyPool) slot(ctx context.Context, i int) (*Key, error) {
	p.mu.Lock()
	ak := p.slots[i]
	p.mu.Unlock()
	if ak != nil {
		return ak, nil
	}
	p.making[i].Lock()
	defer p.making[i].Unlock()
	p.mu.Lock()
	ak = p.slots[i]
	p.mu.Unlock()
	if ak != nil {
		return ak, nil
	}
	id := fmt.Sprintf(poolSlotID, i)
	raw, err := p.k.store.ActorKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		fresh, gerr := p.k.generate()
		if gerr != nil {
			return nil, fmt.Errorf("generating pool key %d: %w", i, gerr)
		}
		raw, err = p.k.store.CreateActorKey(ctx, id, fresh)
	}
	if err != nil {
		return nil, fmt.Errorf("loading pool key %d: %w", i, err)
	}
	if ak, err = parseActorKey(raw); err != nil {
		return nil, fmt.Errorf("pool key %d: %w", i, err)
	}
	p.mu.Lock()
	p.slots[i] = ak
	p.mu.Unlock()
	return ak, nil
}
