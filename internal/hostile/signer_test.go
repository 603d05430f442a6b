package hostile

// The suite's own draft-cavage signer, written from the draft and from
// what Mastodon and GoToSocial send, sharing nothing with wikipub's
// federation/httpsig: a bug there must not be copied here.

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// keyPool hands out RSA-2048 keys, made once per test binary: a key costs
// ~80 ms and the suite needs a handful.
var keyPool struct {
	sync.Mutex
	keys []*rsa.PrivateKey
}

// newKey returns the n-th key of the pool (n from 0), making it on first use.
func newKey(t testing.TB, n int) *rsa.PrivateKey {
	t.Helper()
	keyPool.Lock()
	defer keyPool.Unlock()
	for len(keyPool.keys) <= n {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		keyPool.keys = append(keyPool.keys, k)
	}
	return keyPool.keys[n]
}

// publicPEM is the key's public half as a PKIX "PUBLIC KEY" block, the
// form Mastodon and GoToSocial publish.
func publicPEM(t testing.TB, k *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// signOpts changes what a request signs, for the attacks that need a
// signature wikipub should refuse.
type signOpts struct {
	// headers replaces the signed header list; default
	// "(request-target) host date digest".
	headers []string
	// host replaces the Host header (and what is signed as host).
	host string
	// date replaces the Date header.
	date time.Time
}

// signedPost builds a POST of body to u, signed with key as keyID.
func signedPost(t testing.TB, u string, body []byte, keyID string, key *rsa.PrivateKey, o signOpts) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", `application/activity+json`)
	req.Header.Set("User-Agent", "hostile-peer/1 (+test)")
	sum := sha256.Sum256(body)
	req.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
	if o.host != "" {
		req.Host = o.host
	}
	sign(t, req, keyID, key, o)
	return req
}

// signedGet builds a GET of u signed with key as keyID.
func signedGet(t testing.TB, u, keyID string, key *rsa.PrivateKey) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/activity+json")
	req.Header.Set("User-Agent", "hostile-peer/1 (+test)")
	sign(t, req, keyID, key, signOpts{headers: []string{"(request-target)", "host", "date"}})
	return req
}

// sign adds Date and a draft-cavage Signature header (rsa-sha256).
func sign(t testing.TB, req *http.Request, keyID string, key *rsa.PrivateKey, o signOpts) {
	t.Helper()
	date := o.date
	if date.IsZero() {
		date = time.Now()
	}
	req.Header.Set("Date", date.UTC().Format(http.TimeFormat))
	headers := o.headers
	if headers == nil {
		headers = []string{"(request-target)", "host", "date", "digest"}
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	var lines []string
	for _, h := range headers {
		switch h {
		case "(request-target)":
			lines = append(lines, h+": "+strings.ToLower(req.Method)+" "+req.URL.RequestURI())
		case "host":
			lines = append(lines, "host: "+host)
		default:
			lines = append(lines, h+": "+req.Header.Get(h))
		}
	}
	digest := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Signature", fmt.Sprintf(`keyId="%s",algorithm="rsa-sha256",headers="%s",signature="%s"`,
		keyID, strings.Join(headers, " "), base64.StdEncoding.EncodeToString(sig)))
}
