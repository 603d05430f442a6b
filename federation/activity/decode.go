package activity

import (
	"errors"
	"fmt"
	"strings"

	vocab "github.com/go-ap/activitypub"
	"github.com/valyala/fastjson"
)

// Inbound ActivityStreams documents are read with go-ap's vocabulary
// types, which know JSON-LD's rule (docs/interop.md, "JSON-LD: one or
// many") that an object may be given by its id alone (object, actor, inReplyTo, attributedTo, url, icon: an IRI or an
// object, of which we take the id). go-ap falls short in two places,
// which normalize fixes before go-ap sees the document:
//
//   - a list-valued property given one object without the array (what
//     GoToSocial sends for a reply with one mention: "tag": {…}) is read
//     as nothing: go-ap looks for the property inside the object itself;
//   - a type given as a list (["Note", …]) is read as no type at all.
//
// publicKey, which go-ap keeps one of, is read by publicKeys
// (keys.go): an actor may list several.

// manyValued are the properties go-ap reads as lists.
var manyValued = [...]string{"tag", "to", "cc", "bto", "bcc", "audience", "attachment", "orderedItems", "items"}

// MaxIDLength bounds every id we read from a remote (activity, actor,
// object, key): no real server makes ids of kilobytes, and a bound keeps
// them out of store keys and logs whole.
const MaxIDLength = 2048

// decodeAP parses a JSON object and reads it with go-ap after normalize.
// An object of a type go-ap does not know (a Mastodon or Misskey
// extension) is not an error: it comes back as nil, with the parsed
// value, so the caller can still read its envelope.
func decodeAP(body []byte) (vocab.Item, *fastjson.Value, error) {
	var p fastjson.Parser
	v, err := p.ParseBytes(body)
	if err != nil {
		return nil, nil, fmt.Errorf("not JSON: %w", err)
	}
	if v.Type() != fastjson.TypeObject {
		return nil, nil, errors.New("not a JSON object")
	}
	var a fastjson.Arena
	normalize(&a, v)
	it, err := vocab.JSONLoadItem(v)
	if err != nil {
		return nil, v, nil
	}
	return it, v, nil
}

// maxListItems bounds every list go-ap reads: go-ap adds each entry of a
// list after comparing it with every entry before it, so a 1 MB Flag
// naming 20,000 ids would take minutes of CPU. No property wikipub acts
// on needs more (it looks at 10 mentions, writes 20 ids of a report).
const maxListItems = 50

// normalize rewrites v into the forms go-ap reads: one object where a
// list is expected becomes a list of one; a list of types becomes its
// first type; a list is cut to maxListItems. It returns v, or the value
// that replaces it. Nesting is bounded by the parser (fastjson refuses
// documents deeper than 300).
func normalize(a *fastjson.Arena, v *fastjson.Value) *fastjson.Value {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		if t := o.Get("type"); t != nil && t.Type() == fastjson.TypeArray {
			for _, e := range t.GetArray() {
				if e.Type() == fastjson.TypeString {
					o.Set("type", e)
					break
				}
			}
		}
		for _, p := range manyValued {
			if x := o.Get(p); x != nil && x.Type() == fastjson.TypeObject {
				arr := a.NewArray()
				arr.SetArrayItem(0, x)
				o.Set(p, arr)
			}
		}
		o.Visit(func(k []byte, x *fastjson.Value) {
			if nx := normalize(a, x); nx != x {
				o.Set(string(k), nx)
			}
		})
	case fastjson.TypeArray:
		items := v.GetArray()
		if len(items) > maxListItems {
			cut := a.NewArray()
			for i, e := range items[:maxListItems] {
				cut.SetArrayItem(i, normalize(a, e))
			}
			return cut
		}
		for i, e := range items {
			if ne := normalize(a, e); ne != e {
				v.SetArrayItem(i, ne)
			}
		}
	}
	return v
}

// rebox stores a go-ap value in a fresh interface value. go-ap fills the
// fields of its activities through unsafe casts between struct types whose
// fields have other interface types, so a field can hold an interface
// value that type assertions (and so go-ap's own type switches) do not
// recognise; going through any gives it the right method table.
func rebox(it vocab.Item) vocab.Item {
	if it == nil {
		return nil
	}
	v, _ := any(it).(vocab.Item)
	return v
}

// firstItem is an item, or of a list the first entry.
func firstItem(it vocab.Item) vocab.Item {
	it = rebox(it)
	if vocab.IsNil(it) {
		return nil
	}
	if c, ok := it.(vocab.ItemCollection); ok {
		for _, e := range c {
			if e = rebox(e); !vocab.IsNil(e) {
				return e
			}
		}
		return nil
	}
	return it
}

// idOfItem is the id of an IRI or of an object; of a list, the first's.
func idOfItem(it vocab.Item) string {
	it = firstItem(it)
	if vocab.IsNil(it) {
		return ""
	}
	return string(it.GetLink())
}

// itemsOf is an item as a list: one value and a list of one are the same.
func itemsOf(it vocab.Item) []vocab.Item {
	it = rebox(it)
	if vocab.IsNil(it) {
		return nil
	}
	if c, ok := it.(vocab.ItemCollection); ok {
		out := make([]vocab.Item, 0, len(c))
		for _, e := range c {
			if e = rebox(e); !vocab.IsNil(e) {
				out = append(out, e)
			}
		}
		return out
	}
	return []vocab.Item{it}
}

// hrefOf is where a url-like value points: an IRI, a Link's href, or an
// object's id; of a list, the first http(s) one.
func hrefOf(it vocab.Item) string {
	for _, e := range itemsOf(it) {
		var u string
		if l, err := vocab.ToLink(e); err == nil {
			u = string(l.Href)
			if u == "" {
				u = string(l.ID)
			}
		} else if !vocab.IsNil(e) {
			u = string(e.GetLink())
		}
		if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			return u
		}
	}
	return ""
}

// asActivity and asActor are go-ap's conversions, safe for nil (go-ap's
// own panic on it).
func asActivity(it vocab.Item) (*vocab.Activity, bool) {
	it = rebox(it)
	if vocab.IsNil(it) {
		return nil, false
	}
	a, err := vocab.ToActivity(it)
	return a, err == nil && a != nil
}

func asActor(it vocab.Item) (*vocab.Actor, bool) {
	it = rebox(it)
	if vocab.IsNil(it) {
		return nil, false
	}
	a, err := vocab.ToActor(it)
	return a, err == nil && a != nil
}
