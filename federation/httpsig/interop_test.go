package httpsig

import (
	"bufio"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	gofed "github.com/go-fed/httpsig"
)

// These tests check our code against signatures and verifiers that do not
// come from go-fed or from our Signer, so the package is not only tested
// against itself.

// cavageTestKey is the RSA test key of draft-cavage-http-signatures-12,
// Appendix C.
const cavageTestKey = `-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----`

// Appendix C.2 "Basic Test" signature over the draft's example request.
const cavageBasicSig = "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="

func parseRaw(t *testing.T, raw string) (*http.Request, []byte) {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r, body
}

func TestCavageAppendixCVector(t *testing.T) {
	block, _ := pem.Decode([]byte(cavageTestKey))
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	raw := "POST /foo?param=value&pet=dog HTTP/1.1\r\n" +
		"Host: example.com\r\n" +
		"Date: Sun, 05 Jan 2014 21:31:40 GMT\r\n" +
		"Content-Type: application/json\r\n" +
		"Digest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\r\n" +
		"Content-Length: 18\r\n" +
		`Signature: keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="` + cavageBasicSig + "\"\r\n" +
		"\r\n" +
		`{"hello": "world"}`
	r, body := parseRaw(t, raw)

	// The independent test signer reproduces the published signature.
	ss, err := handSigningString(r.Method, r.RequestURI, r.Host, r.Header, []string{"(request-target)", "host", "date"})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(ss))
	sig, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.StdEncoding.EncodeToString(sig); got != cavageBasicSig {
		t.Fatalf("hand signer disagrees with the draft's vector:\n got %s\nwant %s", got, cavageBasicSig)
	}

	// Our Digest check agrees with the draft's Digest of the body.
	if err := checkDigest(r.Header, body); err != nil {
		t.Errorf("checkDigest on draft vector: %v", err)
	}

	// Policy: an ActivityPub POST must sign digest, so Verify refuses it...
	v := NewVerifier(resolverFor(&priv.PublicKey))
	v.Now = func() time.Time { return time.Date(2014, 1, 5, 21, 31, 40, 0, time.UTC) }
	if _, err := v.Verify(t.Context(), r, body); !errors.Is(err, ErrMissingSignedHeader) {
		t.Errorf("Verify = %v, want ErrMissingSignedHeader", err)
	}
	// ...but the cryptographic path accepts the published signature.
	p, err := requestSigParams(r.Header)
	if err != nil {
		t.Fatal(err)
	}
	k := PublicKey{ID: "Test", Owner: "test", Key: &priv.PublicKey}
	if err := verifyWithKey(r, signedHeaderCopy(r, p), verifyTargets(r), k); err != nil {
		t.Errorf("verifyWithKey on draft vector: %v", err)
	}
}

// TestVerifyMastodonStyleRequest: the request is written as raw HTTP text
// and the signing string by hand, the way Mastodon's HttpSignatureDraft
// builds it, so neither go-fed nor our Signer is involved.
func TestVerifyMastodonStyleRequest(t *testing.T) {
	date := testNow.Add(-3 * time.Minute).Format(http.TimeFormat)
	body := `{"@context":"https://www.w3.org/ns/activitystreams","type":"Follow","actor":"` + testActor + `"}`
	sum := sha256.Sum256([]byte(body))
	digest := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
	sign := func(ss string) string {
		h := sha256.Sum256([]byte(ss))
		sig, err := rsa.SignPKCS1v15(nil, keyA(), crypto.SHA256, h[:])
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(sig)
	}

	t.Run("POST inbox", func(t *testing.T) {
		ss := "(request-target): post /users/main_page/inbox\n" +
			"host: wiki.example\n" +
			"date: " + date + "\n" +
			"digest: " + digest + "\n" +
			"content-type: application/activity+json"
		raw := "POST /users/main_page/inbox HTTP/1.1\r\n" +
			"Host: wiki.example\r\n" +
			"User-Agent: http.rb/5.2.0 (Mastodon/4.5.0; +https://social.example/)\r\n" +
			"Date: " + date + "\r\n" +
			"Digest: " + digest + "\r\n" +
			"Content-Type: application/activity+json\r\n" +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\n" +
			`Signature: keyId="` + testKeyID + `",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="` + sign(ss) + "\"\r\n" +
			"\r\n" + body
		r, b := parseRaw(t, raw)
		owner, err := testVerifier(resolverFor(&keyA().PublicKey)).Verify(t.Context(), r, b)
		if err != nil || owner != testActor {
			t.Fatalf("Verify = %q, %v", owner, err)
		}
	})
	t.Run("GET with query, hs2019", func(t *testing.T) {
		ss := "(request-target): get /users/main_page/outbox?page=true\n" +
			"host: wiki.example\n" +
			"date: " + date
		raw := "GET /users/main_page/outbox?page=true HTTP/1.1\r\n" +
			"Host: wiki.example\r\n" +
			"Accept: application/activity+json\r\n" +
			"Date: " + date + "\r\n" +
			`Signature: keyId="` + testKeyID + `",algorithm="hs2019",headers="(request-target) host date",signature="` + sign(ss) + "\"\r\n" +
			"\r\n"
		r, b := parseRaw(t, raw)
		if _, err := testVerifier(resolverFor(&keyA().PublicKey)).Verify(t.Context(), r, b); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSignerOutputVerifiesIndependently checks our Signer's output with the
// hand-written verifier (Mastodon's rules, crypto/rsa only) and against a
// literal expected signing string.
func TestSignerOutputVerifiesIndependently(t *testing.T) {
	body := []byte(`{"type":"Accept"}`)
	req := newRequest(t, http.MethodPost, "https://social.example/users/bob/inbox", body)
	req.Header.Set("Content-Type", "application/activity+json")
	if err := SignPOST(req, body, testKeyID, keyA()); err != nil {
		t.Fatal(err)
	}
	sr, _ := overWire(t, req, body)
	if err := handVerify(sr, &keyA().PublicKey); err != nil {
		t.Errorf("hand verifier rejects SignPOST output: %v", err)
	}
	sum := sha256.Sum256(body)
	want := "(request-target): post /users/bob/inbox\n" +
		"host: social.example\n" +
		"date: Sun, 01 Mar 2026 12:00:00 GMT\n" +
		"digest: SHA-256=" + base64.StdEncoding.EncodeToString(sum[:]) + "\n" +
		"content-type: application/activity+json"
	assertSignedString(t, sr.Header.Get("Signature"), want)

	get := newRequest(t, http.MethodGet, "https://social.example/users/bob?page=1", nil)
	if err := SignGET(get, testKeyID, keyA()); err != nil {
		t.Fatal(err)
	}
	sg, _ := overWire(t, get, nil)
	if err := handVerify(sg, &keyA().PublicKey); err != nil {
		t.Errorf("hand verifier rejects SignGET output: %v", err)
	}
	assertSignedString(t, sg.Header.Get("Signature"),
		"(request-target): get /users/bob?page=1\nhost: social.example\ndate: Sun, 01 Mar 2026 12:00:00 GMT")
	if !strings.Contains(sg.Header.Get("Signature"), `algorithm="rsa-sha256"`) {
		t.Errorf("Signature %q lacks algorithm=\"rsa-sha256\"", sg.Header.Get("Signature"))
	}
}

func assertSignedString(t *testing.T, header, signingString string) {
	t.Helper()
	m := handParam.FindAllStringSubmatch(header, -1)
	var sigB64 string
	for _, kv := range m {
		if kv[1] == "signature" {
			sigB64 = kv[2]
		}
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte(signingString))
	if err := rsa.VerifyPKCS1v15(&keyA().PublicKey, crypto.SHA256, h[:], sig); err != nil {
		t.Errorf("signature is not over\n%s\n: %v", signingString, err)
	}
}

// TestVerifyGoFedStyle: GoToSocial signs with stock go-fed/httpsig
// (algorithm="hs2019", decoded path); those signatures must verify.
func TestVerifyGoFedStyle(t *testing.T) {
	body := []byte(`{"type":"Like"}`)
	req := newRequest(t, http.MethodPost, "https://wiki.example/users/page/inbox", body)
	req.Header.Set("Host", req.URL.Host)
	s, _, err := gofed.NewSigner([]gofed.Algorithm{gofed.RSA_SHA256}, gofed.DigestSha256, postSignedHeaders, gofed.Signature, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SignRequest(keyA(), testKeyID, req, body); err != nil {
		t.Fatal(err)
	}
	sr, sb := overWire(t, req, body)
	if _, err := testVerifier(resolverFor(&keyA().PublicKey)).Verify(t.Context(), sr, sb); err != nil {
		t.Fatal(err)
	}
}
