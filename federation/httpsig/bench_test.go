package httpsig

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
)

// benchBody is a typical Create{Note} delivery body (~1 KiB).
var benchBody = []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Create","actor":"https://wiki.example/users/main_page","object":{"type":"Note","content":"` + strings.Repeat("edit summary ", 70) + `"}}`)

// BenchmarkSignPOST measures a full SignPOST (Digest, go-fed signer per
// call, RSA-2048 signature, header rewrite) in signatures per second.
func BenchmarkSignPOST(b *testing.B) {
	key := keyA()
	req, err := http.NewRequest(http.MethodPost, "https://social.example/inbox", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	b.ReportAllocs()
	for b.Loop() {
		req.Header.Del("Date")
		if err := SignPOST(req, benchBody, testKeyID, key); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sigs/s")
}

// BenchmarkSignPOSTParallel is BenchmarkSignPOST on all CPUs, the delivery
// worker pool's case.
func BenchmarkSignPOSTParallel(b *testing.B) {
	key := keyA()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, "https://social.example/inbox", nil)
			if err := SignPOST(req, benchBody, testKeyID, key); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sigs/s")
}

// BenchmarkRawRSASign is the floor: rsa.SignPKCS1v15 over a SHA-256, no
// HTTP work at all.
func BenchmarkRawRSASign(b *testing.B) {
	key := keyA()
	msg := []byte("(request-target): post /inbox\nhost: social.example\ndate: Sun, 01 Mar 2026 12:00:00 GMT\ndigest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
	b.ReportAllocs()
	for b.Loop() {
		h := sha256.Sum256(msg)
		if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sigs/s")
}

// BenchmarkVerifyPOST measures Verify on a valid signed POST (cached key).
func BenchmarkVerifyPOST(b *testing.B) {
	req := newRequest(b, http.MethodPost, "https://wiki.example/inbox", benchBody)
	req.Header.Set("Content-Type", "application/activity+json")
	if err := SignPOST(req, benchBody, testKeyID, keyA()); err != nil {
		b.Fatal(err)
	}
	r, body := overWire(b, req, benchBody)
	pub := PublicKey{ID: testKeyID, Owner: testActor, Key: &keyA().PublicKey}
	v := testVerifier(KeyResolverFunc(func(context.Context, string, bool) (PublicKey, error) { return pub, nil }))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(b.Context(), r, body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
}
