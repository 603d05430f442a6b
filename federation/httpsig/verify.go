package httpsig

import (
	"context"
	"crypto"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	gofed "github.com/go-fed/httpsig"
)

// Verifier checks incoming draft-cavage signatures so an inbox (or an
// authorized-fetch endpoint) learns which actor sent a request. The zero
// value of Now, MaxSkewPast and MaxSkewFuture means time.Now and the
// Default* window; a Verifier is safe for concurrent use.
type Verifier struct {
	// Keys resolves keyId to a public key and its owner.
	Keys KeyResolver
	// Now is the clock for the Date window; nil means time.Now.
	Now func() time.Time
	// MaxSkewPast and MaxSkewFuture bound how far Date may lie before or
	// after Now; zero means DefaultMaxSkewPast / DefaultMaxSkewFuture.
	MaxSkewPast, MaxSkewFuture time.Duration
}

// NewVerifier returns a Verifier with Mastodon's Date window
// (docs/interop.md, "HTTP signatures"), the usual way to build one.
func NewVerifier(keys KeyResolver) *Verifier {
	return &Verifier{Keys: keys, Now: time.Now, MaxSkewPast: DefaultMaxSkewPast, MaxSkewFuture: DefaultMaxSkewFuture}
}

// Verify authenticates r and returns the owner (actor id) of the key that
// signed it. body must be the request body the caller already read (with
// its own size limit); Verify does not touch r.Body.
//
// Order: parse and policy checks (algorithm, signed headers, Date window,
// Digest) run before any key is resolved, so junk requests cause no key
// fetches. The signature is then checked against each accepted
// request-target form; if none verifies, the key is resolved once more with
// refresh=true and, if it changed, checked again.
//
// The caller must still check that the returned owner equals the
// activity's actor (docs/interop.md, "Trusting a key"), and a reverse proxy
// in front must pass the original Host and the raw, unrewritten request
// path.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (owner string, err error) {
	if r == nil {
		return "", fmt.Errorf("%w: nil request", ErrUnsigned)
	}
	p, err := requestSigParams(r.Header)
	if err != nil {
		return "", err
	}
	if err := checkAlgorithm(p.Algorithm); err != nil {
		return "", err
	}
	if err := checkCoverage(r, p, len(body) > 0); err != nil {
		return "", err
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	past, future := v.MaxSkewPast, v.MaxSkewFuture
	if past == 0 {
		past = DefaultMaxSkewPast
	}
	if future == 0 {
		future = DefaultMaxSkewFuture
	}
	if err := checkDate(r.Header, now(), past, future); err != nil {
		return "", err
	}
	if p.signs("digest") {
		if err := checkDigest(r.Header, body); err != nil {
			return "", err
		}
	}
	targets := verifyTargets(r)
	if len(targets) == 0 {
		return "", fmt.Errorf("%w: request has no target", ErrMalformedSignature)
	}
	h := signedHeaderCopy(r, p)

	if v.Keys == nil {
		return "", fmt.Errorf("%w: no KeyResolver configured", ErrKeyUnavailable)
	}
	key, err := v.resolve(ctx, p.KeyID, false)
	if err != nil {
		return "", err
	}
	verr := verifyWithKey(r, h, targets, key)
	if verr == nil {
		return key.Owner, nil
	}
	fresh, err := v.resolve(ctx, p.KeyID, true)
	if err != nil {
		return "", fmt.Errorf("%w; refreshing key: %w", verr, err)
	}
	if sameKey(key, fresh) {
		return "", fmt.Errorf("%w (key unchanged after refresh)", verr)
	}
	if err := verifyWithKey(r, h, targets, fresh); err != nil {
		return "", fmt.Errorf("%w (after key refresh)", err)
	}
	return fresh.Owner, nil
}

// requestSigParams finds and parses the Signature header, or the
// "Authorization: Signature …" form draft-cavage also allows.
func requestSigParams(h http.Header) (sigParams, error) {
	if sigs := h.Values("Signature"); len(sigs) > 0 {
		if h.Get("Signature-Input") != "" {
			return sigParams{}, fmt.Errorf("%w: RFC 9421 message signatures are not supported", ErrUnsupportedAlgorithm)
		}
		if len(sigs) > 1 {
			return sigParams{}, fmt.Errorf("%w: %d Signature headers", ErrMalformedSignature, len(sigs))
		}
		if strings.TrimSpace(sigs[0]) == "" {
			return sigParams{}, fmt.Errorf("%w: empty Signature header", ErrUnsigned)
		}
		return parseSigParams(sigs[0])
	}
	for _, a := range h.Values("Authorization") {
		scheme, rest, _ := strings.Cut(strings.TrimSpace(a), " ")
		if strings.EqualFold(scheme, "Signature") {
			return parseSigParams(rest)
		}
	}
	return sigParams{}, fmt.Errorf("%w: no Signature or Authorization: Signature header", ErrUnsigned)
}

// checkAlgorithm accepts rsa-sha256 and hs2019 (absent means hs2019); what
// hs2019 stands for is decided by the key type in verifyWithKey.
func checkAlgorithm(a string) error {
	switch strings.ToLower(a) {
	case "", "hs2019", "rsa-sha256":
		return nil
	}
	return fmt.Errorf("%w: %q (want rsa-sha256 or hs2019)", ErrUnsupportedAlgorithm, a)
}

// checkCoverage enforces the signed headers Mastodon requires
// (docs/interop.md, "HTTP signatures") and that every signed header is
// present, so a request missing one fails here instead of triggering a key
// fetch and refresh.
func checkCoverage(r *http.Request, p sigParams, hasBody bool) error {
	// host on every request: without it, a signature made for another
	// server (a POST to its inbox, relayed) would verify here too.
	required := []string{requestTarget, "date", "host"}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		required = append(required, "digest")
	}
	if hasBody && !p.signs("digest") {
		required = append(required, "digest") // an unsigned body is unauthenticated
	}
	for _, name := range required {
		if !p.signs(name) {
			return fmt.Errorf("%w: %q not in signed headers %q", ErrMissingSignedHeader, name, p.Headers)
		}
	}
	for _, name := range p.Headers {
		switch name {
		case requestTarget, "digest": // checkDigest reports a missing Digest
			continue
		case createdPseudo:
			if p.Created == "" {
				return fmt.Errorf("%w: (created) signed without created parameter", ErrMalformedSignature)
			}
			continue
		case expiresPseudo:
			if p.Expires == "" {
				return fmt.Errorf("%w: (expires) signed without expires parameter", ErrMalformedSignature)
			}
			continue
		case "host":
			if r.Host != "" {
				continue
			}
		}
		if _, ok := r.Header[textproto.CanonicalMIMEHeaderKey(name)]; !ok {
			return fmt.Errorf("%w: signed header %q absent from request", ErrMalformedSignature, name)
		}
	}
	return nil
}

// signedHeaderCopy builds the header map handed to go-fed: only the signed
// headers, Host taken from r.Host (where net/http puts it on the server),
// and a Signature header re-serialised from the parameters we validated, so
// go-fed's laxer parser cannot read different values than we checked. go-fed
// mutates the map it is given; the caller's r.Header is never touched.
func signedHeaderCopy(r *http.Request, p sigParams) http.Header {
	h := make(http.Header, len(p.Headers)+1)
	for _, name := range p.Headers {
		k := textproto.CanonicalMIMEHeaderKey(name)
		if vs, ok := r.Header[k]; ok {
			h[k] = vs
		}
	}
	if r.Host != "" {
		h["Host"] = []string{r.Host}
	}
	canon := sigParams{
		KeyID:     "k", // go-fed requires one but does not use it
		Algorithm: "hs2019",
		Headers:   p.Headers,
		Signature: p.Signature,
	}
	if p.signs(createdPseudo) {
		canon.Created = p.Created
	}
	if p.signs(expiresPseudo) {
		canon.Expires = p.Expires
	}
	h["Signature"] = []string{canon.String()}
	return h
}

// resolve calls the KeyResolver and checks the answer is usable.
func (v *Verifier) resolve(ctx context.Context, keyID string, refresh bool) (PublicKey, error) {
	k, err := v.Keys.ResolveKey(ctx, keyID, refresh)
	if err != nil {
		return k, fmt.Errorf("%w: resolve %q (refresh=%t): %w", ErrKeyUnavailable, keyID, refresh, err)
	}
	switch {
	case k.ID != keyID:
		return k, fmt.Errorf("%w: resolver returned key %q for %q", ErrKeyUnavailable, k.ID, keyID)
	case k.Owner == "":
		return k, fmt.Errorf("%w: key %q has no owner", ErrKeyUnavailable, keyID)
	case k.Key == nil:
		return k, fmt.Errorf("%w: key %q has no key material", ErrKeyUnavailable, keyID)
	}
	return k, nil
}

// verifyWithKey runs go-fed's RSA-SHA256 PKCS#1 v1.5 check (what both
// rsa-sha256 and hs2019 mean for an RSA key) against each request-target
// form until one verifies.
func verifyWithKey(r *http.Request, h http.Header, targets []target, k PublicKey) error {
	pub, ok := k.Key.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("%w: key %q is %T, only RSA keys are supported", ErrUnsupportedAlgorithm, k.ID, k.Key)
	}
	var last error
	for _, t := range targets {
		gv, err := gofed.NewVerifier(goFedRequest(r.Method, r.Host, t, h))
		if err != nil {
			// Only the created/expires checks can fail here: the header is ours.
			return fmt.Errorf("%w: %w", ErrBadSignature, err)
		}
		if last = gv.Verify(pub, gofed.RSA_SHA256); last == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: key %q, %d request-target forms tried: %w", ErrBadSignature, k.ID, len(targets), last)
}

// sameKey reports whether a refresh returned the key we already tried, in
// which case verifying again is pointless.
func sameKey(a, b PublicKey) bool {
	if a.Owner != b.Owner {
		return false
	}
	ka, ok := a.Key.(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return false
	}
	return ka.Equal(b.Key)
}
