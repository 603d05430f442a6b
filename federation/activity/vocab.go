package activity

import (
	vocab "github.com/go-ap/activitypub"
	"github.com/go-ap/jsonld"
)

// ContentType is what ActivityPub documents are served and delivered as.
const ContentType = "application/activity+json"

// Public is the ActivityStreams public collection, named in addressing.
const Public = string(vocab.PublicNS)

// asContext is the @context of every document but actors'.
var asContext = jsonld.WithContext(jsonld.IRI(vocab.ActivityBaseURI))

// Marshal encodes a document to be sent or served on its own, with the
// ActivityStreams @context.
func Marshal(it vocab.Item) ([]byte, error) { return asContext.Marshal(it) }

// iris turns ids into go-ap's list of IRIs, for to and cc.
func iris(ids []string) vocab.ItemCollection {
	out := make(vocab.ItemCollection, 0, len(ids))
	for _, id := range ids {
		out = append(out, vocab.IRI(id))
	}
	return out
}
