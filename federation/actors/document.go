package actors

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"strconv"
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
	// profiles make pages, editors and the wiki look like profiles; nil
	// when the wiki cannot give them (the documents are then generic).
	profiles *Profiles
}

// WithProfiles makes the documents show each actor's profile (lead image,
// opening, fields); called once at start.
func (d *Documents) WithProfiles(p *Profiles) *Documents { d.profiles = p; return d }

// Profiles is the profile source, nil when there is none.
func (d *Documents) Profiles() *Profiles { return d.profiles }

// Profile is the profile an actor's document shows, nil when there is
// none; a warm one costs no wiki request.
func (d *Documents) Profile(ctx context.Context, ref Ref) (*Profile, error) {
	if d.profiles == nil || ref.Kind == KindInstance {
		return nil, nil
	}
	return d.profiles.Get(ctx, ref)
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
	var prof *Profile
	var profErr error
	if !a.Deleted {
		// A wiki that cannot give the profile now leaves the document
		// generic, uncached, rather than failing the actor.
		prof, profErr = d.Profile(ctx, a.Ref)
	}
	doc, err := actorDocument(a, d.iris, key.PublicPEM, d.opts, icon, prof)
	if err != nil {
		return nil, err
	}
	if profErr == nil {
		d.cache.Put(a.Ref, doc)
	}
	return doc, nil
}

// Drop forgets an actor's document, which changed (a move, a deletion, a
// restoration) or must no longer be served.
func (d *Documents) Drop(ref Ref) { d.cache.Drop(ref) }

// RefreshProfile reads an actor's profile again (after an edit of its
// page) and says whether what followers see of it changed, in which case
// its document is rendered anew.
func (d *Documents) RefreshProfile(ctx context.Context, ref Ref) (bool, error) {
	if d.profiles == nil {
		return false, nil
	}
	changed, err := d.profiles.Refresh(ctx, ref)
	if err != nil {
		return false, err
	}
	d.cache.Drop(ref) // the fields (last edited, edits) move with every edit
	return changed, nil
}

// Pictures are the avatar and header an actor shows, with their media
// types: the profile's when it has raster ones, else the wiki's logo.
type Pictures struct {
	Avatar, AvatarType, Header, HeaderType string
}

// PicturesOf picks an actor's pictures from its profile (may be nil).
func PicturesOf(iris IRIs, icon *avatar.Image, prof *Profile) Pictures {
	logo := iris.Avatar(icon.Version)
	p := Pictures{Avatar: logo, AvatarType: icon.MediaType, Header: logo, HeaderType: icon.MediaType}
	if prof != nil && prof.Avatar != "" {
		p.Avatar, p.AvatarType = prof.Avatar, prof.AvatarType
	}
	if prof != nil && prof.Header != "" {
		p.Header, p.HeaderType = prof.Header, prof.HeaderType
	}
	return p
}

// actorDocument renders an actor as JSON.
func actorDocument(a *Actor, iris IRIs, publicKeyPEM string, o DocOptions, icon *avatar.Image, prof *Profile) ([]byte, error) {
	typ := activity.Service
	switch a.Ref.Kind {
	case KindUser:
		typ = activity.Person
	case KindInstance:
		typ = activity.Application
	}
	pics := PicturesOf(iris, icon, prof)
	if a.Ref.Kind == KindInstance {
		pics.Header = ""
	}
	return activity.Actor{
		Type: typ, ID: iris.Actor(a.Ref), Name: a.Name, Handle: a.Handle,
		Summary: Summary(a, o, prof), URL: profileURL(a, iris),
		Inbox: iris.Inbox(a.Ref), Outbox: iris.Outbox(a.Ref), Followers: iris.Followers(a.Ref), Following: iris.Following(a.Ref),
		Featured: iris.Featured(a.Ref), SharedInbox: iris.SharedInbox(), Published: a.Published,
		Icon: pics.Avatar, IconType: pics.AvatarType, Image: pics.Header, ImageType: pics.HeaderType, KeyID: iris.Key(a.Ref), KeyPEM: publicKeyPEM,
		Discoverable: o.Discoverable, Indexable: o.Indexable,
		WebFinger: a.Handle + "@" + iris.Host(), // FEP-2c59 prefers no acct: prefix
		Fields:    actorAttachments(a, o, prof),
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

// Summary is an actor's bio as HTML: the opening of its page (or user
// page, or the wiki's description) with a link to read on, when the
// profile has one; else a sentence saying what following it brings.
func Summary(a *Actor, o DocOptions, prof *Profile) string {
	link := fmt.Sprintf(`<a href="%s">%s</a>`, html.EscapeString(a.URL), html.EscapeString(a.Name))
	if prof != nil && prof.Bio != "" && !a.Deleted {
		return fmt.Sprintf(`<p>%s</p><p><a href="%s">%s</a> on %s</p>`, html.EscapeString(prof.Bio),
			html.EscapeString(a.URL), html.EscapeString(a.Name), html.EscapeString(o.SiteName))
	}
	switch a.Ref.Kind {
	case KindWiki:
		return fmt.Sprintf("<p>Every new page on %s.</p>", link)
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

// actorAttachments are the profile's fields (Mastodon shows four): the
// page, its talk page and when it was last edited; an editor's user page,
// talk page, registration and edit count.
func actorAttachments(a *Actor, o DocOptions, prof *Profile) []activity.PropertyValue {
	var out []activity.PropertyValue
	for _, f := range Fields(a, o, prof) {
		out = append(out, activity.PropertyValue{Type: "PropertyValue", Name: f.Name, Value: f.HTML()})
	}
	return out
}

// Field is one line of a profile's metadata; URL set makes it a link.
type Field struct {
	Name, Text, URL string
}

// HTML is the field's value as Mastodon takes it.
func (f Field) HTML() string {
	if f.URL == "" {
		return html.EscapeString(f.Text)
	}
	return fmt.Sprintf(`<a href="%s" rel="nofollow noopener" target="_blank">%s</a>`, html.EscapeString(f.URL), html.EscapeString(f.Text))
}

// Fields are an actor's profile fields, in the order they are shown.
func Fields(a *Actor, o DocOptions, prof *Profile) []Field {
	name := "Wiki page"
	switch a.Ref.Kind {
	case KindUser:
		name = "User page"
	case KindWiki:
		name = "Main page"
	}
	out := []Field{{Name: name, Text: a.URL, URL: a.URL}}
	if prof != nil && prof.TalkURL != "" && !a.Deleted {
		out = append(out, Field{Name: "Talk page", Text: prof.TalkURL, URL: prof.TalkURL})
	}
	if prof != nil && !a.Deleted {
		switch {
		case a.Ref.Kind == KindPage && !prof.LastEdited.IsZero():
			out = append(out, Field{Name: "Last edited", Text: prof.LastEdited.UTC().Format("2 January 2006, 15:04 UTC")})
		case a.Ref.Kind == KindUser && prof.HasEdits:
			if !prof.Registration.IsZero() {
				out = append(out, Field{Name: "Editing since", Text: prof.Registration.UTC().Format("2 January 2006")})
			}
			out = append(out, Field{Name: "Edits", Text: strconv.Itoa(prof.Edits)})
		}
	}
	if len(out) < 4 {
		out = append(out, Field{Name: "Wiki", Text: o.SiteName})
	}
	return out
}
