package fedpeer

import (
	"fmt"
	"net/http"
	"strings"
)

// signingString builds the draft-cavage-12 string to sign for the named
// (lowercase) headers. It is shared by signer and verifier so both sides
// agree byte for byte; sp supplies (created)/(expires) when verifying.
func signingString(method, target, host string, h http.Header, names []string, sp *sigParams) (string, error) {
	lines := make([]string, 0, len(names))
	for _, n := range names {
		var v string
		switch n {
		case "(request-target)":
			v = strings.ToLower(method) + " " + target
		case "host":
			if host == "" {
				return "", fmt.Errorf("%w: host", ErrMissingHeader)
			}
			v = host
		case "(created)", "(expires)":
			if sp != nil && n == "(created)" {
				v = sp.Created
			} else if sp != nil {
				v = sp.Expires
			}
			if v == "" {
				return "", fmt.Errorf("%w: %s parameter", ErrMissingHeader, n)
			}
		default:
			vals := h.Values(n)
			if len(vals) == 0 {
				return "", fmt.Errorf("%w: %s", ErrMissingHeader, n)
			}
			trimmed := make([]string, len(vals))
			for i, s := range vals {
				trimmed[i] = strings.TrimSpace(s)
			}
			v = strings.Join(trimmed, ", ")
		}
		lines = append(lines, n+": "+v)
	}
	return strings.Join(lines, "\n"), nil
}
