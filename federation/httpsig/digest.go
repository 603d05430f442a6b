package httpsig

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// digestHeader returns the RFC 3230 Digest value for body, in the form
// Mastodon compares against: "SHA-256=<base64 std>".
func digestHeader(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// checkDigest compares the Digest header with body. The algorithm name is
// matched case-insensitively; other algorithms are ignored, but there must be
// a SHA-256 entry and every SHA-256 entry must match.
func checkDigest(h http.Header, body []byte) error {
	vals := h.Values("Digest")
	if len(vals) == 0 {
		return fmt.Errorf("%w: Digest header missing", ErrDigestMismatch)
	}
	sum := sha256.Sum256(body)
	var offered []string
	found := false
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
			name = strings.TrimSpace(name)
			if !strings.EqualFold(name, "SHA-256") {
				if name != "" && len(offered) < 8 {
					offered = append(offered, name)
				}
				continue
			}
			found = true
			got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
			if err != nil {
				return fmt.Errorf("%w: SHA-256 value is not base64: %w", ErrDigestMismatch, err)
			}
			if !bytes.Equal(got, sum[:]) {
				return fmt.Errorf("%w: SHA-256 of body does not match Digest header", ErrDigestMismatch)
			}
		}
	}
	if !found {
		return fmt.Errorf("%w: no SHA-256 in Digest header (offered %q)", ErrDigestMismatch, offered)
	}
	return nil
}
