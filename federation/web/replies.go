package web

import (
	"net/http"
)

// interactionKinds maps a collection name to the interactions it lists.
var interactionKinds = map[string]string{
	"replies": "reply",
	"likes":   "like",
	"shares":  "share",
}

const interactionPageSize = 50

// interactionCollection serves a post's replies, likes and shares: an
// OrderedCollection with totalItems, paged (?page=true&after=ID).
// GoToSocial fetches the replies of notes it receives.
func (e *Endpoints) interactionCollection(w http.ResponseWriter, r *http.Request) {
	kind, ok := interactionKinds[r.PathValue("collection")]
	postKind := r.PathValue("kind")
	if !ok || (postKind != "rev" && postKind != "log" && postKind != "rc") {
		writeError(w, http.StatusNotFound, "no such collection")
		return
	}
	ctx := r.Context()
	object := e.iris.Base + "/ap/" + postKind + "/" + r.PathValue("id")
	id := object + "/" + r.PathValue("collection")
	if post, err := e.store.PublishedPost(ctx, object); err == nil && post.Withdrawn {
		// What came back to a withdrawn post goes with it: replies quote
		// what the wiki may now hide.
		writeError(w, http.StatusGone, "this post was withdrawn")
		return
	}
	total, err := e.store.CountInteractions(ctx, object, kind)
	if err != nil {
		e.internalError(w, r, err)
		return
	}
	e.writePaged(w, r, id, total, func(after string) ([]string, error) {
		list, err := e.store.Interactions(ctx, object, kind, after, interactionPageSize)
		ids := make([]string, len(list))
		for i, it := range list {
			ids[i] = it.ID
		}
		return ids, err
	}, interactionPageSize)
}
