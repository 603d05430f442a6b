package actors

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

// Keys hands out our actors' RSA-2048 keys. An actor that has a key of
// its own in the store (every actor seen before key pools) keeps it. Any
// other actor signs with one of a fixed pool of keys, picked by a keyed
// hash of its id (keypool.go): the same actor always gets the same key,
// on every replica and after every restart, so a key once shown never
// changes, and nothing is stored per actor. A big wiki has tens of
// millions of potential actors and a key costs ~80 ms to make; with the
// pool, a crawler of never-seen actors costs neither.
type Keys struct {
	store KeyStore
	bits  int
	pool  *keyPool

	mu    sync.Mutex
	cache map[string]*Key // bounded below
}

// Key is one of our actors' keys: the private half signs, the public
// half goes into the actor's document.
type Key struct {
	Private   *rsa.PrivateKey
	PublicPEM string
}

// maxCachedKeys bounds the actor → key map (pooled keys are shared, so
// an entry of a pooled actor costs only the map entry).
const maxCachedKeys = 50_000

// NewKeys returns a key source over the store.
func NewKeys(s KeyStore) *Keys {
	k := &Keys{store: s, bits: 2048, cache: map[string]*Key{}}
	k.pool = newKeyPool(k)
	return k
}

// Get returns the actor's key: its own if it has one, else its key of the
// pool.
func (k *Keys) Get(ctx context.Context, actorID string) (*Key, error) {
	if ak := k.cached(actorID); ak != nil {
		return ak, nil
	}
	raw, err := k.store.ActorKey(ctx, actorID)
	var ak *Key
	switch {
	case err == nil:
		if ak, err = parseActorKey(raw); err != nil {
			return nil, fmt.Errorf("the stored key of %s: %w", actorID, err)
		}
	case errors.Is(err, store.ErrNotFound):
		if ak, err = k.pool.keyOf(ctx, actorID); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("loading the key of %s: %w", actorID, err)
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

// hasOwnKey reports whether the actor has a key of its own, made before
// key pools: such an actor had been fetched or followed, which is what
// the resolver needs to know about actors from before it kept them
// (Resolver.known).
func (k *Keys) hasOwnKey(ctx context.Context, actorID string) (bool, error) {
	_, err := k.store.ActorKey(ctx, actorID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (k *Keys) cached(actorID string) *Key {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.cache[actorID]
}

// generate makes a fresh key, PEM-encoded as the store keeps it.
func (k *Keys) generate() ([]byte, error) {
	priv, err := rsa.GenerateKey(rand.Reader, k.bits)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)}), nil
}

func parseActorKey(raw []byte) (*Key, error) {
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
	return &Key{Private: priv, PublicPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))}, nil
}
