package httpsig

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"time"

	gofed "github.com/go-fed/httpsig"
)

// Headers signed on outgoing requests, as Mastodon and GoToSocial sign them
// (docs/interop.md, "HTTP signatures").
var (
	getSignedHeaders  = []string{gofed.RequestTarget, "host", "date"}
	postSignedHeaders = []string{gofed.RequestTarget, "host", "date", "digest"}
)

// SignGET signs an outgoing GET (or HEAD) with
// `(request-target) host date`, because GoToSocial and Mastodon in
// authorized-fetch mode refuse unsigned server-to-server fetches.
//
// It sets Host (from req.Host or req.URL.Host) and, if missing, Date (now,
// UTC); it replaces any existing Signature header. A retry should build a
// fresh request or delete Date first, or it will reuse the old Date.
// Safe for concurrent use on distinct requests.
func SignGET(req *http.Request, keyID string, key *rsa.PrivateKey) error {
	if req != nil && req.Method != "" && req.Method != http.MethodGet && req.Method != http.MethodHead {
		return fmt.Errorf("httpsig: SignGET on a %s request: use SignPOST", req.Method)
	}
	return sign(req, false, nil, keyID, key)
}

// SignPOST signs an outgoing POST with `(request-target) host date digest`
// (plus content-type when set) and a `Digest: SHA-256=…` of body, because
// Mastodon rejects POSTs whose signature does not cover the body's digest.
//
// body must be exactly the bytes that will be sent. Header handling is as
// for SignGET; Digest is always recomputed.
func SignPOST(req *http.Request, body []byte, keyID string, key *rsa.PrivateKey) error {
	if req != nil && (req.Method == "" || req.Method == http.MethodGet || req.Method == http.MethodHead) {
		return fmt.Errorf("httpsig: SignPOST on a GET request: use SignGET")
	}
	return sign(req, true, body, keyID, key)
}

// sign signs req with go-fed/httpsig over the GET or (withBody) the POST
// header set, then rewrites the header to say algorithm="rsa-sha256":
// go-fed always writes "hs2019", and the big servers send rsa-sha256
// (docs/interop.md, "HTTP signatures").
func sign(req *http.Request, withBody bool, body []byte, keyID string, key *rsa.PrivateKey) error {
	switch {
	case req == nil || req.URL == nil || req.Header == nil:
		return errors.New("httpsig: sign: request, URL and Header must be set")
	case key == nil:
		return errors.New("httpsig: sign: nil private key")
	case !validKeyID(keyID):
		return fmt.Errorf("httpsig: sign: key id %q must be printable ASCII without '\"', '\\\\' or ','", keyID)
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if host == "" {
		return errors.New("httpsig: sign: request has no host")
	}
	for i := 0; i < len(host); i++ {
		if host[i] >= 0x80 {
			// net/http would punycode it on the wire, so the signed value would differ.
			return fmt.Errorf("httpsig: sign: host %q is not ASCII; use its punycode form", host)
		}
	}
	req.Host = host
	req.Header.Set("Host", host)
	if req.Header.Get("Date") == "" {
		req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	}
	headers := getSignedHeaders
	if withBody {
		req.Header.Set("Digest", digestHeader(body))
		headers = postSignedHeaders
		if req.Header.Get("Content-Type") != "" {
			headers = append(headers[:len(headers):len(headers)], "content-type")
		}
	}
	req.Header.Del("Signature")

	// go-fed Signers keep a hash between calls and are documented as unsafe
	// for concurrent use; one per call costs a few allocations next to an
	// RSA signature (see BenchmarkSignPOST).
	s, _, err := gofed.NewSigner([]gofed.Algorithm{gofed.RSA_SHA256}, gofed.DigestSha256, headers, gofed.Signature, 0)
	if err != nil {
		return fmt.Errorf("httpsig: sign: new go-fed signer: %w", err)
	}
	// Sign the escaped path actually sent on the wire; the copy shares
	// req.Header, so the Signature header lands on req.
	fr := goFedRequest(req.Method, host, wireTarget(req.URL), req.Header)
	// nil body: Digest is set above; go-fed would refuse to overwrite it.
	if err := s.SignRequest(key, keyID, fr, nil); err != nil {
		return fmt.Errorf("httpsig: sign %s %s: %w", req.Method, req.URL.Redacted(), err)
	}
	p, err := parseSigParams(req.Header.Get("Signature"))
	if err != nil {
		return fmt.Errorf("httpsig: sign: reparse go-fed header: %w", err)
	}
	p.Algorithm = "rsa-sha256"
	req.Header.Set("Signature", p.String())
	return nil
}
