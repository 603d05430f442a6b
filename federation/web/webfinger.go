package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"
)

// jrd is a WebFinger answer.
type jrd struct {
	Subject string    `json:"subject"`
	Aliases []string  `json:"aliases,omitempty"`
	Links   []jrdLink `json:"links"`
}

type jrdLink struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

// webfinger answers for acct:handle@host (case-insensitively), for our
// actor ids, and for wiki page URLs. An acct: query is answered with the
// handle that was asked as the subject, also when it is an old handle of a
// moved page or a redirect's: GoToSocial requires the subject to be
// exactly what it asked for, and Mastodon then re-fingers the actor's
// preferredUsername, which loops back (docs/interop.md, "WebFinger").
// Other resources get the canonical handle.
func (e *Endpoints) webfinger(w http.ResponseWriter, r *http.Request) {
	res := strings.TrimSpace(r.URL.Query().Get("resource"))
	if res == "" {
		writeError(w, http.StatusBadRequest, "resource parameter missing")
		return
	}
	a, asked, err := e.webfingerActor(r, res)
	if err != nil {
		if errors.Is(err, errForeignHost) {
			writeError(w, http.StatusNotFound, err.Error())
			return
		}
		e.actorError(w, r, err)
		return
	}
	id := e.iris.Actor(a.Ref)
	if asked == "" {
		asked = a.Handle
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, "application/jrd+json", jrd{
		Subject: "acct:" + asked + "@" + e.host(),
		Aliases: []string{id, a.URL},
		Links: []jrdLink{
			{Rel: "self", Type: activity.ContentType, Href: id},
			{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: a.URL},
		},
	})
}

var errForeignHost = errors.New("that resource is not on this server")

// webfingerActor finds the actor a resource names, and for an acct:
// resource the user part as it was asked.
func (e *Endpoints) webfingerActor(r *http.Request, res string) (a *actors.Actor, asked string, err error) {
	ctx := r.Context()
	// URI schemes are case-insensitive (RFC 3986).
	if len(res) > 5 && strings.EqualFold(res[:5], "acct:") {
		acct := res[5:]
		acct = strings.TrimPrefix(acct, "@")
		name, host, ok := strings.Cut(acct, "@")
		if !ok || !strings.EqualFold(host, e.host()) {
			return nil, "", fmt.Errorf("%w: %s", errForeignHost, res)
		}
		a, err := e.resolver.ByHandle(ctx, name)
		return a, name, err
	}
	if ref, ok := e.iris.ParseActor(res); ok {
		a, err := e.resolver.Follow(ctx, ref)
		return a, "", err
	}
	a, err = e.resolver.ByPageURL(ctx, res)
	return a, "", err
}

// hostMeta is the XRD pointer to WebFinger that some servers still read.
func (e *Endpoints) hostMeta(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/xrd+xml; charset=utf-8")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">
  <Link rel="lrdd" type="application/jrd+json" template="%s/.well-known/webfinger?resource={uri}"/>
</XRD>
`, e.iris.Base)
}
