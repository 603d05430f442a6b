package web

import (
	"net/http"
	"strings"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"
)

// wikiPage answers a wiki page URL (/wiki/Title, or /index.php?title=Title)
// that a reverse proxy sent here because the client asked for ActivityPub
// JSON: GoToSocial does not follow rel=alternate links, so the page URL
// itself must answer with the page's actor.
// See docs/interop.md, "Pasting a wiki URL into a search box".
func (e *Endpoints) wikiPage(w http.ResponseWriter, r *http.Request) {
	title := r.PathValue("title")
	if title == "" {
		title = r.URL.Query().Get("title")
	}
	title = strings.TrimSpace(strings.ReplaceAll(title, "_", " "))
	if title == "" {
		writeError(w, http.StatusNotFound, "no page title in the URL")
		return
	}
	site := e.wiki.Site()
	if !isAPAccept(r.Header.Get("Accept")) {
		http.Redirect(w, r, site.PageURL(title), http.StatusFound)
		return
	}
	a, err := e.resolver.ByPageURL(r.Context(), site.PageURL(title))
	if err != nil {
		e.actorError(w, r, err)
		return
	}
	if a.Ref.Kind == actors.KindWiki && site.PageURL(title) != a.URL {
		// Special:RecentChanges stands for the wiki's account, whose url is
		// the main page: GoToSocial takes an actor from a URL only when it
		// is the actor's id or url, or redirects to it.
		w.Header().Set("Vary", "Accept")
		http.Redirect(w, r, e.iris.Actor(a.Ref), http.StatusFound)
		return
	}
	doc, err := e.actorDoc(r.Context(), a)
	if err != nil {
		e.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", activity.ContentType)
	w.Header().Set("Vary", "Accept")
	w.Write(doc)
}
