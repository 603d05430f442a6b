package httpsig

import (
	"context"
	"crypto"
)

// PublicKey is a resolved actor key: the verifier needs the key material to
// check the signature and the owner to tell the inbox who signed.
type PublicKey struct {
	// ID is the key's id; it must equal the keyId that was resolved.
	ID string
	// Owner is the actor id owning the key (publicKey.owner).
	Owner string
	// Key is the public key; only *rsa.PublicKey is supported.
	Key crypto.PublicKey
}

// KeyResolver looks up keyId URLs; it is an interface so the verifier stays
// free of HTTP fetching and caching, which live with the federation client.
//
// ResolveKey returns the key named by keyID. With refresh false it may answer
// from a cache; with refresh true it must fetch the key again, because the
// cached key failed to verify a signature (the actor may have rotated it).
// Verify asks for a refresh at most once per request; implementations should
// still rate-limit refreshes per key, since any sender can trigger them.
// keyID comes straight from the request: fetch it only with the usual
// outbound restrictions (https, no private addresses, size and time limits).
type KeyResolver interface {
	ResolveKey(ctx context.Context, keyID string, refresh bool) (PublicKey, error)
}

// KeyResolverFunc adapts a function to KeyResolver, for tests and small
// callers that need no cache type.
type KeyResolverFunc func(ctx context.Context, keyID string, refresh bool) (PublicKey, error)

// ResolveKey calls f.
func (f KeyResolverFunc) ResolveKey(ctx context.Context, keyID string, refresh bool) (PublicKey, error) {
	return f(ctx, keyID, refresh)
}
