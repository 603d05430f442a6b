package actors

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/avatar"
	"github.com/wikipub/wikipub/federation/internal/ttlcache"
)

// DocOptions are the admin's choices (and the wiki's name) that shape
// every actor document.
type DocOptions struct {
	// Discoverable and Indexable let Mastodon list the actors in its
	// directory and search (both default false there).
	Discoverable, Indexable bool
	// SiteName comes from the wiki.
	SiteName string
}

// Avatars hands out the picture every actor shows; *avatar.Source has it.
type Avatars interface {
	Get(ctx context.Context) *avatar.Image
}

// Documents renders our actors' documents and keeps each for the cache's
// lifetime, so that a hot actor costs one rendering a minute; rendering
// an actor's document the first time makes its key.
type Documents struct {
	keys    *Keys
	iris    IRIs
	avatars Avatars
	opts    DocOptions
	cache   *ttlcache.Cache[Ref, []byte]
}

// NewDocuments returns the renderer; ttl bounds how stale a document may
// be.
func NewDocuments(keys *Keys, iris IRIs, avatars Avatars, opts DocOptions, ttl time.Duration) *Documents {
	return &Documents{keys: keys, iris: iris, avatars: avatars, opts: opts, cache: ttlcache.New[Ref, []byte](ttl, 100_000)}
}

// Get renders (or takes from the cache) an actor's document.
func (d *Documents) Get(ctx context.Context, a *Actor) ([]byte, error) {
	if doc, ok := d.cache.Get(a.Ref); ok {
		return doc, nil
	}
	key, err := d.keys.Get(ctx, d.iris.Actor(a.Ref))
	if err != nil {
		return nil, err
	}
	icon := d.avatars.Get(ctx)
	doc, err := actorDocument(a, d.iris, key.PublicPEM, d.opts, icon)
	if err != nil {
		return nil, err
	}
	d.cache.Put(a.Ref, doc)
	return doc, nil
}

// Drop forgets an actor's document, which changed (a move, a deletion, a
// restoration) or must no longer be served.
func (d *Documents) Drop(ref Ref) { d.cache.Drop(ref) }

// actorDocument renders an actor as JSON.
func actorDocument(a *Actor, iris IRIs, publicKeyPEM string, o DocOptions, icon *avatar.Image) ([]byte, error) {
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
		Icon: iris.Avatar(icon.Version), IconType: icon.MediaType, KeyID: iris.Key(a.Ref), KeyPEM: publicKeyPEM,
		Discoverable: o.Discoverable, Indexable: o.Indexable,
		WebFinger: a.Handle + "@" + iris.Host(), // FEP-2c59 prefers no acct: prefix
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
