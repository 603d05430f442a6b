package activity

import "errors"

// KeyOwnerClaim finds the owner a key document names for keyID: a key object
// ({id: keyID, owner}), or an actor-shaped document embedding the key in
// publicKey (one object or a list), whose owner, or else the document's id,
// is the claim.
func KeyOwnerClaim(doc map[string]any, keyID string) (string, error) {
	if str(doc["id"]) == keyID && str(doc["publicKeyPem"]) != "" {
		if o := idValue(doc["owner"]); o != "" {
			return o, nil
		}
		return "", errors.New("a key object without an owner")
	}
	for _, k := range publicKeys(doc["publicKey"]) {
		if k.ID != keyID {
			continue
		}
		if k.Owner != "" {
			return k.Owner, nil
		}
		if id := str(doc["id"]); id != "" {
			return id, nil
		}
	}
	return "", errors.New("it names no owner for this key")
}

// PublicKey is one entry of an actor's publicKey, as its document lists it.
type PublicKey struct {
	ID, Owner, PEM string
}

// publicKeys reads publicKey in any of its JSON-LD forms: one object, a
// list of objects; entries that are bare ids carry no key and are skipped.
func publicKeys(v any) []PublicKey {
	var out []PublicKey
	for _, e := range oneOrMany(v) {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		out = append(out, PublicKey{ID: str(m["id"]), Owner: idValue(m["owner"]), PEM: str(m["publicKeyPem"])})
	}
	return out
}

// oneOrMany is JSON-LD's rule that a single value and a list of values mean
// the same.
func oneOrMany(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}

// idValue reads a value that is an id or an object with an id; of a list,
// the first.
func idValue(v any) string {
	for _, e := range oneOrMany(v) {
		switch x := e.(type) {
		case string:
			return x
		case map[string]any:
			if id := str(x["id"]); id != "" {
				return id
			}
		}
	}
	return ""
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
