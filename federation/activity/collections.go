package activity

import (
	vocab "github.com/go-ap/activitypub"
)

// Collection is an OrderedCollection with its count; first, when not
// empty, is its first page.
func Collection(id string, total int, first string) vocab.Item {
	c := vocab.OrderedCollectionNew(vocab.ID(id))
	c.TotalItems = uint(total)
	if first != "" {
		c.First = vocab.IRI(first)
	}
	return c
}

// Page is one page of a collection of ids chosen by remotes (followers,
// replies, likes), with the collection's count; next, when not empty, is
// the page after it.
func Page(id, partOf string, total int, ids []string, next string) vocab.Item {
	p := vocab.OrderedCollectionPageNew(vocab.OrderedCollectionNew(vocab.ID(partOf)))
	p.ID = vocab.ID(id)
	p.PartOf = vocab.IRI(partOf)
	p.TotalItems = uint(total)
	for _, it := range ids {
		p.OrderedItems = append(p.OrderedItems, Foreign(it))
	}
	if next != "" {
		p.Next = vocab.IRI(next)
	}
	return p
}

// HistoryPage is one page of an outbox, whose size only the wiki knows:
// it names none (extend.go); next, when not empty, is the page after it.
func HistoryPage(id, partOf, next string, items []vocab.Item) vocab.Item {
	return uncountedPage(id, partOf, next, items)
}
