package fedpeer

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Mastodon's Date window: at most 65 minutes old, 60 minutes ahead.
const (
	maxDatePast   = 65 * time.Minute
	maxDateFuture = 60 * time.Minute
)

// verified is what a good signature proves about a request.
type verified struct {
	KeyID  string
	Signer string // owner of the key: the actor who signed
	// KeyNeedsSignature is set when the key could only be fetched with a
	// signed GET, a rule violation the caller records.
	KeyNeedsSignature bool
}

// verifyRequest checks a draft-cavage signature the way Mastodon's inbox
// does, with the checks go-fed/httpsig leaves out (Digest, Date window).
// body is the raw request body; withDigest demands a signed Digest (POST).
func (p *Peer) verifyRequest(ctx context.Context, r *http.Request, body []byte, withDigest bool) (*verified, error) {
	raw := r.Header.Get("Signature")
	if raw == "" {
		if a := r.Header.Get("Authorization"); len(a) > len("Signature ") && strings.EqualFold(a[:10], "Signature ") {
			raw = a[10:]
		}
	}
	if raw == "" {
		return nil, ErrNoSignature
	}
	sp, err := parseSignature(raw)
	if err != nil {
		return nil, err
	}
	if sp.Algorithm != "rsa-sha256" && sp.Algorithm != "hs2019" {
		return nil, fmt.Errorf("%w: %q", ErrAlgorithm, sp.Algorithm)
	}
	required := []string{"(request-target)", "host", "date"}
	if withDigest {
		required = append(required, "digest")
	}
	for _, n := range required {
		if !slices.Contains(sp.Headers, n) {
			return nil, fmt.Errorf("%w: %s not in headers=%q", ErrUnsignedHeader, n, strings.Join(sp.Headers, " "))
		}
	}
	if err := checkDate(r.Header.Get("Date"), p.cfg.now()); err != nil {
		return nil, err
	}
	if sp.Expires != "" {
		exp, _ := strconv.ParseInt(sp.Expires, 10, 64)
		if p.cfg.now().Unix() > exp {
			return nil, fmt.Errorf("%w: signature expired at %d", ErrDateWindow, exp)
		}
	}
	if withDigest {
		if err := checkDigest(r.Header.Values("Digest"), body); err != nil {
			return nil, err
		}
	}
	var candidates []string
	for _, t := range requestTargets(r) {
		ss, err := signingString(r.Method, t, r.Host, r.Header, sp.Headers, sp)
		if err != nil {
			return nil, err
		}
		candidates = append(candidates, ss)
	}
	k, err := p.keys.get(ctx, p, sp.KeyID, false)
	if err != nil {
		return nil, err
	}
	if !verifyAny(k.pub, candidates, sp.Signature) {
		// The key may have changed: refetch once, as Mastodon does.
		if k, err = p.keys.get(ctx, p, sp.KeyID, true); err != nil {
			return nil, err
		}
		if !verifyAny(k.pub, candidates, sp.Signature) {
			return nil, fmt.Errorf("%w: keyId %s, signed headers %q", ErrBadSignature, sp.KeyID, strings.Join(sp.Headers, " "))
		}
	}
	return &verified{KeyID: sp.KeyID, Signer: k.owner, KeyNeedsSignature: k.needsSig}, nil
}

// requestTargets lists the raw request target, then the same without its
// query string: Mastodon verifies both ways.
func requestTargets(r *http.Request) []string {
	t := r.RequestURI
	if !strings.HasPrefix(t, "/") {
		t = r.URL.RequestURI()
	}
	if i := strings.IndexByte(t, '?'); i >= 0 {
		return []string{t, t[:i]}
	}
	return []string{t}
}

// verifyAny reports whether sig is a PKCS#1 v1.5 SHA-256 signature of one
// of the candidate signing strings.
func verifyAny(pub *rsa.PublicKey, candidates []string, sig []byte) bool {
	for _, c := range candidates {
		sum := sha256.Sum256([]byte(c))
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil {
			return true
		}
	}
	return false
}

// checkDate enforces Mastodon's window on the Date header.
func checkDate(h string, now time.Time) error {
	if h == "" {
		return fmt.Errorf("%w: date", ErrMissingHeader)
	}
	d, err := http.ParseTime(h)
	if err != nil {
		return fmt.Errorf("%w: unparseable Date %q", ErrDateWindow, h)
	}
	switch age := now.Sub(d).Round(time.Second); {
	case age > maxDatePast:
		return fmt.Errorf("%w: Date %q is %v old (limit %v)", ErrDateWindow, h, age, maxDatePast)
	case -age > maxDateFuture:
		return fmt.Errorf("%w: Date %q is %v ahead (limit %v)", ErrDateWindow, h, -age, maxDateFuture)
	}
	return nil
}
