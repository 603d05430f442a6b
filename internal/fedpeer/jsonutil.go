package fedpeer

import (
	"encoding/json"
	"fmt"
)

// ActivityStreams and security context IRIs, required in every actor's @context.
const (
	asContext  = "https://www.w3.org/ns/activitystreams"
	secContext = "https://w3id.org/security/v1"
)

// decodeObject parses a JSON object, wrapping failures in ErrBadJSON.
func decodeObject(body []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadJSON, err)
	}
	if m == nil {
		return nil, fmt.Errorf("%w: null", ErrBadJSON)
	}
	return m, nil
}

// str returns m[k] if it is a string.
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// idOf returns the id of a reference that is either an IRI string or an
// embedded object with an id.
func idOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		return str(x, "id")
	}
	return ""
}

// contextIRIs lists the string entries of an @context value.
func contextIRIs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// linkHrefs lists the IRIs of a property that may be a string, a Link
// object with href, an object with id, or an array of those (e.g. url).
func linkHrefs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case map[string]any:
		if h := str(x, "href"); h != "" {
			return []string{h}
		}
		if id := str(x, "id"); id != "" {
			return []string{id}
		}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, linkHrefs(e)...)
		}
		return out
	}
	return nil
}
