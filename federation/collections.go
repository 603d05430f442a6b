package federation

import (
	"net/http"
	"net/url"

	vocab "github.com/go-ap/activitypub"
	"github.com/go-ap/jsonld"
)

// followersPageSize is how many followers one page lists.
const followersPageSize = 50

var asContext = jsonld.WithContext(jsonld.IRI(vocab.ActivityBaseURI))

// followers is the OrderedCollection of an actor's followers with its
// count, paged by follower id (?page=true&after=ID).
func (s *Server) followers(w http.ResponseWriter, r *http.Request) {
	ref, _, ok := s.collectionActor(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	actorID := s.iris.Actor(ref)
	id := s.iris.Followers(ref)
	total, err := s.store.CountFollowers(ctx, actorID)
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
	list, err := s.store.Followers(ctx, actorID, after, followersPageSize)
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
	for _, f := range list {
		p.OrderedItems = append(p.OrderedItems, vocab.IRI(f.ID))
	}
	if len(list) == followersPageSize {
		p.Next = vocab.IRI(id + "?page=true&after=" + url.QueryEscape(list[len(list)-1].ID))
	}
	s.writeAS(w, r, p)
}

// following is empty: our actors follow no one.
func (s *Server) following(w http.ResponseWriter, r *http.Request) {
	ref, _, ok := s.collectionActor(w, r)
	if !ok {
		return
	}
	c := vocab.OrderedCollectionNew(vocab.ID(s.iris.Following(ref)))
	s.writeAS(w, r, c)
}

// outbox lists nothing yet; publishing fills it from the wiki's history.
func (s *Server) outbox(w http.ResponseWriter, r *http.Request) {
	ref, _, ok := s.collectionActor(w, r)
	if !ok {
		return
	}
	c := vocab.OrderedCollectionNew(vocab.ID(s.iris.Outbox(ref)))
	s.writeAS(w, r, c)
}

func (s *Server) collectionActor(w http.ResponseWriter, r *http.Request) (Ref, *Actor, bool) {
	ref, ok := s.refFromPath(r)
	if !ok {
		writeError(w, http.StatusNotFound, "no such actor")
		return Ref{}, nil, false
	}
	a, err := s.resolver.ByRef(r.Context(), ref)
	if err != nil {
		s.actorError(w, r, err)
		return Ref{}, nil, false
	}
	return ref, a, true
}

func (s *Server) writeAS(w http.ResponseWriter, r *http.Request, v any) {
	b, err := asContext.Marshal(v)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.Write(b)
}
