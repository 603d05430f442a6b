package fedpeer

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The public test key and signatures of draft-cavage-http-signatures-12,
// Appendix C: an independent check of the signing string and the Digest.
const cavagePublicKey = `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----`

func TestCavageAppendixC(t *testing.T) {
	block, _ := pem.Decode([]byte(cavagePublicKey))
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub := k.(*rsa.PublicKey)
	const body = `{"hello": "world"}`
	cases := []struct{ name, sig string }{
		{"C.2 basic", `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="`},
		{"C.3 all headers", `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date content-type digest content-length",signature="vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE="`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/foo?param=value&pet=dog", strings.NewReader(body))
			r.Host = "example.com"
			r.Header.Set("Date", "Sun, 05 Jan 2014 21:31:40 GMT")
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Digest", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=")
			r.Header.Set("Content-Length", "18")
			if err := checkDigest(r.Header.Values("Digest"), []byte(body)); err != nil {
				t.Fatalf("spec Digest: %v", err)
			}
			sp, err := parseSignature(tc.sig)
			if err != nil {
				t.Fatal(err)
			}
			var cands []string
			for _, target := range requestTargets(r) {
				ss, err := signingString(r.Method, target, r.Host, r.Header, sp.Headers, sp)
				if err != nil {
					t.Fatal(err)
				}
				cands = append(cands, ss)
			}
			if !verifyAny(pub, cands, sp.Signature) {
				t.Fatalf("spec signature does not verify over %q", cands[0])
			}
			r.Header.Set("Date", "Sun, 05 Jan 2014 21:31:41 GMT")
			ss, _ := signingString(r.Method, requestTargets(r)[0], r.Host, r.Header, sp.Headers, sp)
			if verifyAny(pub, []string{ss}, sp.Signature) {
				t.Fatal("signature verifies after changing Date")
			}
		})
	}
}

func TestParseSignature(t *testing.T) {
	cases := []struct {
		in      string
		want    *sigParams
		wantErr error
	}{
		{in: `keyId="k",algorithm="rsa-sha256",headers="(request-target) host date",signature="AAAA"`,
			want: &sigParams{KeyID: "k", Algorithm: "rsa-sha256", Headers: []string{"(request-target)", "host", "date"}}},
		{in: `keyId="k", algorithm="RSA-SHA256", headers="Date Digest", signature="AAAA"`,
			want: &sigParams{KeyID: "k", Algorithm: "rsa-sha256", Headers: []string{"date", "digest"}}},
		{in: `keyId="k",signature="AAAA",created=1402170695,expires=1402170699`,
			want: &sigParams{KeyID: "k", Algorithm: "hs2019", Headers: []string{"(created)"}, Created: "1402170695", Expires: "1402170699"}},
		{in: `keyId="k",algorithm="rsa-sha256",signature="AAAA"`,
			want: &sigParams{KeyID: "k", Algorithm: "rsa-sha256", Headers: []string{"date"}}},
		{in: `keyId="a\"b",signature="AAAA"`, want: &sigParams{KeyID: `a"b`, Algorithm: "hs2019", Headers: []string{"(created)"}}},
		{in: `signature="AAAA"`, wantErr: ErrSignatureFormat},
		{in: `keyId="k"`, wantErr: ErrSignatureFormat},
		{in: `keyId="k",signature="!!"`, wantErr: ErrSignatureFormat},
		{in: `keyId="k,signature="AAAA"`, wantErr: ErrSignatureFormat},
		{in: `keyId="k",keyId="j",signature="AAAA"`, wantErr: ErrSignatureFormat},
		{in: `keyId="k",signature="AAAA",created=soon`, wantErr: ErrSignatureFormat},
		{in: `garbage`, wantErr: ErrSignatureFormat},
	}
	for _, tc := range cases {
		got, err := parseSignature(tc.in)
		if tc.wantErr != nil {
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("parseSignature(%s) = %v, want %v", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseSignature(%s): %v", tc.in, err)
			continue
		}
		if got.KeyID != tc.want.KeyID || got.Algorithm != tc.want.Algorithm || strings.Join(got.Headers, " ") != strings.Join(tc.want.Headers, " ") ||
			got.Created != tc.want.Created || got.Expires != tc.want.Expires || len(got.Signature) != 3 {
			t.Errorf("parseSignature(%s) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestCheckDigest(t *testing.T) {
	body := []byte(`{"hello": "world"}`)
	good := "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="
	cases := []struct {
		values []string
		want   error
	}{
		{[]string{good}, nil},
		{[]string{"sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="}, nil},
		{[]string{"SHA-512=abc," + good}, nil},
		{[]string{"SHA-512=abc", good}, nil},
		{nil, ErrDigestMissing},
		{[]string{"SHA-512=abc"}, ErrDigestMissing},
		{[]string{"SHA-256=" + strings.Repeat("A", 43) + "="}, ErrDigestMismatch},
		{[]string{"SHA-256=not base64"}, ErrDigestMismatch},
		{[]string{digestHeader([]byte("{}"))}, ErrDigestMismatch},
	}
	for _, tc := range cases {
		if err := checkDigest(tc.values, body); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("checkDigest(%q) = %v, want %v", tc.values, err, tc.want)
		}
	}
}

func TestCheckDate(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		offset time.Duration
		ok     bool
	}{
		{0, true}, {-65 * time.Minute, true}, {-65*time.Minute - time.Second, false},
		{60 * time.Minute, true}, {60*time.Minute + time.Second, false}, {-24 * time.Hour, false},
	}
	for _, tc := range cases {
		err := checkDate(now.Add(tc.offset).Format(http.TimeFormat), now)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrDateWindow)) {
			t.Errorf("offset %v: %v", tc.offset, err)
		}
	}
	if err := checkDate("yesterday", now); !errors.Is(err, ErrDateWindow) {
		t.Errorf("unparseable Date: %v", err)
	}
	if err := checkDate("", now); !errors.Is(err, ErrMissingHeader) {
		t.Errorf("no Date: %v", err)
	}
}
