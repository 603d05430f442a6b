package activity

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
)

// oneOrManyProps are the properties a sender may give as one value or as
// a list of one (JSON-LD); wrapAll turns every single value of them into
// a list, at every depth.
var oneOrManyProps = []string{"type", "actor", "object", "inReplyTo", "attributedTo", "url", "tag", "to", "cc", "publicKey"}

func wrapAll(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			e = wrapAll(e)
			for _, p := range oneOrManyProps {
				if k == p {
					if _, isList := e.([]any); !isList && e != nil {
						e = []any{e}
					}
				}
			}
			out[k] = e
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = wrapAll(e)
		}
		return out
	}
	return v
}

// reencode decodes body with encoding/json and encodes it again,
// optionally wrapped; ok is false for what is not a JSON object.
func reencode(body []byte, wrap bool) ([]byte, bool) {
	var v map[string]any
	if json.Unmarshal(body, &v) != nil || v == nil {
		return nil, false
	}
	var out any = v
	if wrap {
		out = wrapAll(v)
	}
	b, err := json.Marshal(out)
	return b, err == nil
}

// seedCaptured adds every captured GoToSocial document to the corpus.
func seedCaptured(f *testing.F) {
	files, _ := filepath.Glob("testdata/gotosocial/*.json")
	for _, file := range files {
		f.Add(capturedGTS(f, filepath.Base(file)))
	}
	if len(files) == 0 {
		f.Fatal("no captured documents")
	}
}

// FuzzParseActivity: the activity parser never panics, and a document
// reads the same whether its properties are single values or lists of
// one.
func FuzzParseActivity(f *testing.F) {
	seedCaptured(f)
	f.Add([]byte(`{"id":"https://r.example/c/1","type":"Create","actor":{"id":"https://r.example/u/a"},"object":{"id":"https://r.example/n/1","type":"Note","inReplyTo":{"id":"https://wiki.example/ap/rev/7"},"tag":{"type":"Mention","href":"https://wiki.example/ap/user/3"},"url":{"type":"Link","href":"https://r.example/@a/1"},"content":"hi"}}`))
	f.Add([]byte(`{"id":"https://r.example/u/1","type":"Undo","actor":"https://r.example/u","object":{"id":"https://r.example/l/1","type":"Like","actor":"https://r.example/u","object":"https://wiki.example/ap/rev/1"}}`))
	f.Add([]byte(`{"id":"https://r.example/f/1","type":"Flag","actor":"https://r.example/u","object":["https://wiki.example/ap/user/1","https://wiki.example/ap/rev/2"],"content":"spam"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		act, err := Parse(body) // must not panic
		if err == nil && (act.ID == "" || act.Type == "" || act.Actor == "") {
			t.Fatalf("parsed without id, type or actor: %+v", act)
		}
		plain, ok := reencode(body, false)
		if !ok {
			return
		}
		wrapped, _ := reencode(body, true)
		a, errA := Parse(plain)
		b, errB := Parse(wrapped)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("single values: %v; lists of one: %v\n%s\n%s", errA, errB, plain, wrapped)
		}
		if errA != nil {
			return
		}
		a.object, b.object = nil, nil
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("single values and lists of one read differently:\n%+v %+v %+v\n%+v %+v %+v\n%s\n%s", a, a.Note, a.Inner, b, b.Note, b.Inner, plain, wrapped)
		}
	})
}

// FuzzKeyDocument: the readers of key and actor documents never panic,
// and read a publicKey the same as one object or a list of one.
func FuzzKeyDocument(f *testing.F) {
	seedCaptured(f)
	f.Add([]byte(`{"id":"https://r.example/k/1","owner":"https://r.example/u/a","publicKeyPem":"-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----"}`))
	f.Add([]byte(`{"id":"https://r.example/u/a","inbox":"https://r.example/u/a/inbox","publicKey":[{"id":"https://r.example/u/a#k","owner":"https://r.example/u/a","publicKeyPem":"x"},"https://r.example/u/a#k2"]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var doc map[string]any
		if json.Unmarshal(body, &doc) != nil || doc == nil {
			return
		}
		keyID, _ := doc["id"].(string)
		claim, claimErr := KeyOwnerClaim(doc, keyID)
		_, _ = ParseActor(body, doc) // must not panic
		wrapped, _ := reencode(body, true)
		var wdoc map[string]any
		if json.Unmarshal(wrapped, &wdoc) != nil {
			t.Fatalf("re-encoded document unreadable: %s", wrapped)
		}
		if !reflect.DeepEqual(publicKeys(doc["publicKey"]), publicKeys(wdoc["publicKey"])) {
			t.Fatalf("publicKey read differently as a list of one:\n%s\n%s", body, wrapped)
		}
		if _, isKeyObject := doc["publicKeyPem"]; !isKeyObject {
			wclaim, wErr := KeyOwnerClaim(wdoc, keyID)
			if wclaim != claim || (wErr == nil) != (claimErr == nil) {
				t.Fatalf("owner claim %q/%v, as lists %q/%v", claim, claimErr, wclaim, wErr)
			}
		}
		plain, _ := reencode(body, false)
		pa, pErr := ParseActor(plain, doc)
		wa, wErr := ParseActor(wrapped, wdoc)
		if (pErr == nil) != (wErr == nil) || (pErr == nil && !reflect.DeepEqual(pa, wa)) {
			t.Fatalf("actor %+v/%v, as lists %+v/%v\n%s\n%s", pa, pErr, wa, wErr, plain, wrapped)
		}
	})
}
