package httpsig

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// reqSpec describes a signed request; build sends it over the wire and
// returns the server-side request and body.
type reqSpec struct {
	method      string // default GET
	url         string // default https://wiki.example/inbox
	body        []byte // body that is signed (POST)
	sendBody    []byte // body on the wire instead of body (tampering)
	contentType string
	date        time.Time       // zero: testNow
	key         *rsa.PrivateKey // default keyA

	hand    bool     // sign with the independent signer instead of ours
	algo    string   // hand: algorithm parameter ("" omits it)
	headers []string // hand: signed headers (default per method)
	target  string   // hand: signed request target ("" = the real one)

	pre  func(*http.Request) // before signing
	post func(*http.Request) // after signing (tampering)
}

func (s reqSpec) build(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	if s.method == "" {
		s.method = http.MethodGet
	}
	if s.url == "" {
		s.url = "https://" + testHost + "/inbox"
	}
	if s.key == nil {
		s.key = keyA()
	}
	isPost := s.method == http.MethodPost
	var body []byte
	if isPost {
		body = s.body
		if body == nil {
			body = []byte{}
		}
	}
	req := newRequest(t, s.method, s.url, body)
	if !s.date.IsZero() {
		req.Header.Set("Date", s.date.UTC().Format(http.TimeFormat))
	}
	if s.contentType != "" {
		req.Header.Set("Content-Type", s.contentType)
	}
	if s.pre != nil {
		s.pre(req)
	}
	switch {
	case s.hand:
		headers := s.headers
		if headers == nil {
			headers = []string{"(request-target)", "host", "date"}
			if isPost {
				headers = append(headers, "digest")
			}
		}
		if isPost && req.Header.Get("Digest") == "" {
			setDigest(req, body)
		}
		handSign(t, req, s.key, s.algo, s.target, headers)
	case isPost:
		if err := SignPOST(req, body, testKeyID, s.key); err != nil {
			t.Fatal(err)
		}
	default:
		if err := SignGET(req, testKeyID, s.key); err != nil {
			t.Fatal(err)
		}
	}
	if s.post != nil {
		s.post(req)
	}
	if s.sendBody != nil {
		body = s.sendBody
	}
	return overWire(t, req, body)
}

func TestVerify(t *testing.T) {
	pubA, pubB := &keyA().PublicKey, &keyB().PublicKey
	post := func(s reqSpec) reqSpec {
		s.method = http.MethodPost
		if s.body == nil {
			s.body = []byte(`{"type":"Create","actor":"` + testActor + `"}`)
		}
		if s.contentType == "" {
			s.contentType = "application/activity+json"
		}
		return s
	}
	cases := []struct {
		name      string
		spec      reqSpec
		resolver  *fakeResolver // default: always keyA
		want      error         // nil: success
		wantCalls []bool        // nil: unchecked; []bool{}: resolver must not be called
	}{
		{name: "GET ok", spec: reqSpec{url: "https://wiki.example/users/page"}, wantCalls: []bool{false}},
		{name: "POST ok", spec: post(reqSpec{}), wantCalls: []bool{false}},
		{name: "POST ok without content-type", spec: reqSpec{method: http.MethodPost, body: []byte("{}")}},
		{name: "POST empty body ok", spec: reqSpec{method: http.MethodPost, body: []byte{}}},

		// Tampering.
		{name: "tampered body", spec: post(reqSpec{sendBody: []byte(`{"type":"Delete"}`)}), want: ErrDigestMismatch, wantCalls: []bool{}},
		{name: "tampered body with recomputed Digest", spec: post(reqSpec{
			sendBody: []byte(`{"type":"Delete"}`),
			post:     func(r *http.Request) { setDigest(r, []byte(`{"type":"Delete"}`)) },
		}), want: ErrBadSignature, wantCalls: []bool{false, true}},
		{name: "tampered Date", spec: post(reqSpec{post: func(r *http.Request) {
			r.Header.Set("Date", testNow.Add(-time.Minute).Format(http.TimeFormat))
		}}), want: ErrBadSignature},
		{name: "tampered Host", spec: reqSpec{post: func(r *http.Request) { r.Host = "evil.example" }}, want: ErrBadSignature},
		{name: "tampered Content-Type", spec: post(reqSpec{post: func(r *http.Request) {
			r.Header.Set("Content-Type", "text/plain")
		}}), want: ErrBadSignature},
		{name: "tampered method", spec: post(reqSpec{post: func(r *http.Request) { r.Method = http.MethodPut }}), want: ErrBadSignature},
		{name: "tampered path", spec: reqSpec{post: func(r *http.Request) { r.URL.Path = "/users/other" }}, want: ErrBadSignature},
		{name: "signature by another key", spec: reqSpec{key: keyB()}, want: ErrBadSignature, wantCalls: []bool{false, true}},

		// Required headers and Digest.
		{name: "POST missing Digest header", spec: post(reqSpec{post: func(r *http.Request) { r.Header.Del("Digest") }}),
			want: ErrDigestMismatch, wantCalls: []bool{}},
		{name: "POST digest not signed", spec: post(reqSpec{hand: true, algo: "rsa-sha256",
			headers: []string{"(request-target)", "host", "date"}}), want: ErrMissingSignedHeader, wantCalls: []bool{}},
		{name: "date not signed", spec: post(reqSpec{hand: true, algo: "rsa-sha256",
			headers: []string{"(request-target)", "host", "digest"}}), want: ErrMissingSignedHeader},
		{name: "request-target not signed", spec: reqSpec{hand: true, algo: "rsa-sha256",
			headers: []string{"host", "date"}}, want: ErrMissingSignedHeader},
		{name: "GET host not signed", spec: reqSpec{hand: true, algo: "rsa-sha256",
			headers: []string{"(request-target)", "date"}}, want: ErrMissingSignedHeader},
		{name: "POST host not signed", spec: post(reqSpec{hand: true, algo: "rsa-sha256",
			headers: []string{"(request-target)", "date", "digest"}}), want: ErrMissingSignedHeader, wantCalls: []bool{}},
		{name: "headers parameter absent (defaults to date)", spec: reqSpec{post: func(r *http.Request) {
			p, _ := parseSigParams(r.Header.Get("Signature"))
			r.Header.Set("Signature", `keyId="`+p.KeyID+`",signature="`+p.Signature+`"`)
		}}, want: ErrMissingSignedHeader},
		{name: "POST hand-signed with extra digests", spec: post(reqSpec{hand: true, algo: "rsa-sha256", pre: func(r *http.Request) {
			setDigest(r, []byte(`{"type":"Create","actor":"`+testActor+`"}`))
			r.Header.Set("Digest", "SHA-512=AAAA, "+strings.Replace(r.Header.Get("Digest"), "SHA-256", "sha-256", 1))
		}})},
		{name: "POST Digest without SHA-256", spec: post(reqSpec{hand: true, algo: "rsa-sha256", pre: func(r *http.Request) {
			r.Header.Set("Digest", "SHA-512=AAAA")
		}}), want: ErrDigestMismatch},
		{name: "signed header absent from request", spec: reqSpec{hand: true, algo: "rsa-sha256",
			headers: []string{"(request-target)", "host", "date", "accept"},
			pre:     func(r *http.Request) { r.Header.Set("Accept", "application/activity+json") },
			post:    func(r *http.Request) { r.Header.Del("Accept") }}, want: ErrMalformedSignature, wantCalls: []bool{}},

		// Date window (docs/interop.md, "HTTP signatures": 65 min past, 60 min future).
		{name: "Date 64 min old ok", spec: reqSpec{date: testNow.Add(-64 * time.Minute)}},
		{name: "Date 66 min old", spec: reqSpec{date: testNow.Add(-66 * time.Minute)}, want: ErrDateSkew, wantCalls: []bool{}},
		{name: "Date 59 min ahead ok", spec: reqSpec{date: testNow.Add(59 * time.Minute)}},
		{name: "Date 61 min ahead", spec: reqSpec{date: testNow.Add(61 * time.Minute)}, want: ErrDateSkew},
		{name: "Date unparseable", spec: reqSpec{pre: func(r *http.Request) { r.Header.Set("Date", "yesterday") }}, want: ErrMalformedSignature},

		// Algorithms.
		{name: "hs2019 accepted", spec: post(reqSpec{hand: true, algo: "hs2019"})},
		{name: "algorithm absent accepted", spec: post(reqSpec{hand: true})},
		{name: "RSA-SHA256 upper case accepted", spec: reqSpec{hand: true, algo: "RSA-SHA256"}},
		{name: "rsa-sha512 rejected", spec: reqSpec{hand: true, algo: "rsa-sha512"}, want: ErrUnsupportedAlgorithm, wantCalls: []bool{}},
		{name: "hmac-sha256 rejected", spec: reqSpec{hand: true, algo: "hmac-sha256"}, want: ErrUnsupportedAlgorithm},
		{name: "ed25519 key rejected", spec: reqSpec{}, resolver: resolverFor(testEd25519()), want: ErrUnsupportedAlgorithm},

		// Query string in (request-target).
		{name: "query signed and sent", spec: reqSpec{url: "https://wiki.example/users/page?page=true&min_id=3"}},
		{name: "query sent but not signed", spec: reqSpec{hand: true, algo: "rsa-sha256",
			url: "https://wiki.example/users/page?page=true", target: "/users/page"}},
		{name: "query signed but different query sent", spec: reqSpec{url: "https://wiki.example/users/page?page=1",
			post: func(r *http.Request) { r.URL.RawQuery = "page=2" }}, want: ErrBadSignature},
		{name: "absolute-form request line", spec: reqSpec{url: "https://wiki.example/users/page?x=1",
			post: func(r *http.Request) { r.URL.Opaque = "//wiki.example/users/page" }}},

		// Key resolution and rotation.
		{name: "key rotated: refresh once then ok", spec: reqSpec{}, resolver: resolverFor(pubB, pubA), wantCalls: []bool{false, true}},
		{name: "stale key stays stale: refresh only once", spec: reqSpec{}, resolver: resolverFor(pubB, pubB, pubA),
			want: ErrBadSignature, wantCalls: []bool{false, true}},
		{name: "resolver error", spec: reqSpec{}, resolver: &fakeResolver{keys: []crypto.PublicKey{pubA}, errs: []error{errors.New("410 Gone")}},
			want: ErrKeyUnavailable, wantCalls: []bool{false}},
		{name: "resolver error on refresh", spec: reqSpec{}, resolver: &fakeResolver{keys: []crypto.PublicKey{pubB}, errs: []error{nil, errors.New("timeout")}},
			want: ErrKeyUnavailable, wantCalls: []bool{false, true}},

		// Header forms.
		{name: "Authorization: Signature", spec: reqSpec{post: func(r *http.Request) {
			r.Header.Set("Authorization", "Signature "+r.Header.Get("Signature"))
			r.Header.Del("Signature")
		}}},
		{name: "unsigned", spec: reqSpec{post: func(r *http.Request) { r.Header.Del("Signature") }}, want: ErrUnsigned, wantCalls: []bool{}},
		{name: "Authorization Bearer only", spec: reqSpec{post: func(r *http.Request) {
			r.Header.Del("Signature")
			r.Header.Set("Authorization", "Bearer x")
		}}, want: ErrUnsigned},
		{name: "two Signature headers", spec: reqSpec{post: func(r *http.Request) {
			r.Header.Add("Signature", r.Header.Get("Signature"))
		}}, want: ErrMalformedSignature},
		{name: "duplicate headers parameter", spec: reqSpec{post: func(r *http.Request) {
			r.Header.Set("Signature", r.Header.Get("Signature")+`,headers="date"`)
		}}, want: ErrMalformedSignature},
		{name: "signature not base64", spec: reqSpec{post: func(r *http.Request) {
			r.Header.Set("Signature", `keyId="`+testKeyID+`",headers="(request-target) host date",signature="%%%"`)
		}}, want: ErrMalformedSignature},
		{name: "RFC 9421 signature", spec: reqSpec{post: func(r *http.Request) {
			r.Header.Set("Signature-Input", `sig1=("@method");keyid="k"`)
			r.Header.Set("Signature", "sig1=:AAAA:")
		}}, want: ErrUnsupportedAlgorithm},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, body := c.spec.build(t)
			res := c.resolver
			if res == nil {
				res = resolverFor(pubA)
			}
			owner, err := testVerifier(res).Verify(t.Context(), r, body)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if owner != testActor {
					t.Errorf("owner = %q, want %q", owner, testActor)
				}
			} else {
				if !errors.Is(err, c.want) {
					t.Fatalf("Verify error = %v, want %v", err, c.want)
				}
				if owner != "" {
					t.Errorf("owner %q returned with error", owner)
				}
				if StatusCode(err) == http.StatusInternalServerError {
					t.Errorf("StatusCode(%v) = 500", err)
				}
			}
			if c.wantCalls != nil && !slices.Equal(res.calls, c.wantCalls) {
				t.Errorf("resolver calls (refresh flags) = %v, want %v", res.calls, c.wantCalls)
			}
		})
	}
}

// TestVerifyRefreshErrorKeepsBothCauses: a failed refresh after a bad
// signature reports both, so logs show why the key was refetched.
func TestVerifyRefreshErrorKeepsBothCauses(t *testing.T) {
	r, body := reqSpec{}.build(t)
	res := &fakeResolver{keys: []crypto.PublicKey{&keyB().PublicKey}, errs: []error{nil, context.DeadlineExceeded}}
	_, err := testVerifier(res).Verify(t.Context(), r, body)
	for _, want := range []error{ErrBadSignature, ErrKeyUnavailable, context.DeadlineExceeded} {
		if !errors.Is(err, want) {
			t.Errorf("error %v does not wrap %v", err, want)
		}
	}
}

func TestVerifyResolverContract(t *testing.T) {
	r, body := reqSpec{}.build(t)
	for name, res := range map[string]KeyResolver{
		"wrong id": KeyResolverFunc(func(context.Context, string, bool) (PublicKey, error) {
			return PublicKey{ID: "https://other/key", Owner: testActor, Key: &keyA().PublicKey}, nil
		}),
		"no owner": KeyResolverFunc(func(_ context.Context, id string, _ bool) (PublicKey, error) {
			return PublicKey{ID: id, Key: &keyA().PublicKey}, nil
		}),
		"no key": KeyResolverFunc(func(_ context.Context, id string, _ bool) (PublicKey, error) {
			return PublicKey{ID: id, Owner: testActor}, nil
		}),
		"nil resolver": nil,
	} {
		if _, err := testVerifier(res).Verify(t.Context(), r, body); !errors.Is(err, ErrKeyUnavailable) {
			t.Errorf("%s: error = %v, want ErrKeyUnavailable", name, err)
		}
	}
}

func TestVerifyZeroValueDefaults(t *testing.T) {
	// A zero Verifier uses time.Now and the default window; a signature
	// made just now must pass.
	req := newRequest(t, http.MethodGet, "https://wiki.example/users/x", nil)
	req.Header.Del("Date")
	if err := SignGET(req, testKeyID, keyA()); err != nil {
		t.Fatal(err)
	}
	r, _ := overWire(t, req, nil)
	v := Verifier{Keys: resolverFor(&keyA().PublicKey)}
	if _, err := v.Verify(t.Context(), r, nil); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDoesNotMutateRequest(t *testing.T) {
	r, body := reqSpec{method: http.MethodPost, body: []byte("{}")}.build(t)
	before := r.Header.Clone()
	if _, err := testVerifier(resolverFor(&keyA().PublicKey)).Verify(t.Context(), r, body); err != nil {
		t.Fatal(err)
	}
	if len(r.Header) != len(before) || r.Header.Get("Host") != "" {
		t.Errorf("Verify changed request headers: %v -> %v", before, r.Header)
	}
}

func TestStatusCode(t *testing.T) {
	for err, want := range map[error]int{
		nil:                     200,
		ErrUnsigned:             401,
		ErrBadSignature:         401,
		ErrKeyUnavailable:       401,
		ErrDateSkew:             401,
		ErrMalformedSignature:   400,
		ErrUnsupportedAlgorithm: 400,
		ErrMissingSignedHeader:  400,
		ErrDigestMismatch:       400,
		errors.New("other"):     500,
	} {
		if got := StatusCode(err); got != want {
			t.Errorf("StatusCode(%v) = %d, want %d", err, got, want)
		}
	}
}

func TestParseSigParams(t *testing.T) {
	p, err := parseSigParams(` keyId="https://a.example/u#k,1", algorithm="hs2019" ,headers="(Request-Target) Host  date",signature="AAAA",created=1,x="ignored"`)
	if err != nil {
		t.Fatal(err)
	}
	if p.KeyID != "https://a.example/u#k,1" || p.Algorithm != "hs2019" || p.Created != "1" ||
		!slices.Equal(p.Headers, []string{"(request-target)", "host", "date"}) {
		t.Errorf("parsed %+v", p)
	}
	for _, bad := range []string{
		``, `keyId`, `keyId="a"`, `signature="AAAA"`, `keyId="a,signature="AAAA"`,
		`keyId="a"x,signature="AAAA"`, `keyId="a",keyId="b",signature="AAAA"`,
		`keyId="a",signature="AAAA",headers="date\"x"`, `keyId="a",signature="AAAA",created=soon`,
		`keyId="a",signature="AAAA",headers=""`,
	} {
		if _, err := parseSigParams(bad); !errors.Is(err, ErrMalformedSignature) {
			t.Errorf("parseSigParams(%q) error = %v, want ErrMalformedSignature", bad, err)
		}
	}
}
