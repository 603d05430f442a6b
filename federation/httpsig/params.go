package httpsig

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// Pseudo-headers of draft-cavage-12 that may appear in the headers parameter.
const (
	requestTarget = "(request-target)"
	createdPseudo = "(created)"
	expiresPseudo = "(expires)"
)

// maxSignedHeaders bounds the headers parameter so a hostile list cannot make
// the signing string (built once per request-target candidate) large.
const maxSignedHeaders = 32

// sigParams is a parsed draft-cavage Signature header value.
type sigParams struct {
	KeyID     string
	Algorithm string   // as sent; "" if absent
	Headers   []string // lowercased; ["date"] if the parameter was absent
	Signature string   // base64, validated
	Created   string   // decimal, "" if absent
	Expires   string   // decimal, "" if absent
}

// parseSigParams parses `keyId="…",algorithm="…",headers="…",signature="…"`
// strictly: quoted values may contain commas, duplicate parameters are
// rejected (so no later parser can read a different value than we checked),
// unknown parameters are ignored.
func parseSigParams(s string) (sigParams, error) {
	var p sigParams
	seen := make(map[string]bool, 6)
	headersSeen := false
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			break
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ',' && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		name := s[start:i]
		if name == "" || i >= len(s) || s[i] != '=' {
			return p, fmt.Errorf("%w: parameter %q has no value", ErrMalformedSignature, name)
		}
		i++
		var val string
		if i < len(s) && s[i] == '"' {
			i++
			var b strings.Builder
			closed := false
			for i < len(s) {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				i++
				if c == '"' {
					closed = true
					break
				}
				b.WriteByte(c)
			}
			if !closed {
				return p, fmt.Errorf("%w: unterminated quoted value for %q", ErrMalformedSignature, name)
			}
			val = b.String()
		} else {
			start := i
			for i < len(s) && s[i] != ',' && s[i] != ' ' && s[i] != '\t' {
				i++
			}
			val = s[start:i]
		}
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i < len(s) && s[i] != ',' {
			return p, fmt.Errorf("%w: unexpected %q after parameter %q", ErrMalformedSignature, s[i], name)
		}
		switch name {
		case "keyId", "algorithm", "headers", "signature", "created", "expires":
		default:
			continue // draft-cavage: ignore unknown parameters
		}
		if seen[name] {
			return p, fmt.Errorf("%w: duplicate parameter %q", ErrMalformedSignature, name)
		}
		seen[name] = true
		switch name {
		case "keyId":
			p.KeyID = val
		case "algorithm":
			p.Algorithm = val
		case "headers":
			headersSeen = true
			p.Headers = strings.Fields(strings.ToLower(val))
		case "signature":
			p.Signature = val
		case "created":
			p.Created = val
		case "expires":
			p.Expires = val
		}
	}
	if p.KeyID == "" {
		return p, fmt.Errorf("%w: missing keyId", ErrMalformedSignature)
	}
	if p.Signature == "" {
		return p, fmt.Errorf("%w: missing signature", ErrMalformedSignature)
	}
	if _, err := base64.StdEncoding.DecodeString(p.Signature); err != nil {
		return p, fmt.Errorf("%w: signature is not base64: %w", ErrMalformedSignature, err)
	}
	if !headersSeen {
		p.Headers = []string{"date"} // draft-cavage default
	}
	if len(p.Headers) == 0 || len(p.Headers) > maxSignedHeaders {
		return p, fmt.Errorf("%w: %d signed headers", ErrMalformedSignature, len(p.Headers))
	}
	for _, h := range p.Headers {
		if !validHeaderName(h) {
			return p, fmt.Errorf("%w: bad signed header name %q", ErrMalformedSignature, h)
		}
	}
	for _, t := range []struct{ name, v string }{{"created", p.Created}, {"expires", p.Expires}} {
		if t.v == "" {
			continue
		}
		if _, err := strconv.ParseInt(t.v, 10, 64); err != nil {
			return p, fmt.Errorf("%w: %s: %w", ErrMalformedSignature, t.name, err)
		}
	}
	return p, nil
}

// validHeaderName accepts an RFC 9110 token or one of the draft's
// pseudo-headers; anything else cannot name a real header.
func validHeaderName(h string) bool {
	switch h {
	case requestTarget, createdPseudo, expiresPseudo:
		return true
	}
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// signs reports whether the headers parameter covers name.
func (p sigParams) signs(name string) bool {
	for _, h := range p.Headers {
		if h == name {
			return true
		}
	}
	return false
}

// String formats the parameters as a Signature header value. Values are
// written unescaped; callers guarantee they contain no '"' or '\'.
func (p sigParams) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, `keyId="%s"`, p.KeyID)
	if p.Algorithm != "" {
		fmt.Fprintf(&b, `,algorithm="%s"`, p.Algorithm)
	}
	if p.Created != "" {
		fmt.Fprintf(&b, `,created=%s`, p.Created)
	}
	if p.Expires != "" {
		fmt.Fprintf(&b, `,expires=%s`, p.Expires)
	}
	fmt.Fprintf(&b, `,headers="%s",signature="%s"`, strings.Join(p.Headers, " "), p.Signature)
	return b.String()
}

// validKeyID rejects key ids that would need escaping in the header or that
// naive parsers (go-fed splits on ',') would cut apart.
func validKeyID(id string) bool {
	if id == "" {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == ',' {
			return false
		}
	}
	return true
}
