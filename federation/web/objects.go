package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// revisionObject serves the post about a revision, built on demand from
// the wiki, so the same revision always gives the same object, with what
// the wiki hides left out: 410 once the post was withdrawn (or something
// was hidden since it was made), a redirect to the diff for browsers.
func (e *Endpoints) revisionObject(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != r.PathValue("id") {
		writeError(w, http.StatusNotFound, "no such post")
		return
	}
	objectID := e.iris.RevisionPost(id)
	post, perr := e.store.PublishedPost(ctx, objectID)
	if perr == nil && post.Withdrawn {
		writeError(w, http.StatusGone, "this post was withdrawn")
		return
	}
	c, err := e.wiki.RevisionChange(ctx, id)
	switch {
	case errors.Is(err, wiki.ErrNotFound) && perr == nil:
		writeError(w, http.StatusGone, "the revision is gone")
		return
	case errors.Is(err, wiki.ErrNotFound):
		writeError(w, http.StatusNotFound, "no such revision")
		return
	case err != nil:
		e.actorError(w, r, err)
		return
	case perr == nil && publish.HiddenBits(&c)&^wiki.Visibility(post.Hidden) != 0:
		// Hidden since it was posted: the withdrawal is on its way.
		writeError(w, http.StatusGone, "the wiki hides this revision")
		return
	}
	// What the wiki hides is left out of the post, as when it was made. A
	// browser is only sent on to the diff, which needs none of the extras.
	note, ok, err := e.pub.RevisionNote(ctx, &c, perr == nil && !wantsHTML(r))
	if err != nil {
		e.actorError(w, r, err)
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, "the revision's page has no actor")
		return
	}
	if wantsHTML(r) {
		http.Redirect(w, r, note.URL, http.StatusFound)
		return
	}
	e.writeObject(w, r, note)
}

// withdrawnOrMissing serves log and category posts, which are not rebuilt
// from the wiki: 410 once withdrawn, else 404.
func (e *Endpoints) withdrawnOrMissing(w http.ResponseWriter, r *http.Request) {
	post, err := e.store.PublishedPost(r.Context(), e.iris.Base+r.URL.Path)
	if err == nil && post.Withdrawn {
		writeError(w, http.StatusGone, "this post was withdrawn")
		return
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		e.internalError(w, r, err)
		return
	}
	writeError(w, http.StatusNotFound, "this post is only delivered, not served")
}

// writeObject serves a Note with the ActivityStreams context.
func (e *Endpoints) writeObject(w http.ResponseWriter, r *http.Request, note activity.Note) {
	e.writeAS(w, r, note.Item())
}
