package federation

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"

	"github.com/wikipub/wikipub/federation/store"
)

// KeyStore keeps our actors' private keys.
type KeyStore interface {
	ActorKey(ctx context.Context, actorID string) ([]byte, error)
	CreateActorKey(ctx context.Context, actorID string, pem []byte) ([]byte, error)
}

// Keys hands out our actors' RSA-2048 keys, creating each the first time it
// is needed: a big wiki has tens of millions of potential actors and a key
// costs ~80 ms to make, so start-up creates none.
type Keys struct {
	store KeyStore
	bits  int

	mu    sync.Mutex
	cache map[string]*actorKey // bounded below
}

type actorKey struct {
	priv      *rsa.PrivateKey
	publicPEM string
}

// maxCachedKeys bounds the memory the parsed keys take (~2 KB each).
const maxCachedKeys = 50_000

// NewKeys returns a key source over the store.
func NewKeys(s KeyStore) *Keys {
	return &Keys{store: s, bits: 2048, cache: map[string]*actorKey{}}
}

// Get returns the actor's key, creating and storing it when it has none.
// Two replicas racing to create one end up with the same key: the store
// keeps the first.
func (k *Keys) Get(ctx context.Context, actorID string) (*actorKey, error) {
	if ak := k.cached(actorID); ak != nil {
		return ak, nil
	}
	raw, err := k.store.ActorKey(ctx, actorID)
	if errors.Is(err, store.ErrNotFound) {
		priv, gerr := rsa.GenerateKey(rand.Reader, k.bits)
		if gerr != nil {
			return nil, fmt.Errorf("generating a key for %s: %w", actorID, gerr)
		}
		fresh := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})
		raw, err = k.store.CreateActorKey(ctx, actorID, fresh)
	}
	if err != nil {
		return nil, fmt.Errorf("loading the key of %s: %w", actorID, err)
	}
	ak, err := parseActorKey(raw)
	if err != nil {
		return nil, fmt.Errorf("the stored key of %s: %w", actorID, err)
	}
	k.mu.Lock()
	if len(k.cache) >= maxCachedKeys {
		for id := range k.cache {
			delete(k.cache, id)
			break
		}
	}
	k.cache[actorID] = ak
	k.mu.Unlock()
	return ak, nil
}

// Exists reports whether the actor ever had a key, that is, whether it was
// ever fetched or followed: a page that has one and is gone was deleted.
func (k *Keys) Exists(ctx context.Context, actorID string) (bool, error) {
	if k.cached(actorID) != nil {
		return true, nil
	}
	_, err := k.store.ActorKey(ctx, actorID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (k *Keys) cached(actorID string) *actorKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.cache[actorID]
}

func parseActorKey(raw []byte) (*actorKey, error) {
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, errors.New("not PEM")
	}
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	return &actorKey{priv: priv, publicPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))}, nil
}
