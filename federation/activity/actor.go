package activity

import (
	"fmt"
	"time"

	vocab "github.com/go-ap/activitypub"
	"github.com/go-ap/jsonld"
)

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

// ActorType is what kind of account an actor shows as.
type ActorType string

// The actor types we use: editors are people, pages are services (so
// Mastodon marks them as automated), the instance is the application.
const (
	Person      ActorType = "Person"
	Service     ActorType = "Service"
	Application ActorType = "Application"
)

// Actor is what one of our actor documents says.
type Actor struct {
	Type                                ActorType
	ID, Name, Handle, Summary, URL      string
	Inbox, Outbox, Followers, Following string
	Featured, SharedInbox               string
	Published                           time.Time
	// Icon and IconType are the avatar: a raster image (GoToSocial drops
	// an SVG one and shows its default).
	Icon, IconType string
	// Image and ImageType are the header (banner), also raster; "" for none.
	Image, ImageType string
	KeyID, KeyPEM    string
	// Discoverable and Indexable let Mastodon list the actor in its
	// directory and search (both default false there).
	Discoverable, Indexable bool
	// WebFinger is handle@host, without acct: (FEP-2c59 prefers none).
	WebFinger string
	// Fields are Mastodon's profile metadata.
	Fields []PropertyValue
}

// PropertyValue is Mastodon's profile metadata field; Value is HTML.
type PropertyValue struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Document encodes the actor: go-ap builds the core and Mastodon's
// extension properties are appended (extend.go), in one pass.
func (a Actor) Document() ([]byte, error) {
	id := vocab.ID(a.ID)
	var act *vocab.Actor
	switch a.Type {
	case Person:
		act = (*vocab.Actor)(vocab.PersonNew(id))
	case Application:
		act = (*vocab.Actor)(vocab.ApplicationNew(id))
	default:
		act = (*vocab.Actor)(vocab.ServiceNew(id))
	}
	act.Name = vocab.DefaultNaturalLanguageValue(a.Name)
	act.PreferredUsername = vocab.DefaultNaturalLanguageValue(a.Handle)
	act.Summary = vocab.DefaultNaturalLanguageValue(a.Summary)
	act.URL = vocab.IRI(a.URL)
	act.Inbox = vocab.IRI(a.Inbox)
	act.Outbox = vocab.IRI(a.Outbox)
	act.Followers = vocab.IRI(a.Followers)
	act.Following = vocab.IRI(a.Following)
	act.Endpoints = &vocab.Endpoints{SharedInbox: vocab.IRI(a.SharedInbox)}
	if !a.Published.IsZero() {
		act.Published = a.Published.UTC()
	}
	if a.Icon != "" {
		act.Icon = &vocab.Object{Type: vocab.ImageType, MediaType: vocab.MimeType(a.IconType), URL: vocab.IRI(a.Icon)}
	}
	if a.Image != "" {
		act.Image = &vocab.Object{Type: vocab.ImageType, MediaType: vocab.MimeType(a.ImageType), URL: vocab.IRI(a.Image)}
	}
	act.PublicKey = vocab.PublicKey{ID: vocab.ID(a.KeyID), Owner: vocab.IRI(id), PublicKeyPem: a.KeyPEM}
	core, err := actorContext.Marshal(act)
	if err != nil {
		return nil, fmt.Errorf("encoding actor %s: %w", a.ID, err)
	}
	fields := a.Fields
	if fields == nil {
		fields = []PropertyValue{}
	}
	// In the order encoding/json gave them when they were a map.
	return appendProps(core, []prop{
		{"attachment", fields},
		{"discoverable", a.Discoverable},
		{"featured", a.Featured},
		{"indexable", a.Indexable},
		{"manuallyApprovesFollowers", false},
		{"webfinger", a.WebFinger},
	})
}
