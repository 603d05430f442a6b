package remote

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/store"
)

// memKeys is a KeyStore in memory, for tests that sign as our instance.
type memKeys struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (k *memKeys) ActorKey(_ context.Context, id string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if b, ok := k.m[id]; ok {
		return b, nil
	}
	return nil, store.ErrNotFound
}

func (k *memKeys) CreateActorKey(_ context.Context, id string, p []byte) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string][]byte{}
	}
	if b, ok := k.m[id]; ok {
		return b, nil
	}
	k.m[id] = p
	return p, nil
}

func testPEM(t *testing.T) (*rsa.PublicKey, string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return &k.PublicKey, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// fromTestdata fills one of the documents captured from a real server,
// which federation/activity keeps for its parser's tests.
func fromTestdata(t *testing.T, name, base, pemText string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "activity", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	pemJSON, _ := json.Marshal(pemText)
	s := strings.ReplaceAll(string(raw), "{{BASE}}", base)
	s = strings.ReplaceAll(s, "{{PEM}}", string(pemJSON[1:len(pemJSON)-1]))
	var doc map[string]any
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc
}

// TestResolveKeyTrust: a key is believed only when its owner, fetched
// from its own id, lists exactly that key id; whatever the keyId URL says
// about itself is only a claim.
func TestResolveKeyTrust(t *testing.T) {
	victimKey, victimPEM := testPEM(t)
	_, attackerPEM := testPEM(t)

	docs := map[string]any{} // path -> document
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		doc, ok := docs[r.URL.Path]
		mu.Unlock()
		if red, isRedirect := doc.(string); isRedirect {
			http.Redirect(w, r, red, http.StatusFound)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(doc)
	}))
	defer srv.Close()
	// A second host, standing for a server the attacker does not control.
	other := httptest.NewServer(srv.Config.Handler)
	defer other.Close()
	base := srv.URL
	set := func(path string, doc any) {
		mu.Lock()
		docs[path] = doc
		mu.Unlock()
	}

	// GoToSocial's real documents: the keyId answers a cut-down actor, the
	// full actor is at the owner id.
	set("/gts/users/alice/main-key", fromTestdata(t, "gotosocial/main-key.json", base+"/gts", victimPEM))
	set("/gts/users/alice", fromTestdata(t, "gotosocial/actor.json", base+"/gts", victimPEM))
	// Mastodon's: the key is a fragment of the actor.
	set("/masto/users/bob", map[string]any{"id": base + "/masto/users/bob", "type": "Person", "inbox": base + "/masto/users/bob/inbox",
		"publicKey": map[string]any{"id": base + "/masto/users/bob#main-key", "owner": base + "/masto/users/bob", "publicKeyPem": victimPEM}})
	// A separate key object, and an actor listing several keys.
	set("/keys/k1", map[string]any{"id": base + "/keys/k1", "owner": base + "/multi", "publicKeyPem": victimPEM})
	set("/multi", map[string]any{"id": base + "/multi", "type": "Person", "inbox": base + "/multi/inbox",
		"publicKey": []any{
			map[string]any{"id": base + "/multi#old", "owner": base + "/multi", "publicKeyPem": attackerPEM},
			map[string]any{"id": base + "/keys/k1", "owner": base + "/multi", "publicKeyPem": victimPEM},
		}})

	// The attacker's documents, each claiming someone else.
	set("/evil/claims-alice", map[string]any{"id": base + "/gts/users/alice", "type": "Person", "inbox": base + "/evil/inbox",
		"publicKey": map[string]any{"id": base + "/evil/claims-alice", "owner": base + "/gts/users/alice", "publicKeyPem": attackerPEM}})
	set("/evil/keyobj", map[string]any{"id": base + "/evil/keyobj", "owner": base + "/masto/users/bob", "publicKeyPem": attackerPEM})
	set("/evil/claims-local", map[string]any{"id": "http://wiki.local/ap/user/1", "type": "Person", "inbox": base + "/evil/inbox",
		"publicKey": map[string]any{"id": base + "/evil/claims-local", "owner": "http://wiki.local/ap/user/1", "publicKeyPem": attackerPEM}})
	set("/evil/k2", map[string]any{"id": base + "/evil/k2", "owner": base + "/evil/redirected", "publicKeyPem": attackerPEM})
	set("/evil/redirected", other.URL+"/evil/impostor")
	set("/evil/impostor", map[string]any{"id": base + "/evil/redirected", "type": "Person", "inbox": base + "/evil/inbox",
		"publicKey": map[string]any{"id": base + "/evil/k2", "owner": base + "/evil/redirected", "publicKeyPem": attackerPEM}})
	// An actor that lists the key, but as owned by someone else.
	set("/evil/lender", map[string]any{"id": base + "/evil/lender", "type": "Person", "inbox": base + "/evil/inbox",
		"publicKey": map[string]any{"id": base + "/evil/lender#k", "owner": base + "/gts/users/alice", "publicKeyPem": attackerPEM}})

	iris := actors.IRIs{Base: "http://wiki.local"}
	r := NewRemote(NewHTTPClient([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}), actors.NewKeys(&memKeys{}), iris, "test")

	for _, tc := range []struct {
		name, keyID string
		owner       string // want this owner; "" wants an error
		key         *rsa.PublicKey
		wantErr     error
	}{
		{"GoToSocial key document", base + "/gts/users/alice/main-key", base + "/gts/users/alice", victimKey, nil},
		{"Mastodon fragment", base + "/masto/users/bob#main-key", base + "/masto/users/bob", victimKey, nil},
		{"key object confirmed by an actor listing several keys", base + "/keys/k1", base + "/multi", victimKey, nil},
		{"document claiming another actor's id", base + "/evil/claims-alice", "", nil, ErrUntrustedKey},
		{"key object claiming another owner", base + "/evil/keyobj", "", nil, ErrUntrustedKey},
		{"claims one of our own actors", base + "/evil/claims-local", "", nil, ErrUntrustedKey},
		{"owner answered from another host after a redirect", base + "/evil/k2", "", nil, ErrUntrustedKey},
		{"actor lists the key as someone else's", base + "/evil/lender#k", "", nil, ErrUntrustedKey},
		{"fragment of an actor that lists another key", base + "/masto/users/bob#other", "", nil, ErrUntrustedKey},
		{"key that is not there", base + "/evil/nothing", "", nil, ErrRemoteGone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := r.ResolveKey(context.Background(), tc.keyID, false)
			if tc.owner == "" {
				if err == nil {
					t.Fatalf("believed a key of %s", k.Owner)
				}
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if MayPass(err) {
					t.Fatalf("%v would be answered 503, as if it could pass", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.Owner != tc.owner || k.ID != tc.keyID {
				t.Fatalf("key %s of %s, want %s of %s", k.ID, k.Owner, tc.keyID, tc.owner)
			}
			if !k.Key.(*rsa.PublicKey).Equal(tc.key) {
				t.Fatal("not the owner's key material")
			}
		})
	}
}
