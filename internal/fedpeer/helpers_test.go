package fedpeer

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCtx bounds each test's network waits.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var (
	keyPoolMu sync.Mutex
	keyPool   []*rsa.PrivateKey
)

// poolKey returns the i-th RSA-2048 test key, generated once per process,
// so table tests do not spend their time generating keys. Peers in one
// test must use distinct indices.
func poolKey(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	keyPoolMu.Lock()
	defer keyPoolMu.Unlock()
	for len(keyPool) <= i {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		keyPool = append(keyPool, k)
	}
	return keyPool[i]
}

// newPeer starts a peer with pool key i.
func newPeer(t *testing.T, i int, opts ...Option) *Peer {
	t.Helper()
	return New(t, append([]Option{WithKey(poolKey(t, i))}, opts...)...)
}

// rewriteContentType is middleware that answers GETs under prefix with
// the given Content-Type instead of the real one.
func rewriteContentType(prefix, ct string) Option {
	return WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, prefix) {
				w = &ctWriter{ResponseWriter: w, ct: ct}
			}
			next.ServeHTTP(w, r)
		})
	})
}

type ctWriter struct {
	http.ResponseWriter
	ct string
}

func (w *ctWriter) WriteHeader(code int) {
	w.Header().Set("Content-Type", w.ct)
	w.ResponseWriter.WriteHeader(code)
}

// refuseUnsigned is middleware that answers 401 to unsigned GETs of the
// given path, like a server that wrongly hides its key behind signatures.
func refuseUnsigned(path string) Option {
	return WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && r.URL.Path == path && r.Header.Get("Signature") == "" {
				http.Error(w, "signature required", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
}

// standaloneKey makes a peer publish its key as a bare key object at
// /users/alice/main-key ({id, owner, publicKeyPem}, as some servers do);
// listed says whether the actor still names that key, which keeps the
// owner claim honest.
func standaloneKey(k *rsa.PrivateKey, listed bool) []Option {
	return []Option{
		WithActorMutator(func(d map[string]any, _ *http.Request) {
			if !listed {
				d["publicKey"].(map[string]any)["id"] = d["id"].(string) + "#another-key"
			}
		}),
		WithMiddleware(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet || r.URL.Path != "/users/alice/main-key" {
					next.ServeHTTP(w, r)
					return
				}
				owner := "http://" + r.Host + "/users/alice"
				writeJSON(w, http.StatusOK, "application/activity+json", map[string]any{
					"@context": []any{asContext, secContext}, "id": owner + "/main-key",
					"owner": owner, "publicKeyPem": publicKeyPEM(&k.PublicKey),
				})
			})
		}),
	}
}

// signWithKeyID re-signs a request as a but with another keyId.
func signWithKeyID(t *testing.T, a *Peer, keyID string, body []byte) func(*http.Request) {
	return func(r *http.Request) {
		if err := a.Sign(r, body); err != nil {
			t.Fatal(err)
		}
		sp, err := parseSignature(r.Header.Get("Signature"))
		if err != nil {
			t.Fatal(err)
		}
		sp.KeyID = keyID
		r.Header.Set("Signature", formatSignature(sp))
	}
}
