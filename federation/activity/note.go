package activity

import (
	"time"

	vocab "github.com/go-ap/activitypub"
)

// Note is one of our posts, as delivered in a Create and served at its id.
// Its replies, likes and shares collections are at its id's /replies,
// /likes and /shares.
type Note struct {
	ID, AttributedTo string
	// Content is the post's HTML, within Mastodon's allowlist.
	Content string
	// URL is the page a reader opens: the diff, or the wiki page.
	URL       string
	Published time.Time
	To, CC    []string
	// Attachment is an uploaded file, shown with the post.
	Attachment []Attachment
	// Language is the BCP 47 tag of the text's language ("en", "zh-Hans"):
	// the content is then given as contentMap too, which is where Mastodon
	// and GoToSocial read a post's language (docs/interop.md, "Language and
	// hashtags").
	Language string
	// Tags are the post's hashtags.
	Tags []Hashtag
}

// Hashtag is a tag the servers list and link: Name with its "#", Href the
// page it stands for.
type Hashtag struct {
	Name, Href string
}

// Attachment is a file shown with a post (an upload).
type Attachment struct {
	// Type is Image or Document.
	Type, MediaType, URL string
	// Name is the alt text.
	Name string
}

// Item is the Note as go-ap's Object, with what go-ap has no field for
// (sensitive) and the text written by encoding/json (extend.go).
func (n Note) Item() vocab.Item {
	o := &vocab.Object{Type: vocab.NoteType}
	o.ID = vocab.ID(n.ID)
	o.AttributedTo = vocab.IRI(n.AttributedTo)
	if n.URL != "" {
		o.URL = vocab.IRI(n.URL)
	}
	o.Published = n.Published.UTC()
	o.To, o.CC = iris(n.To), iris(n.CC)
	o.Replies = embeddedReplies(n.ID + "/replies")
	o.Likes, o.Shares = vocab.IRI(n.ID+"/likes"), vocab.IRI(n.ID+"/shares")
	props := []prop{{"content", n.Content}}
	if n.Language != "" {
		props = append(props, prop{"contentMap", map[string]string{n.Language: n.Content}})
	}
	props = append(props, prop{"sensitive", false})
	if len(n.Tags) > 0 {
		list := make([]extended, len(n.Tags))
		for i, t := range n.Tags {
			o := &vocab.Object{Type: HashtagType}
			list[i] = extend(o, prop{"href", t.Href}, prop{"name", t.Name})
		}
		props = append(props, prop{"tag", list})
	}
	if len(n.Attachment) > 0 {
		list := make([]extended, len(n.Attachment))
		for i, a := range n.Attachment {
			list[i] = a.item()
		}
		props = append(props, prop{"attachment", list})
	}
	return extend(o, props...)
}

// HashtagType is Mastodon's extension type for a hashtag (as:Hashtag).
const HashtagType vocab.ActivityVocabularyType = "Hashtag"

func (a Attachment) item() extended {
	o := &vocab.Object{Type: vocab.ActivityVocabularyType(a.Type)}
	o.MediaType = vocab.MimeType(a.MediaType)
	o.URL = vocab.IRI(a.URL)
	if a.Name == "" {
		return extend(o)
	}
	return extend(o, prop{"name", a.Name})
}

// embeddedReplies is a post's replies collection given inline with its
// first page, as Mastodon does (GoToSocial warns about a bare link on
// every fetch); the page lists no items, which are at the collection's
// own URL.
func embeddedReplies(id string) vocab.Item {
	c := &vocab.Object{Type: vocab.OrderedCollectionType}
	c.ID = vocab.ID(id)
	first := uncountedPage(id+"?page=true&embedded=true", id, id+"?page=true", nil)
	return extend(c, prop{"first", first})
}

// uncountedPage is a page of a collection that says nothing of the
// collection's size (go-ap writes totalItems on every page: extend.go).
// items may be empty: orderedItems is always written.
func uncountedPage(id, partOf, next string, items []vocab.Item) extended {
	p := &vocab.Object{Type: vocab.OrderedCollectionPageType}
	p.ID = vocab.ID(id)
	props := []prop{{"partOf", partOf}}
	if next != "" {
		props = append(props, prop{"next", next})
	}
	if items == nil {
		items = []vocab.Item{}
	}
	return extend(p, append(props, prop{"orderedItems", items})...)
}
