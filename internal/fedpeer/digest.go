package fedpeer

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
)

// checkDigest requires a SHA-256 entry in the Digest header(s) that matches
// the raw body; other algorithms may be listed beside it.
func checkDigest(values []string, body []byte) error {
	sum := sha256.Sum256(body)
	found := false
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			alg, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || !strings.EqualFold(alg, "SHA-256") {
				continue
			}
			found = true
			got, err := base64.StdEncoding.DecodeString(val)
			if err != nil || subtle.ConstantTimeCompare(got, sum[:]) != 1 {
				return fmt.Errorf("%w: got %q, body has SHA-256=%s", ErrDigestMismatch, val, base64.StdEncoding.EncodeToString(sum[:]))
			}
		}
	}
	if !found {
		return fmt.Errorf("%w: Digest %q", ErrDigestMissing, strings.Join(values, ", "))
	}
	return nil
}
