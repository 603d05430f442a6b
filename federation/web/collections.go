package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"

	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/wiki"

	vocab "github.com/go-ap/activitypub"
)

// followersPageSize is how many followers one page lists.
const followersPageSize = 50

// followers is the OrderedCollection of an actor's followers with its
// count, paged by follower id (?page=true&after=ID).
func (e *Endpoints) followers(w http.ResponseWriter, r *http.Request) {
	ref, _, ok := e.collectionActor(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	actorID := e.iris.Actor(ref)
	id := e.iris.Followers(ref)
	total, err := e.store.CountFollowers(ctx, actorID)
	if err != nil {
		e.internalError(w, r, err)
		return
	}
	e.writePaged(w, r, id, total, func(after string) ([]string, error) {
		list, err := e.store.Followers(ctx, actorID, after, followersPageSize)
		ids := make([]string, len(list))
		for i, f := range list {
			ids[i] = f.ID
		}
		return ids, err
	}, followersPageSize)
}

// writePaged serves a collection of ids paged by the last id of the
// previous page (?page=true&after=ID): the OrderedCollection with its count,
// or one OrderedCollectionPage of it.
func (e *Endpoints) writePaged(w http.ResponseWriter, r *http.Request, id string, total int, page func(after string) ([]string, error), size int) {
	q := r.URL.Query()
	if q.Get("page") == "" {
		e.writeAS(w, r, activity.Collection(id, total, id+"?page=true"))
		return
	}
	after := q.Get("after")
	items, err := page(after)
	if err != nil {
		e.internalError(w, r, err)
		return
	}
	pageID := id + "?page=true"
	if after != "" {
		pageID += "&after=" + url.QueryEscape(after)
	}
	next := ""
	if len(items) == size {
		next = id + "?page=true&after=" + url.QueryEscape(items[len(items)-1])
	}
	e.writeAS(w, r, activity.Page(pageID, id, total, items, next))
}

// following is empty: our actors follow no one.
func (e *Endpoints) following(w http.ResponseWriter, r *http.Request) {
	ref, _, ok := e.collectionActor(w, r)
	if !ok {
		return
	}
	e.writeAS(w, r, activity.Collection(e.iris.Following(ref), 0, ""))
}

// featured is the empty collection of pinned posts: GoToSocial and Mastodon
// read an actor's featured collection, and we pin nothing.
func (e *Endpoints) featured(w http.ResponseWriter, r *http.Request) {
	ref, _, ok := e.collectionActor(w, r)
	if !ok {
		return
	}
	e.writeAS(w, r, activity.Collection(e.iris.Featured(ref), 0, ""))
}

// outboxPageSize is how many posts one outbox page holds.
const outboxPageSize = 20

// outbox is a view over the wiki's own history: a page's revisions, an
// editor's contributions, paged with the wiki's continuation, counted by
// the wiki. Nothing of the history is copied into our store.
func (e *Endpoints) outbox(w http.ResponseWriter, r *http.Request) {
	ref, a, ok := e.collectionActor(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	id := e.iris.Outbox(ref)
	q := r.URL.Query()
	if a.Deleted {
		// The wiki keeps no visible history of a deleted page.
		e.writeAS(w, r, activity.Collection(id, 0, ""))
		return
	}
	if q.Get("page") == "" {
		total, err := e.outboxTotal(r, a)
		if err != nil {
			e.actorError(w, r, err)
			return
		}
		first := ""
		if ref.Kind != actors.KindInstance && ref.Kind != actors.KindWiki {
			first = id + "?page=true"
		}
		e.writeAS(w, r, activity.Collection(id, total, first))
		return
	}
	var changes []wiki.Change
	var next string
	var err error
	switch ref.Kind {
	case actors.KindPage:
		changes, next, err = e.wiki.PageHistory(ctx, ref.ID, q.Get("cont"), outboxPageSize)
	case actors.KindUser:
		changes, next, err = e.wiki.Contributions(ctx, ref.ID, q.Get("cont"), outboxPageSize)
	}
	if err != nil {
		e.actorError(w, r, err)
		return
	}
	items := make([]vocab.Item, 0, len(changes))
	for i := range changes {
		c := &changes[i]
		if c.UserHidden || c.CommentHidden || c.ContentHidden || c.Suppressed {
			continue // what the wiki hides is not shown here either
		}
		items = append(items, e.outboxItem(a, c))
	}
	pageID := id + "?page=true"
	if cont := q.Get("cont"); cont != "" {
		pageID += "&cont=" + url.QueryEscape(cont)
	}
	nextID := ""
	if next != "" {
		nextID = id + "?page=true&cont=" + url.QueryEscape(next)
	}
	e.writeAS(w, r, activity.HistoryPage(pageID, id, nextID, items))
}

func (e *Endpoints) outboxTotal(r *http.Request, a *actors.Actor) (int, error) {
	switch a.Ref.Kind {
	case actors.KindPage:
		return e.wiki.EditCount(r.Context(), a.Name)
	case actors.KindUser:
		u, err := e.wiki.UserByID(r.Context(), a.Ref.ID)
		return u.EditCount, err
	}
	return 0, nil
}

// outboxItem is a Create from a page's actor, or, in an editor's outbox,
// their Announce of the page's post. The editor is named from the history
// row itself, without a look-up per row.
func (e *Endpoints) outboxItem(owner *actors.Actor, c *wiki.Change) vocab.Item {
	site := e.wiki.Site()
	var ed publish.Editor
	switch {
	case c.Anonymous:
		ed.Unregistered = true
	case c.User != "":
		ed.Actor = &actors.Actor{Ref: actors.Ref{Kind: actors.KindUser, ID: c.UserID}, Name: c.User, URL: actors.UserPageURL(site, c.User)}
	}
	page := owner
	if owner.Ref.Kind == actors.KindUser {
		page = &actors.Actor{Ref: actors.Ref{Kind: actors.KindPage, ID: c.PageID}, Name: c.Title, URL: site.PageURL(c.Title)}
	}
	note := e.pub.EditNote(c, page, ed, publish.Extras{})
	if owner.Ref.Kind == actors.KindUser {
		return activity.Announce(note.ID+"/announce/"+strconv.FormatInt(owner.Ref.ID, 10), e.iris.Actor(owner.Ref), note.ID,
			note.Published, []string{activity.Public}, nil)
	}
	return activity.Create(note.ID+"/activity", note)
}

func (e *Endpoints) collectionActor(w http.ResponseWriter, r *http.Request) (actors.Ref, *actors.Actor, bool) {
	ref, ok := e.refFromPath(r)
	if !ok {
		writeError(w, http.StatusNotFound, "no such actor")
		return actors.Ref{}, nil, false
	}
	a, err := e.resolver.ByRef(r.Context(), ref)
	if err != nil {
		e.actorError(w, r, err)
		return actors.Ref{}, nil, false
	}
	return ref, a, true
}

func (e *Endpoints) writeAS(w http.ResponseWriter, r *http.Request, v vocab.Item) {
	b, err := activity.Marshal(v)
	if err != nil {
		e.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", activity.ContentType)
	w.Write(b)
}
