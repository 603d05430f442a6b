package fedpeer

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// actorMut is a shorthand for an actor mutator option.
func actorMut(f func(doc map[string]any)) Option {
	return WithActorMutator(func(doc map[string]any, _ *http.Request) { f(doc) })
}

// jrdMut is a shorthand for a WebFinger mutator option; host is the peer's.
func jrdMut(f func(jrd map[string]any, host string)) Option {
	return WithWebFingerMutator(func(jrd map[string]any, r *http.Request) { f(jrd, r.Host) })
}

// statusFor answers status to GETs of path, like a broken or gone actor.
func statusFor(path string, status int) Option {
	return WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && r.URL.Path == path {
				http.Error(w, "no", status)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
}

// Each case makes the looked-up peer break one rule and expects Lookup to
// name that rule; the first cases are conformant controls.
func TestLookupRules(t *testing.T) {
	var wfCalls atomic.Int32
	otherKey := poolKey(t, 2)
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ldProfile := `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

	cases := []struct {
		name   string
		opts   []Option
		handle func(b *Peer) string // default b.Handle()
		want   error                // nil: Lookup must succeed
	}{
		{name: "conformant", want: nil},
		{name: "ld+json with AS profile", opts: []Option{rewriteContentType("/users/", ldProfile)}, want: nil},
		{name: "webfinger application/json", opts: []Option{rewriteContentType("/.well-known/", "application/json")}, want: nil},
		{name: "embedded url Link on host", opts: []Option{actorMut(func(d map[string]any) {
			d["url"] = map[string]any{"type": "Link", "href": d["id"].(string) + "/profile"}
		})}, want: nil},

		{name: "handle without host", handle: func(*Peer) string { return "alice" }, want: ErrBadHandle},
		{name: "unknown user 404", handle: func(b *Peer) string { return "bob@" + b.Host() }, want: ErrWebFingerStatus},
		{name: "webfinger 410 gone", opts: []Option{statusFor("/.well-known/webfinger", http.StatusGone)}, want: ErrWebFingerStatus},
		{name: "webfinger served as HTML", opts: []Option{rewriteContentType("/.well-known/", "text/html")}, want: ErrWebFingerContentType},
		{name: "subject names another user", opts: []Option{jrdMut(func(j map[string]any, host string) {
			j["subject"] = "acct:bob@" + host
		})}, want: ErrSubjectMismatch},
		{name: "subject not acct:", opts: []Option{jrdMut(func(j map[string]any, host string) {
			j["subject"] = "http://" + host + "/users/alice"
		})}, want: ErrSubjectMismatch},
		{name: "subject in another case", opts: []Option{jrdMut(func(j map[string]any, host string) {
			j["subject"] = "acct:Alice@" + host
		})}, want: ErrSubjectMismatch},
		{name: "uppercase username typed as is", opts: []Option{WithUsername("Alice")}, want: nil},
		{name: "username trailing dot", opts: []Option{WithUsername("alice.")}, want: ErrUsernameFormat},
		{name: "username non-ASCII", opts: []Option{WithUsername("élise")}, want: ErrUsernameFormat},
		{name: "username with colon", opts: []Option{WithUsername("Talk:alice")}, want: ErrUsernameFormat},
		{name: "username 129 chars", opts: []Option{WithUsername(strings.Repeat("a", 129))}, want: ErrUsernameFormat},
		{name: "no self link", opts: []Option{jrdMut(func(j map[string]any, _ string) { j["links"] = []any{} })}, want: ErrNoSelfLink},
		{name: "self link is HTML", opts: []Option{jrdMut(func(j map[string]any, _ string) {
			j["links"] = []any{map[string]any{"rel": "self", "type": "text/html", "href": j["aliases"].([]any)[0]}}
		})}, want: ErrNoSelfLink},
		{name: "webfinger href is not the id", opts: []Option{jrdMut(func(j map[string]any, _ string) {
			l := j["links"].([]any)[0].(map[string]any)
			l["href"] = l["href"].(string) + "?format=json"
		})}, want: ErrIDMismatch},
		{name: "actor id differs from URL", opts: []Option{actorMut(func(d map[string]any) { d["id"] = d["id"].(string) + "x" })}, want: ErrIDMismatch},
		{name: "re-webfinger points elsewhere", opts: []Option{jrdMut(func(j map[string]any, host string) {
			if wfCalls.Add(1) > 1 {
				j["links"] = []any{map[string]any{"rel": "self", "type": "application/activity+json", "href": "http://" + host + "/users/impostor"}}
			}
		})}, want: ErrNoLoopBack},
		{name: "webfinger property unknown", opts: []Option{actorMut(func(d map[string]any) {
			d["webfinger"] = "nobody@" + hostOfURL(d["id"].(string))
		})}, want: ErrNoLoopBack},
		{name: "preferredUsername differs", opts: []Option{actorMut(func(d map[string]any) { d["preferredUsername"] = "bob" })}, want: ErrNoLoopBack},
		{name: "no ActivityStreams context", opts: []Option{actorMut(func(d map[string]any) { d["@context"] = []any{secContext} })}, want: ErrContext},
		{name: "no security context", opts: []Option{actorMut(func(d map[string]any) { d["@context"] = asContext })}, want: ErrContext},
		{name: "actor as application/json", opts: []Option{rewriteContentType("/users/", "application/json")}, want: ErrContentType},
		{name: "actor ld+json without profile", opts: []Option{rewriteContentType("/users/", "application/ld+json")}, want: ErrContentType},
		{name: "actor gone", opts: []Option{statusFor("/users/alice", http.StatusGone)}, want: ErrFetchStatus},
		{name: "actor over 1 MB", opts: []Option{actorMut(func(d map[string]any) { d["summary"] = strings.Repeat("x", 1<<20) })}, want: ErrBodyTooLarge},
		{name: "type Note", opts: []Option{actorMut(func(d map[string]any) { d["type"] = "Note" })}, want: ErrActorType},
		{name: "no inbox", opts: []Option{actorMut(func(d map[string]any) { delete(d, "inbox") })}, want: ErrMissingField},
		{name: "inbox on another host", opts: []Option{actorMut(func(d map[string]any) { d["inbox"] = "http://other.example/inbox" })}, want: ErrForeignHost},
		{name: "sharedInbox on another host", opts: []Option{actorMut(func(d map[string]any) {
			d["endpoints"] = map[string]any{"sharedInbox": "http://other.example/inbox"}
		})}, want: ErrForeignHost},
		{name: "url on another host", opts: []Option{actorMut(func(d map[string]any) { d["url"] = "http://wiki.example/wiki/Alice" })}, want: ErrForeignHost},
		{name: "outbox with %XX", opts: []Option{actorMut(func(d map[string]any) { d["outbox"] = d["id"].(string) + "/out%20box" })}, want: ErrBadPath},
		{name: "followers non-ASCII", opts: []Option{actorMut(func(d map[string]any) { d["followers"] = d["id"].(string) + "/abonnés" })}, want: ErrBadPath},
		{name: "no publicKey", opts: []Option{actorMut(func(d map[string]any) { delete(d, "publicKey") })}, want: ErrPublicKey},
		{name: "two publicKeys", opts: []Option{actorMut(func(d map[string]any) { d["publicKey"] = []any{d["publicKey"], d["publicKey"]} })}, want: ErrPublicKey},
		{name: "publicKeyPem garbage", opts: []Option{actorMut(func(d map[string]any) {
			d["publicKey"].(map[string]any)["publicKeyPem"] = "not a key"
		})}, want: ErrPublicKey},
		{name: "RSA-1024 key", opts: []Option{WithKey(weak)}, want: ErrPublicKey},
		{name: "key id on another host", opts: []Option{actorMut(func(d map[string]any) {
			d["publicKey"].(map[string]any)["id"] = "http://other.example/key"
		})}, want: ErrForeignHost},
		{name: "key owner is not the actor", opts: []Option{actorMut(func(d map[string]any) {
			d["publicKey"].(map[string]any)["owner"] = d["id"].(string) + "x"
		})}, want: ErrKeyOwner},
		{name: "key needs a signature", opts: []Option{refuseUnsigned("/users/alice/main-key")}, want: ErrKeyNeedsSignature},
		{name: "unsigned fetch serves another key", opts: []Option{WithActorMutator(func(d map[string]any, r *http.Request) {
			if r.Header.Get("Signature") == "" {
				d["publicKey"].(map[string]any)["publicKeyPem"] = publicKeyPEM(&otherKey.PublicKey)
			}
		})}, want: ErrKeyMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			wfCalls.Store(0)
			a := newPeer(t, 0)
			opts := append([]Option{WithKey(poolKey(t, 1))}, tc.opts...)
			b := New(t, opts...)
			handle := b.Handle()
			if tc.handle != nil {
				handle = tc.handle(b)
			}
			ra, err := a.Lookup(ctx, handle)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Lookup(%s) = %v, want success", handle, err)
				}
				if ra.ID != b.ActorID() {
					t.Errorf("ID %s", ra.ID)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Lookup(%s) = %v\nwant %v", handle, err, tc.want)
			}
			t.Logf("%v", err)
		})
	}
}
