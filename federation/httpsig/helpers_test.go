package httpsig

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Test fixtures: generated once per test binary, never mutated.
var (
	testKeys = sync.OnceValue(func() [3]*rsa.PrivateKey {
		var ks [3]*rsa.PrivateKey
		for i := range ks {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			ks[i] = k
		}
		return ks
	})
	testEd25519 = sync.OnceValue(func() ed25519.PublicKey {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		return pub
	})
)

const (
	testActor = "https://social.example/users/alice"
	testKeyID = testActor + "#main-key"
	testHost  = "wiki.example"
)

// testNow is the fixed clock of every verification test.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func keyA() *rsa.PrivateKey { return testKeys()[0] }
func keyB() *rsa.PrivateKey { return testKeys()[1] }

// fakeResolver answers every keyId with the key at index min(call, len-1)
// and records the refresh flag of each call.
type fakeResolver struct {
	mu    sync.Mutex
	keys  []crypto.PublicKey // per call; last one repeats
	errs  []error            // per call; nil entries mean success
	calls []bool
}

func (f *fakeResolver) ResolveKey(_ context.Context, keyID string, refresh bool) (PublicKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.calls)
	f.calls = append(f.calls, refresh)
	if n < len(f.errs) && f.errs[n] != nil {
		return PublicKey{}, f.errs[n]
	}
	k := f.keys[min(n, len(f.keys)-1)]
	return PublicKey{ID: keyID, Owner: testActor, Key: k}, nil
}

func resolverFor(keys ...crypto.PublicKey) *fakeResolver { return &fakeResolver{keys: keys} }

func testVerifier(keys KeyResolver) *Verifier {
	v := NewVerifier(keys)
	v.Now = func() time.Time { return testNow }
	return v
}

// newRequest builds an outgoing request with Date = testNow.
func newRequest(t testing.TB, method, rawURL string, body []byte) *http.Request {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequest(method, rawURL, rd)
	} else {
		req, err = http.NewRequest(method, rawURL, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Date", testNow.Format(http.TimeFormat))
	return req
}

// overWire serialises a client request the way net/http sends it and parses
// it back the way net/http serves it, so Verify sees a real server-side
// request (RequestURI raw, Host moved out of the header map).
func overWire(t testing.TB, req *http.Request, body []byte) (*http.Request, []byte) {
	t.Helper()
	if body != nil {
		req.Body = nopCloser{bytes.NewReader(body)}
		req.ContentLength = int64(len(body))
	}
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(sr.Body)
	if err != nil {
		t.Fatal(err)
	}
	return sr, got
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// ---- Independent draft-cavage implementation (no go-fed), modelled on
// Mastodon's HttpSignatureDraft and SignatureVerification. ----

// handSigningString builds the signing string from first principles:
// "(request-target): <method> <raw path?query>" and "name: value" lines.
func handSigningString(method, target, host string, h http.Header, headers []string) (string, error) {
	lines := make([]string, 0, len(headers))
	for _, name := range headers {
		name = strings.ToLower(name)
		switch name {
		case "(request-target)":
			lines = append(lines, name+": "+strings.ToLower(method)+" "+target)
		case "host":
			lines = append(lines, "host: "+host)
		default:
			vs := h.Values(name)
			if len(vs) == 0 {
				return "", fmt.Errorf("header %q missing", name)
			}
			lines = append(lines, name+": "+strings.Join(vs, ", "))
		}
	}
	return strings.Join(lines, "\n"), nil
}

// handSign signs a client request by hand with crypto/rsa and sets
// Signature. target overrides the request target ("" = URL.RequestURI);
// algo "" omits the algorithm parameter.
func handSign(t testing.TB, req *http.Request, key *rsa.PrivateKey, algo, target string, headers []string) {
	t.Helper()
	if target == "" {
		target = req.URL.RequestURI()
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	ss, err := handSigningString(req.Method, target, host, req.Header, headers)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(ss))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	v := fmt.Sprintf(`keyId="%s",`, testKeyID)
	if algo != "" {
		v += fmt.Sprintf(`algorithm="%s",`, algo)
	}
	v += fmt.Sprintf(`headers="%s",signature="%s"`, strings.Join(headers, " "), base64.StdEncoding.EncodeToString(sig))
	req.Header.Set("Signature", v)
}

func setDigest(req *http.Request, body []byte) {
	sum := sha256.Sum256(body)
	req.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
}

var handParam = regexp.MustCompile(`(\w+)="([^"]*)"`)

// handVerify checks a server-side request the way Mastodon does: the raw
// request target (original_fullpath), lowercased header names, crypto/rsa.
func handVerify(r *http.Request, pub *rsa.PublicKey) error {
	params := map[string]string{}
	for _, m := range handParam.FindAllStringSubmatch(r.Header.Get("Signature"), -1) {
		params[m[1]] = m[2]
	}
	if a := params["algorithm"]; a != "rsa-sha256" && a != "hs2019" {
		return fmt.Errorf("algorithm %q", a)
	}
	ss, err := handSigningString(r.Method, r.RequestURI, r.Host, r.Header, strings.Fields(params["headers"]))
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(params["signature"])
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(ss))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}
