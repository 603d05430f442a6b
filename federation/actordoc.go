package federation

import (
	"fmt"
	"html"
	"net/url"
	"strings"

	"github.com/wikipub/wikipub/federation/activity"
)

// DocOptions are the admin's choices that shape every actor document.
type DocOptions struct {
	// Host is the handle domain (the part after @).
	Host string
	// Discoverable and Indexable let Mastodon list the actors in its
	// directory and search (both default false there).
	Discoverable, Indexable bool
	// SiteName comes from the wiki.
	SiteName string
	// Icon and IconType are the avatar: a raster image (GoToSocial drops
	// an SVG one and shows its default).
	Icon, IconType string
}

// actorDocument renders an actor as JSON.
func actorDocument(a *Actor, iris IRIs, publicKeyPEM string, o DocOptions) ([]byte, error) {
	typ := activity.Service
	switch a.Ref.Kind {
	case KindUser:
		typ = activity.Person
	case KindInstance:
		typ = activity.Application
	}
	return activity.Actor{
		Type: typ, ID: iris.Actor(a.Ref), Name: a.Name, Handle: a.Handle,
		Summary: actorSummary(a, o), URL: profileURL(a, iris),
		Inbox: iris.Inbox(a.Ref), Outbox: iris.Outbox(a.Ref), Followers: iris.Followers(a.Ref), Following: iris.Following(a.Ref),
		Featured: iris.Featured(a.Ref), SharedInbox: iris.SharedInbox(), Published: a.Published,
		Icon: o.Icon, IconType: o.IconType, KeyID: iris.Key(a.Ref), KeyPEM: publicKeyPEM,
		Discoverable: o.Discoverable, Indexable: o.Indexable,
		WebFinger: a.Handle + "@" + o.Host, // FEP-2c59 prefers no acct: prefix
		Fields:    actorAttachments(a, o),
	}.Document()
}

// profileURL is the actor's url: the wiki page when the wiki is on our host
// (the usual reverse-proxy set-up), else our /@handle page, because Misskey
// refuses and Mastodon ignores a url on another host.
func profileURL(a *Actor, iris IRIs) string {
	if sameHost(a.URL, iris.Base) {
		return a.URL
	}
	return iris.Base + "/@" + a.Handle
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Host, ub.Host)
}

func actorSummary(a *Actor, o DocOptions) string {
	link := fmt.Sprintf(`<a href="%s">%s</a>`, html.EscapeString(a.URL), html.EscapeString(a.Name))
	switch a.Ref.Kind {
	case KindUser:
		return fmt.Sprintf("<p>Contributions of %s to %s, one post per edit. Replies reach the editor only if they opted in.</p>", link, html.EscapeString(o.SiteName))
	case KindInstance:
		return fmt.Sprintf("<p>The wikipub service of %s.</p>", html.EscapeString(o.SiteName))
	}
	if a.Deleted {
		return fmt.Sprintf("<p>The page %s was deleted on %s. Following it tells you if it is restored or created again.</p>", link, html.EscapeString(o.SiteName))
	}
	return fmt.Sprintf("<p>Every change to the page %s on %s: who edited, the summary, the size of the change and a link to the diff.</p>", link, html.EscapeString(o.SiteName))
}

func actorAttachments(a *Actor, o DocOptions) []activity.PropertyValue {
	name := "Wiki page"
	if a.Ref.Kind == KindUser {
		name = "User page"
	}
	link := fmt.Sprintf(`<a href="%s" rel="nofollow noopener" target="_blank">%s</a>`, html.EscapeString(a.URL), html.EscapeString(a.URL))
	return []activity.PropertyValue{{Type: "PropertyValue", Name: name, Value: link}, {Type: "PropertyValue", Name: "Wiki", Value: html.EscapeString(o.SiteName)}}
}
