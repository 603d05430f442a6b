package federation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"

	vocab "github.com/go-ap/activitypub"
	"github.com/go-ap/jsonld"
)

// ContentType is what we serve ActivityPub documents as.
const ContentType = "application/activity+json"

// actorContext is the @context of actor documents: ActivityStreams and the
// security vocabulary (Mastodon drops actors without them), plus the terms
// of Mastodon's extensions that go-ap's types do not have.
// See docs/interop.md, "Actor documents".
var actorContext = jsonld.WithContext(
	jsonld.IRI(vocab.ActivityBaseURI),
	jsonld.IRI(vocab.SecurityContextURI),
	jsonld.Context{
		{Term: "toot", IRI: "http://joinmastodon.org/ns#"},
		{Term: "schema", IRI: "http://schema.org#"},
		{Term: "PropertyValue", IRI: "schema:PropertyValue"},
		{Term: "value", IRI: "schema:value"},
		{Term: "manuallyApprovesFollowers", IRI: "as:manuallyApprovesFollowers"},
		{Term: "discoverable", IRI: "toot:discoverable"},
		{Term: "indexable", IRI: "toot:indexable"},
		{Term: "webfinger", IRI: "https://purl.archive.org/socialweb/webfinger#webfinger"},
		// Mastodon's context types featured as "@id"; go-ap's context terms
		// are plain IRIs, which the servers reading it do not mind.
		{Term: "featured", IRI: "toot:featured"},
	},
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

// actorDocument renders an actor as JSON: go-ap builds the core and the
// Mastodon extension fields are appended, so no second JSON pass is needed.
func actorDocument(a *Actor, iris IRIs, publicKeyPEM string, o DocOptions) ([]byte, error) {
	id := vocab.ID(iris.Actor(a.Ref))
	var act *vocab.Actor
	switch a.Ref.Kind {
	case KindUser:
		act = (*vocab.Actor)(vocab.PersonNew(id))
	case KindInstance:
		act = (*vocab.Actor)(vocab.ApplicationNew(id))
	default:
		act = (*vocab.Actor)(vocab.ServiceNew(id))
	}
	act.Name = vocab.DefaultNaturalLanguageValue(a.Name)
	act.PreferredUsername = vocab.DefaultNaturalLanguageValue(a.Handle)
	act.Summary = vocab.DefaultNaturalLanguageValue(actorSummary(a, o))
	act.URL = vocab.IRI(profileURL(a, iris))
	act.Inbox = vocab.IRI(iris.Inbox(a.Ref))
	act.Outbox = vocab.IRI(iris.Outbox(a.Ref))
	act.Followers = vocab.IRI(iris.Followers(a.Ref))
	act.Following = vocab.IRI(iris.Following(a.Ref))
	act.Endpoints = &vocab.Endpoints{SharedInbox: vocab.IRI(iris.SharedInbox())}
	if !a.Published.IsZero() {
		act.Published = a.Published.UTC()
	}
	if o.Icon != "" {
		act.Icon = &vocab.Object{Type: vocab.ImageType, MediaType: vocab.MimeType(o.IconType), URL: vocab.IRI(o.Icon)}
	}
	act.PublicKey = vocab.PublicKey{ID: vocab.ID(iris.Key(a.Ref)), Owner: vocab.IRI(id), PublicKeyPem: publicKeyPEM}
	core, err := actorContext.Marshal(act)
	if err != nil {
		return nil, fmt.Errorf("encoding actor %s: %w", a.Ref, err)
	}
	ext := map[string]any{
		"manuallyApprovesFollowers": false,
		"discoverable":              o.Discoverable,
		"indexable":                 o.Indexable,
		"webfinger":                 a.Handle + "@" + o.Host, // FEP-2c59 prefers no acct: prefix
		"attachment":                actorAttachments(a, o),
		"featured":                  iris.Featured(a.Ref),
	}
	return appendFields(core, ext)
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

// propertyValue is Mastodon's profile metadata field.
type propertyValue struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

func actorAttachments(a *Actor, o DocOptions) []propertyValue {
	name := "Wiki page"
	if a.Ref.Kind == KindUser {
		name = "User page"
	}
	link := fmt.Sprintf(`<a href="%s" rel="nofollow noopener" target="_blank">%s</a>`, html.EscapeString(a.URL), html.EscapeString(a.URL))
	return []propertyValue{{Type: "PropertyValue", Name: name, Value: link}, {Type: "PropertyValue", Name: "Wiki", Value: html.EscapeString(o.SiteName)}}
}

// appendFields adds top-level fields to an encoded JSON object.
func appendFields(obj []byte, fields map[string]any) ([]byte, error) {
	obj = bytes.TrimSpace(obj)
	if len(obj) < 2 || obj[len(obj)-1] != '}' {
		return nil, fmt.Errorf("not a JSON object: %.40q", obj)
	}
	extra, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(obj)+len(extra))
	out = append(out, obj[:len(obj)-1]...)
	if len(obj) > 2 {
		out = append(out, ',')
	}
	out = append(out, extra[1:]...)
	return out, nil
}
