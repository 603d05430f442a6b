package fedpeer

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// followOf is a conformant Follow from a to b.
func followOf(a, b *Peer) map[string]any {
	return map[string]any{
		"@context": asContext, "id": a.newID("follows"), "type": "Follow",
		"actor": a.ActorID(), "object": b.ActorID(),
	}
}

// resign re-signs req with the given headers (default set when none).
func resign(t *testing.T, a *Peer, body []byte, headers ...string) func(*http.Request) {
	return func(req *http.Request) {
		if err := a.Sign(req, body, headers...); err != nil {
			t.Fatal(err)
		}
	}
}

// setDate moves the Date header and re-signs, giving a valid signature
// over a skewed Date.
func setDate(t *testing.T, a *Peer, body []byte, d time.Duration) func(*http.Request) {
	return func(req *http.Request) {
		req.Header.Set("Date", time.Now().Add(d).UTC().Format(http.TimeFormat))
		resign(t, a, body)(req)
	}
}

// Each case sends one delivery from a to b, conformant or breaking one
// rule, and checks b's answer and records.
func TestInboxRules(t *testing.T) {
	otherKey := poolKey(t, 2)
	var keyFetches atomic.Int32

	type env struct {
		t    *testing.T
		a, b *Peer
		body []byte
	}
	cases := []struct {
		name       string
		senderOpts []Option
		activity   func(a, b *Peer) map[string]any // default followOf(a, b)
		rawBody    []byte                          // overrides activity
		shared     bool
		query      string
		mutate     func(e env) func(*http.Request)
		wantStatus int
		wantErr    error // nil: accepted without violations
		tolerated  bool  // accepted (2xx) but wantErr recorded as a violation
	}{
		{name: "personal inbox", wantStatus: 202},
		{name: "shared inbox", shared: true, wantStatus: 202},
		{name: "hs2019", mutate: func(e env) func(*http.Request) {
			return func(r *http.Request) {
				r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `algorithm="rsa-sha256"`, `algorithm="hs2019"`, 1))
			}
		}, wantStatus: 202},
		{name: "query string signed", query: "?page=1", wantStatus: 202},
		{name: "query string added after signing", mutate: func(e env) func(*http.Request) {
			return func(r *http.Request) { r.URL.RawQuery = "page=1" }
		}, wantStatus: 202},
		{name: "Date 64 minutes old", mutate: func(e env) func(*http.Request) { return setDate(e.t, e.a, e.body, -64*time.Minute) }, wantStatus: 202},
		{name: "Date 59 minutes ahead", mutate: func(e env) func(*http.Request) { return setDate(e.t, e.a, e.body, 59*time.Minute) }, wantStatus: 202},
		{name: "key changed since cached", senderOpts: []Option{WithActorMutator(func(d map[string]any, r *http.Request) {
			if r.Header.Get("Signature") == "" && keyFetches.Add(1) == 1 {
				d["publicKey"].(map[string]any)["publicKeyPem"] = publicKeyPEM(&otherKey.PublicKey)
			}
		})}, wantStatus: 202},

		{name: "no signature", mutate: func(e env) func(*http.Request) {
			return func(r *http.Request) { r.Header.Del("Signature") }
		}, wantStatus: 401, wantErr: ErrNoSignature},
		{name: "garbage Signature header", mutate: func(e env) func(*http.Request) {
			return func(r *http.Request) { r.Header.Set("Signature", "garbage") }
		}, wantStatus: 401, wantErr: ErrSignatureFormat},
		{name: "algorithm hmac-sha256", mutate: func(e env) func(*http.Request) {
			return func(r *http.Request) {
				r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `rsa-sha256`, `hmac-sha256`, 1))
			}
		}, wantStatus: 401, wantErr: ErrAlgorithm},
		{name: "digest not signed", mutate: func(e env) func(*http.Request) {
			return resign(e.t, e.a, e.body, "(request-target)", "host", "date", "content-type")
		}, wantStatus: 401, wantErr: ErrUnsignedHeader},
		{name: "date not signed", mutate: func(e env) func(*http.Request) {
			return resign(e.t, e.a, e.body, "(request-target)", "host", "digest")
		}, wantStatus: 401, wantErr: ErrUnsignedHeader},
		{name: "host not signed", mutate: func(e env) func(*http.Request) {
			return resign(e.t, e.a, e.body, "(request-target)", "date", "digest")
		}, wantStatus: 401, wantErr: ErrUnsignedHeader},
		{name: "request-target not signed", mutate: func(e env) func(*http.Request) {
			return resign(e.t, e.a, e.body, "host", "date", "digest")
		}, wantStatus: 401, wantErr: ErrUnsignedHeader},
		{name: "signed header dropped", mutate: func(e env) func(*http.Request) {
			return func(r *http.Request) {
				r.Header.Set("X-Extra", "1")
				resign(e.t, e.a, e.body, "(request-target)", "host", "date", "digest", "x-extra")(r)
				r.Header.Del("X-Extra")
			}
		}, wantStatus: 401, wantErr: ErrMissingHeader},
		{name: "Digest dropped", mutate: func(e env) func(*http.Request) {
			return func(r *http.Request) { r.Header.Del("Digest") }
		}, wantStatus: 401, wantErr: ErrDigestMissing},
		{name: "Digest SHA-512 only", mutate: func(e env) func(*http.Request) {
			return func(r *http.Request) { r.Header.Set("Digest", "SHA-512=AAAA") }
		}, wantStatus: 401, wantErr: ErrDigestMissing},
		{name: "Digest of another body", mutate: func(e env) func(*http.Request) {
			return func(r *http.Request) { r.Header.Set("Digest", digestHeader([]byte("{}"))) }
		}, wantStatus: 401, wantErr: ErrDigestMismatch},
		{name: "Date 66 minutes old", mutate: func(e env) func(*http.Request) { return setDate(e.t, e.a, e.body, -66*time.Minute) },
			wantStatus: 401, wantErr: ErrDateWindow},
		{name: "Date 61 minutes ahead", mutate: func(e env) func(*http.Request) { return setDate(e.t, e.a, e.body, 61*time.Minute) },
			wantStatus: 401, wantErr: ErrDateWindow},
		{name: "sender clock 2h behind", senderOpts: []Option{WithClock(func() time.Time { return time.Now().Add(-2 * time.Hour) })},
			wantStatus: 401, wantErr: ErrDateWindow},
		{name: "signature byte flipped", mutate: func(e env) func(*http.Request) {
			return func(r *http.Request) {
				sp, err := parseSignature(r.Header.Get("Signature"))
				if err != nil {
					e.t.Fatal(err)
				}
				sp.Signature[10] ^= 1
				r.Header.Set("Signature", formatSignature(sp))
			}
		}, wantStatus: 401, wantErr: ErrBadSignature},
		{name: "body replaced with matching Digest", mutate: func(e env) func(*http.Request) {
			return func(r *http.Request) {
				nb := bytes.Replace(e.body, []byte(`"Follow"`), []byte(`"Block"`), 1)
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(nb)), int64(len(nb))
				r.Header.Set("Digest", digestHeader(nb))
			}
		}, wantStatus: 401, wantErr: ErrBadSignature},
		{name: "keyId not fetchable", mutate: func(e env) func(*http.Request) {
			return func(r *http.Request) {
				r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), "/main-key", "/nokey/main-key", 1))
			}
		}, wantStatus: 401, wantErr: ErrKeyFetch},
		{name: "signer is not the actor", activity: func(a, b *Peer) map[string]any {
			f := followOf(a, b)
			f["actor"] = b.BaseURL() + "/users/mallory"
			f["id"] = b.BaseURL() + "/users/mallory/follows/1"
			return f
		}, wantStatus: 401, wantErr: ErrSignerNotActor},
		{name: "no actor", activity: func(a, b *Peer) map[string]any {
			f := followOf(a, b)
			delete(f, "actor")
			return f
		}, wantStatus: 401, wantErr: ErrNoActor},
		{name: "activity id on another host", activity: func(a, b *Peer) map[string]any {
			f := followOf(a, b)
			f["id"] = "http://other.example/follows/1"
			return f
		}, wantStatus: 401, wantErr: ErrForeignID},
		{name: "Create of a foreign object", activity: func(a, b *Peer) map[string]any {
			return map[string]any{"@context": asContext, "id": a.newID("creates"), "type": "Create", "actor": a.ActorID(),
				"object": map[string]any{"id": "http://other.example/notes/1", "type": "Note", "attributedTo": a.ActorID()}}
		}, wantStatus: 401, wantErr: ErrForeignID},
		{name: "key owner is not the actor", senderOpts: []Option{actorMut(func(d map[string]any) {
			d["publicKey"].(map[string]any)["owner"] = d["id"].(string) + "x"
		})}, wantStatus: 401, wantErr: ErrKeyOwner},
		{name: "key only fetchable signed", senderOpts: []Option{refuseUnsigned("/users/alice/main-key")},
			wantStatus: 202, wantErr: ErrKeyNeedsSignature, tolerated: true},
		{name: "standalone key document", senderOpts: standaloneKey(poolKey(t, 0), true),
			mutate: func(e env) func(*http.Request) {
				return signWithKeyID(e.t, e.a, e.a.ActorID()+"/main-key", e.body)
			}, wantStatus: 202},
		{name: "standalone key its owner does not list", senderOpts: standaloneKey(poolKey(t, 0), false),
			mutate: func(e env) func(*http.Request) {
				return signWithKeyID(e.t, e.a, e.a.ActorID()+"/main-key", e.body)
			}, wantStatus: 401, wantErr: ErrKeyOwner},
		{name: "body of 1 MB", rawBody: bytes.Repeat([]byte(" "), 1<<20), wantStatus: 413, wantErr: ErrBodyTooLarge},
		{name: "body not JSON", rawBody: []byte("hello"), wantStatus: 400, wantErr: ErrBadJSON},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			keyFetches.Store(0)
			a := New(t, append([]Option{WithKey(poolKey(t, 0))}, tc.senderOpts...)...)
			b := newPeer(t, 1)
			body := tc.rawBody
			if body == nil {
				act := followOf(a, b)
				if tc.activity != nil {
					act = tc.activity(a, b)
				}
				var err error
				if body, err = json.Marshal(act); err != nil {
					t.Fatal(err)
				}
			}
			inbox := b.InboxURL()
			if tc.shared {
				inbox = b.SharedInboxURL()
			}
			var mutate func(*http.Request)
			if tc.mutate != nil {
				mutate = tc.mutate(env{t: t, a: a, b: b, body: body})
			}
			resp, err := a.SendRaw(ctx, inbox+tc.query, body, mutate)
			if err != nil {
				t.Fatal(err)
			}
			answer, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.wantStatus, answer)
			}
			rec, rej := b.Received(), b.Rejected()
			accepted := tc.wantErr == nil || tc.tolerated
			if accepted != (len(rec) == 1) {
				t.Errorf("accepted=%v but received %d", accepted, len(rec))
			}
			if tc.wantErr == nil {
				if len(rej) != 0 {
					t.Errorf("unexpected rejections: %+v", rej)
				}
				if len(rec) == 1 {
					want := InboxPersonal
					if tc.shared {
						want = InboxShared
					}
					if rec[0].Inbox != want || rec[0].Signer != a.ActorID() || !bytes.Equal(rec[0].Body, body) {
						t.Errorf("delivery %+v", rec[0])
					}
				}
				return
			}
			if len(rej) != 1 || !errors.Is(rej[0].Err, tc.wantErr) {
				t.Fatalf("rejections %+v, want one %v", rej, tc.wantErr)
			}
			t.Logf("%d %v", rej[0].Status, rej[0].Err)
		})
	}
}
