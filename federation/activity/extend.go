package activity

import (
	"bytes"
	"encoding/json"
	"fmt"

	vocab "github.com/go-ap/activitypub"
)

// go-ap's encoder falls short of what the servers we talk to read in a
// few places, each handled here rather than by writing the document by
// hand:
//
//   - it has no field for some properties Mastodon reads (sensitive on a
//     post, the actor extensions discoverable, indexable, featured,
//     manuallyApprovesFollowers, webfinger, PropertyValue attachments);
//   - it decodes backslash sequences in natural-language values a second
//     time when writing them (an edit summary "C:\new" would reach
//     followers with a line break), so post text is written by
//     encoding/json;
//   - it writes an IRI without escaping it, so an id that a remote chose
//     (a follower, a Follow we answer, a reply) goes through foreignIRI;
//   - it writes totalItems on every collection and leaves out an empty
//     orderedItems, where an embedded first page should say neither
//     more nor less than Mastodon's: no count, no items;
//   - it writes a list of one as the one value (attachment); Mastodon and
//     GoToSocial read both, but we keep a list where we always had one.

// prop is a property that go-ap does not write (or not as we need it),
// given as a value for encoding/json.
type prop struct {
	name  string
	value any
}

// extended is a go-ap value with properties written after go-ap's own.
// It is a vocab.Item, so go-ap embeds it where an object goes (a Note in
// a Create, a page in a collection).
type extended struct {
	vocab.Item
	props []prop
}

func extend(it vocab.Item, props ...prop) extended { return extended{Item: it, props: props} }

// MarshalJSON writes go-ap's encoding of the item with the props after it.
func (e extended) MarshalJSON() ([]byte, error) {
	m, ok := e.Item.(json.Marshaler)
	if !ok {
		return nil, fmt.Errorf("activity: %T cannot be encoded", e.Item)
	}
	core, err := m.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return appendProps(core, e.props)
}

// appendProps adds top-level properties to an encoded JSON object.
func appendProps(obj []byte, props []prop) ([]byte, error) {
	obj = bytes.TrimSpace(obj)
	if len(obj) < 2 || obj[len(obj)-1] != '}' {
		return nil, fmt.Errorf("activity: not a JSON object: %.40q", obj)
	}
	out := make([]byte, 0, len(obj)+64*len(props))
	out = append(out, obj[:len(obj)-1]...)
	for _, p := range props {
		name, err := json.Marshal(p.name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(p.value)
		if err != nil {
			return nil, fmt.Errorf("activity: encoding %s: %w", p.name, err)
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(append(append(out, name...), ':'), v...)
	}
	return append(out, '}'), nil
}

// foreignIRI is an id that a remote chose: written escaped, as JSON wants
// every string (go-ap writes its IRIs as they are, and a quote in one
// would end the string).
type foreignIRI struct{ vocab.IRI }

func (i foreignIRI) MarshalJSON() ([]byte, error) { return json.Marshal(string(i.IRI)) }

// Foreign is an id a remote chose, as an item of a document we write.
func Foreign(id string) vocab.Item { return foreignIRI{vocab.IRI(id)} }

// encoded is a document that is encoded already (an actor document from
// its cache), embedded as it is; its IRI is its id, for go-ap's Item
// methods.
type encoded struct {
	vocab.IRI
	raw json.RawMessage
}

func (e encoded) MarshalJSON() ([]byte, error) { return e.raw, nil }
