package fedpeer

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Headers signed by default, as Mastodon does: GETs cover
// (request-target) host date; POSTs add digest and content-type.
var (
	getSignedHeaders  = []string{"(request-target)", "host", "date"}
	postSignedHeaders = []string{"(request-target)", "host", "date", "digest", "content-type"}
)

// digestHeader is the RFC 3230 Digest value of a body: SHA-256=<base64>.
func digestHeader(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// Sign signs req as the peer's user with draft-cavage rsa-sha256, so tests
// can craft requests with unusual header sets (e.g. re-sign after changing
// Date, or sign without digest). It sets Date if absent and Digest (of
// body) if "digest" is signed and absent. With no headers given it signs
// the default set for the method.
func (p *Peer) Sign(req *http.Request, body []byte, headers ...string) error {
	if len(headers) == 0 {
		headers = getSignedHeaders
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			headers = postSignedHeaders
		}
	}
	names := make([]string, len(headers))
	for i, h := range headers {
		names[i] = strings.ToLower(h)
	}
	if req.Header.Get("Date") == "" {
		req.Header.Set("Date", p.cfg.now().UTC().Format(http.TimeFormat))
	}
	if slices.Contains(names, "digest") && req.Header.Get("Digest") == "" {
		req.Header.Set("Digest", digestHeader(body))
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	ss, err := signingString(req.Method, req.URL.RequestURI(), host, req.Header, names, nil)
	if err != nil {
		return fmt.Errorf("fedpeer: sign: %w", err)
	}
	sum := sha256.Sum256([]byte(ss))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		return fmt.Errorf("fedpeer: sign: %w", err)
	}
	req.Header.Set("Signature", fmt.Sprintf(`keyId="%s",algorithm="rsa-sha256",headers="%s",signature="%s"`,
		p.KeyID(), strings.Join(names, " "), base64.StdEncoding.EncodeToString(sig)))
	return nil
}
