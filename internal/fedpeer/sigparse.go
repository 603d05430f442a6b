package fedpeer

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// sigParams is a parsed draft-cavage Signature header.
type sigParams struct {
	KeyID     string
	Algorithm string // lowercased; "hs2019" when absent, as Mastodon assumes
	Headers   []string
	Signature []byte
	Created   string // raw (created) parameter, if any
	Expires   string // raw (expires) parameter, if any
}

// parseSignature parses `keyId="..",algorithm="..",headers="..",signature=".."`.
// Values may be quoted strings (with backslash escapes) or bare tokens.
func parseSignature(h string) (*sigParams, error) {
	params := map[string]string{}
	i := 0
	for {
		for i < len(h) && (h[i] == ' ' || h[i] == '\t' || h[i] == ',') {
			i++
		}
		if i >= len(h) {
			break
		}
		start := i
		for i < len(h) && h[i] != '=' && h[i] != ',' && h[i] != ' ' {
			i++
		}
		name := h[start:i]
		if name == "" || i >= len(h) || h[i] != '=' {
			return nil, fmt.Errorf("%w: expected name=value at %q", ErrSignatureFormat, h[start:])
		}
		i++ // '='
		var val strings.Builder
		if i < len(h) && h[i] == '"' {
			i++
			closed := false
			for i < len(h) {
				c := h[i]
				i++
				if c == '\\' && i < len(h) {
					val.WriteByte(h[i])
					i++
					continue
				}
				if c == '"' {
					closed = true
					break
				}
				val.WriteByte(c)
			}
			if !closed {
				return nil, fmt.Errorf("%w: unterminated quoted value for %s", ErrSignatureFormat, name)
			}
		} else {
			start := i
			for i < len(h) && h[i] != ',' {
				i++
			}
			val.WriteString(strings.TrimSpace(h[start:i]))
		}
		if _, dup := params[name]; dup {
			return nil, fmt.Errorf("%w: duplicate parameter %s", ErrSignatureFormat, name)
		}
		params[name] = val.String()
	}

	sp := &sigParams{
		KeyID:     params["keyId"],
		Algorithm: strings.ToLower(params["algorithm"]),
		Created:   params["created"],
		Expires:   params["expires"],
	}
	if sp.KeyID == "" {
		return nil, fmt.Errorf("%w: no keyId", ErrSignatureFormat)
	}
	if sp.Algorithm == "" {
		sp.Algorithm = "hs2019"
	}
	hdrs, ok := params["headers"]
	if !ok {
		hdrs = "date"
		if sp.Algorithm == "hs2019" {
			hdrs = "(created)"
		}
	}
	sp.Headers = strings.Fields(strings.ToLower(hdrs))
	if len(sp.Headers) == 0 {
		return nil, fmt.Errorf("%w: empty headers list", ErrSignatureFormat)
	}
	sig, ok := params["signature"]
	if !ok || sig == "" {
		return nil, fmt.Errorf("%w: no signature", ErrSignatureFormat)
	}
	b, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return nil, fmt.Errorf("%w: signature is not base64: %w", ErrSignatureFormat, err)
	}
	sp.Signature = b
	for _, v := range []string{sp.Created, sp.Expires} {
		if v != "" {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return nil, fmt.Errorf("%w: created/expires %q is not an integer", ErrSignatureFormat, v)
			}
		}
	}
	return sp, nil
}
