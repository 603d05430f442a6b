package federation

import (
	"net/http"
	"net/url"

	vocab "github.com/go-ap/activitypub"
)

// interactionKinds maps a collection name to the interactions it lists.
var interactionKinds = map[string][]string{
	"replies": {"reply"},
	"likes":   {"like"},
	"shares":  {"share"},
}

const interactionPageSize = 50

// interactionCollection serves a post's replies, likes and shares: an
// OrderedCollection with totalItems, paged (?page=true&after=ID).
// GoToSocial fetches the replies of notes it receives.
func (s *Server) interactionCollection(w http.ResponseWriter, r *http.Request) {
	kinds, ok := interactionKinds[r.PathValue("collection")]
	kind := r.PathValue("kind")
	if !ok || (kind != "rev" && kind != "log" && kind != "rc") {
		writeError(w, http.StatusNotFound, "no such collection")
		return
	}
	ctx := r.Context()
	object := s.iris.Base + "/ap/" + kind + "/" + r.PathValue("id")
	id := object + "/" + r.PathValue("collection")
	total, err := s.store.CountInteractions(ctx, object, kinds[0])
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	q := r.URL.Query()
	if q.Get("page") == "" {
		c := vocab.OrderedCollectionNew(vocab.ID(id))
		c.TotalItems = uint(total)
		c.First = vocab.IRI(id + "?page=true")
		s.writeAS(w, r, c)
		return
	}
	after := q.Get("after")
	list, err := s.store.Interactions(ctx, object, kinds[0], after, interactionPageSize)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	pageID := id + "?page=true"
	if after != "" {
		pageID += "&after=" + url.QueryEscape(after)
	}
	p := vocab.OrderedCollectionPageNew(vocab.OrderedCollectionNew(vocab.ID(id)))
	p.ID = vocab.ID(pageID)
	p.PartOf = vocab.IRI(id)
	p.TotalItems = uint(total)
	for _, i := range list {
		p.OrderedItems = append(p.OrderedItems, vocab.IRI(i.ID))
	}
	if len(list) == interactionPageSize {
		p.Next = vocab.IRI(id + "?page=true&after=" + url.QueryEscape(list[len(list)-1].ID))
	}
	s.writeAS(w, r, p)
}
