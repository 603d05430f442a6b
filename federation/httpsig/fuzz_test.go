package httpsig

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzVerify feeds arbitrary request lines, Signature/Authorization, Date,
// Digest, Content-Type and bodies into Verify. The resolver answers with a
// freshly generated key whose private half is thrown away, so Verify must
// never succeed; it must also never panic and every error must carry one of
// the package's sentinels (StatusCode != 500).
func FuzzVerify(f *testing.F) {
	// Seeds: genuinely signed requests (by keyA, which the resolver does
	// not return), so mutations start deep inside the verification path.
	body := []byte(`{"type":"Create"}`)
	post := newRequest(f, http.MethodPost, "https://wiki.example/users/page/inbox?x=1", body)
	post.Header.Set("Content-Type", "application/activity+json")
	if err := SignPOST(post, body, testKeyID, keyA()); err != nil {
		f.Fatal(err)
	}
	get := newRequest(f, http.MethodGet, "https://wiki.example/wiki/Caf%C3%A9", nil)
	if err := SignGET(get, testKeyID, keyA()); err != nil {
		f.Fatal(err)
	}
	date := testNow.Format(http.TimeFormat)
	sig := post.Header.Get("Signature")
	f.Add("POST", "/users/page/inbox?x=1", sig, date, post.Header.Get("Digest"), "application/activity+json", "", body)
	f.Add("GET", "/wiki/Caf%C3%A9", get.Header.Get("Signature"), date, "", "", "", []byte(nil))
	f.Add("GET", "/wiki/Caf%C3%A9", "", date, "", "", "Signature "+get.Header.Get("Signature"), []byte(nil))
	f.Add("POST", "/inbox", strings.Replace(sig, "rsa-sha256", "hs2019", 1), date, "sha-256=AAAA, SHA-512=BBBB", "", "", body)
	f.Add("POST", "http://wiki.example/inbox", `keyId="a\"b",headers="(request-target) (created) host date digest",created=1,signature="AAAA"`, date, "SHA-256=", "", "", []byte{})
	f.Add("DELETE", "*", `keyId="err",signature="=",headers="",keyId="x"`, "Mon, 02 Jan 2006 15:04:05 MST", "", "", "", []byte("x"))
	f.Add("", "", `,,,=,"`, "", "", "", "Signature", []byte(nil))

	// Only the public half leaves this closure: nobody can sign for it.
	randomPub := func() *rsa.PublicKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			f.Fatal(err)
		}
		return &k.PublicKey
	}()
	res := KeyResolverFunc(func(_ context.Context, keyID string, _ bool) (PublicKey, error) {
		if strings.Contains(keyID, "err") {
			return PublicKey{}, errors.New("fetch failed")
		}
		return PublicKey{ID: keyID, Owner: "https://social.example/users/mallory", Key: randomPub}, nil
	})
	v := testVerifier(res)

	f.Fuzz(func(t *testing.T, method, target, sigHdr, date, digest, ctype, authz string, body []byte) {
		r := &http.Request{Method: method, RequestURI: target, Host: testHost, Header: http.Header{}}
		if u, err := url.ParseRequestURI(target); err == nil {
			r.URL = u
		}
		for k, val := range map[string]string{"Signature": sigHdr, "Date": date, "Digest": digest, "Content-Type": ctype, "Authorization": authz} {
			if val != "" {
				r.Header[k] = []string{val}
			}
		}
		owner, err := v.Verify(context.Background(), r, body)
		if err == nil {
			t.Fatalf("Verify succeeded with a key nobody holds: owner %q", owner)
		}
		if owner != "" {
			t.Fatalf("owner %q returned with error %v", owner, err)
		}
		if StatusCode(err) == http.StatusInternalServerError {
			t.Fatalf("error carries no sentinel: %v", err)
		}
	})
}
