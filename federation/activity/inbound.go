package activity

import (
	"errors"
	"fmt"
	"time"

	vocab "github.com/go-ap/activitypub"
	"github.com/valyala/fastjson"
)

// Activity is one inbound activity, read by go-ap (decode.go) into the
// few fields the inbox acts on, so that no handler parses JSON itself and
// every one sees the same reading of the body.
type Activity struct {
	ID, Type, Actor string
	// object is the activity's object as go-ap read it (an IRI, an
	// object, an activity); of a list, the first.
	object vocab.Item
	// Objects are the ids of all its objects (a Flag names several).
	Objects []string
	// Note is the object when it is an embedded Note, Article, Question
	// or Page (Create, Update); nil otherwise.
	Note *RemoteNote
	// Inner is the object when it is an embedded activity (Undo's).
	Inner *Inner
	// Content is the activity's own text (a Flag's comment).
	Content string
}

// Inner is an activity embedded in another (the Follow, Like or Announce
// an Undo takes back).
type Inner struct {
	ID, Type, Actor, Object string
}

// RemoteNote is what the inbox keeps or acts on of a remote post.
type RemoteNote struct {
	ID, Type, AttributedTo, InReplyTo string
	// Content is the remote HTML; URL the post's page for people.
	Content, URL string
	Published    time.Time
	// Mentions are the hrefs of its Mention tags, in order.
	Mentions []string
}

// ObjectID is the id of the activity's (first) object.
func (a *Activity) ObjectID() string { return idOfItem(a.object) }

// ErrIDTooLong is an id over MaxIDLength, which the inbox counts apart.
var ErrIDTooLong = errors.New("an id is too long")

// Parse reads an inbound activity. It fails only when the body is
// not a JSON object with an id, a type and an actor (or an id is longer
// than MaxIDLength): anything else is for the handlers to accept or ignore.
func Parse(body []byte) (*Activity, error) {
	it, v, err := decodeAP(body)
	if err != nil {
		return nil, fmt.Errorf("the body is %w", err)
	}
	a := &Activity{ID: stringOf(v, "id"), Type: stringOf(v, "type")}
	a.Actor = idOfJSON(v.Get("actor"))
	if act, ok := asActivity(it); ok {
		if id := idOfItem(act.Actor); id != "" {
			a.Actor = id
		}
		a.object = firstItem(act.Object)
		for _, o := range itemsOf(act.Object) {
			if id := idOfItem(o); id != "" {
				a.Objects = append(a.Objects, id)
			}
		}
		objJSON := firstJSON(v.Get("object"))
		a.Note = noteOf(a.object, objJSON)
		a.Inner = innerOf(a.object)
		a.Content = stringOf(v, "content")
	}
	if a.ID == "" || a.Type == "" || a.Actor == "" {
		return nil, errors.New("an activity needs id, type and actor")
	}
	for _, id := range append([]string{a.ID, a.Actor}, a.Objects...) {
		if len(id) > MaxIDLength {
			return nil, fmt.Errorf("%w: %d bytes (at most %d)", ErrIDTooLong, len(id), MaxIDLength)
		}
	}
	return a, nil
}

// noteTypes are the objects that can be replies or mentions.
var noteTypes = map[vocab.ActivityVocabularyType]bool{
	vocab.NoteType: true, vocab.ArticleType: true, vocab.QuestionType: true, vocab.PageType: true,
}

// noteOf reads an embedded post; raw is its JSON, for the text (go-ap
// un-escapes text values a second time: a reply "42" or one with a
// backslash would come out changed).
func noteOf(it vocab.Item, raw *fastjson.Value) *RemoteNote {
	it = rebox(it)
	if vocab.IsNil(it) || vocab.IsIRI(it) || !noteTypes[it.GetType()] {
		return nil
	}
	o, err := vocab.ToObject(it)
	if err != nil || o.ID == "" || len(o.ID) > MaxIDLength {
		return nil
	}
	n := &RemoteNote{
		ID: string(o.ID), Type: string(o.Type),
		AttributedTo: idOfItem(o.AttributedTo), InReplyTo: idOfItem(o.InReplyTo),
		Content: stringOf(raw, "content"), URL: hrefOf(o.URL), Published: o.Published,
	}
	if n.Content == "" {
		n.Content = stringOf(raw, "contentMap")
	}
	for _, t := range itemsOf(o.Tag) {
		if l, err := vocab.ToLink(t); err == nil && l.Type == vocab.MentionType && l.Href != "" {
			n.Mentions = append(n.Mentions, string(l.Href))
		}
	}
	return n
}

// innerOf reads an embedded activity.
func innerOf(it vocab.Item) *Inner {
	it = rebox(it)
	if vocab.IsNil(it) || vocab.IsIRI(it) {
		return nil
	}
	act, ok := asActivity(it)
	if !ok || act.Type == "" {
		return nil
	}
	return &Inner{ID: string(act.ID), Type: string(act.Type), Actor: idOfItem(act.Actor), Object: idOfItem(act.Object)}
}

// stringOf reads a text property: a string, or of a language map
// ({"en": …}) or a list, the first string.
func stringOf(v *fastjson.Value, key string) string {
	if v == nil {
		return ""
	}
	return firstString(v.Get(key))
}

func firstString(x *fastjson.Value) string {
	if x == nil {
		return ""
	}
	switch x.Type() {
	case fastjson.TypeString:
		return string(x.GetStringBytes())
	case fastjson.TypeArray:
		for _, e := range x.GetArray() {
			if s := firstString(e); s != "" {
				return s
			}
		}
	case fastjson.TypeObject:
		o, _ := x.Object()
		var s string
		o.Visit(func(_ []byte, e *fastjson.Value) {
			if s == "" && e.Type() == fastjson.TypeString {
				s = string(e.GetStringBytes())
			}
		})
		return s
	}
	return ""
}

// firstJSON is a value, or of a list its first entry.
func firstJSON(x *fastjson.Value) *fastjson.Value {
	if x != nil && x.Type() == fastjson.TypeArray {
		if arr := x.GetArray(); len(arr) > 0 {
			return arr[0]
		}
		return nil
	}
	return x
}

// idOfJSON reads an id given as an IRI or an object with an id; of a
// list, the first. It serves where go-ap read nothing (a type it does
// not know).
func idOfJSON(x *fastjson.Value) string {
	x = firstJSON(x)
	if x == nil {
		return ""
	}
	if x.Type() == fastjson.TypeString {
		return string(x.GetStringBytes())
	}
	return stringOf(x, "id")
}
