package httpsig

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	gofed "github.com/go-fed/httpsig"
)

func TestSignGETHeaders(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://social.example/users/bob?page=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC().Truncate(time.Second)
	if err := SignGET(req, testKeyID, keyA()); err != nil {
		t.Fatal(err)
	}
	d, err := http.ParseTime(req.Header.Get("Date"))
	if err != nil || d.Before(before) || d.After(time.Now().Add(time.Second)) {
		t.Errorf("Date = %q (%v), want now", req.Header.Get("Date"), err)
	}
	if !strings.HasSuffix(req.Header.Get("Date"), " GMT") {
		t.Errorf("Date %q not in http.TimeFormat", req.Header.Get("Date"))
	}
	if req.Host != "social.example" || req.Header.Get("Host") != "social.example" {
		t.Errorf("Host = %q / %q", req.Host, req.Header.Get("Host"))
	}
	p, err := parseSigParams(req.Header.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	if p.KeyID != testKeyID || p.Algorithm != "rsa-sha256" || strings.Join(p.Headers, " ") != "(request-target) host date" {
		t.Errorf("Signature params = %+v", p)
	}
	if req.Header.Get("Digest") != "" {
		t.Error("GET got a Digest header")
	}
}

func TestSignPOSTHeaders(t *testing.T) {
	for _, ct := range []string{"", "application/activity+json"} {
		t.Run("content-type="+ct, func(t *testing.T) {
			body := []byte(`{"type":"Follow"}`)
			req := newRequest(t, http.MethodPost, "https://social.example/inbox", body)
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			if err := SignPOST(req, body, testKeyID, keyA()); err != nil {
				t.Fatal(err)
			}
			if got, want := req.Header.Get("Date"), testNow.Format(http.TimeFormat); got != want {
				t.Errorf("existing Date overwritten: %q, want %q", got, want)
			}
			if got := req.Header.Get("Digest"); got != digestHeader(body) || !strings.HasPrefix(got, "SHA-256=") {
				t.Errorf("Digest = %q", got)
			}
			p, err := parseSigParams(req.Header.Get("Signature"))
			if err != nil {
				t.Fatal(err)
			}
			want := "(request-target) host date digest"
			if ct != "" {
				want += " content-type"
			}
			if got := strings.Join(p.Headers, " "); got != want {
				t.Errorf("headers = %q, want %q", got, want)
			}
		})
	}
}

func TestSignPOSTDigestKnownValue(t *testing.T) {
	// Empty body: the well-known SHA-256 of "".
	if got, want := digestHeader(nil), "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; got != want {
		t.Errorf("digestHeader(nil) = %q, want %q", got, want)
	}
}

func TestSignResignReplacesSignature(t *testing.T) {
	body := []byte("x")
	req := newRequest(t, http.MethodPost, "https://social.example/inbox", body)
	for i := 0; i < 2; i++ {
		if err := SignPOST(req, body, testKeyID, keyA()); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(req.Header.Values("Signature")); n != 1 {
		t.Fatalf("%d Signature headers after re-signing", n)
	}
	sr, sb := overWire(t, req, body)
	if _, err := testVerifier(resolverFor(&keyA().PublicKey)).Verify(t.Context(), sr, sb); err != nil {
		t.Fatal(err)
	}
}

func TestSignErrors(t *testing.T) {
	get := func() *http.Request { return newRequest(t, http.MethodGet, "https://social.example/x", nil) }
	post := func() *http.Request { return newRequest(t, http.MethodPost, "https://social.example/x", nil) }
	cases := []struct {
		name string
		run  func() error
	}{
		{"SignGET on POST", func() error { return SignGET(post(), testKeyID, keyA()) }},
		{"SignPOST on GET", func() error { return SignPOST(get(), nil, testKeyID, keyA()) }},
		{"nil key", func() error { return SignGET(get(), testKeyID, nil) }},
		{"nil request", func() error { return SignGET(nil, testKeyID, keyA()) }},
		{"empty key id", func() error { return SignGET(get(), "", keyA()) }},
		{"quote in key id", func() error { return SignGET(get(), `https://a/"x`, keyA()) }},
		{"comma in key id", func() error { return SignGET(get(), `https://a/x,y`, keyA()) }},
		{"non-ASCII host", func() error {
			r := get()
			r.Host = "bücher.example"
			return SignGET(r, testKeyID, keyA())
		}},
	}
	for _, c := range cases {
		if err := c.run(); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// TestSignPercentEncodedPath shows what happens with a %XX path
// (docs/interop.md, "HTTP signatures": go-fed signs the decoded path,
// Mastodon the raw one). Our signer signs the
// raw path that goes on the wire, so a Mastodon-style verifier accepts it;
// stock go-fed output is rejected by that verifier. Our Verifier accepts
// both, the second for go-fed based senders such as GoToSocial.
func TestSignPercentEncodedPath(t *testing.T) {
	for _, rawURL := range []string{
		"https://wiki.example/wiki/Caf%C3%A9",
		"https://wiki.example/wiki/AC%2FDC?action=raw",
		"https://wiki.example/wiki/a%20b",
	} {
		t.Run(rawURL, func(t *testing.T) {
			req := newRequest(t, http.MethodGet, rawURL, nil)
			if err := SignGET(req, testKeyID, keyA()); err != nil {
				t.Fatal(err)
			}
			sr, _ := overWire(t, req, nil)
			if sr.RequestURI == sr.URL.Path {
				t.Fatalf("test URL %q has no escape", rawURL)
			}
			if err := handVerify(sr, &keyA().PublicKey); err != nil {
				t.Errorf("Mastodon-style verifier rejects our signature: %v", err)
			}
			if _, err := testVerifier(resolverFor(&keyA().PublicKey)).Verify(t.Context(), sr, nil); err != nil {
				t.Errorf("Verify: %v", err)
			}

			// Stock go-fed on the same request signs the decoded path.
			req2 := newRequest(t, http.MethodGet, rawURL, nil)
			req2.Header.Set("Host", req2.URL.Host)
			s, _, err := gofed.NewSigner([]gofed.Algorithm{gofed.RSA_SHA256}, gofed.DigestSha256, getSignedHeaders, gofed.Signature, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SignRequest(keyA(), testKeyID, req2, nil); err != nil {
				t.Fatal(err)
			}
			sr2, _ := overWire(t, req2, nil)
			if err := handVerify(sr2, &keyA().PublicKey); err == nil {
				t.Errorf("stock go-fed signature unexpectedly verifies the Mastodon way")
			}
			if _, err := testVerifier(resolverFor(&keyA().PublicKey)).Verify(t.Context(), sr2, nil); err != nil {
				t.Errorf("Verify rejects go-fed style (decoded path) signature: %v", err)
			}
		})
	}
}

// TestSignConcurrent signs and verifies from many goroutines under -race:
// the go-fed Signer is created per call, the Verifier is shared.
func TestSignConcurrent(t *testing.T) {
	const n = 16
	reqs := make([]*http.Request, n)
	bodies := make([][]byte, n)
	for i := range reqs {
		bodies[i] = []byte(fmt.Sprintf(`{"n":%d}`, i))
		reqs[i] = newRequest(t, http.MethodPost, "https://social.example/inbox", bodies[i])
	}
	run := func(f func(i int) error) {
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { errs[i] = f(i) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	}
	run(func(i int) error { return SignPOST(reqs[i], bodies[i], testKeyID, keyA()) })
	srs := make([]*http.Request, n)
	for i := range reqs {
		srs[i], bodies[i] = overWire(t, reqs[i], bodies[i])
	}
	v := testVerifier(resolverFor(&keyA().PublicKey))
	run(func(i int) error {
		_, err := v.Verify(t.Context(), srs[i], bodies[i])
		return err
	})
}
