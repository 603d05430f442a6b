package federation

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind is what a local actor stands for.
type Kind string

// The kinds of local actor.
const (
	KindPage     Kind = "page"
	KindUser     Kind = "user"
	KindInstance Kind = "instance"
)

// Ref names one of our actors by the wiki's own id, so that a page move or
// a user rename never changes the actor's id.
type Ref struct {
	Kind Kind
	ID   int64
}

// IRIs builds and parses the URLs of our actors and objects. Every path is
// ASCII with no escapes: a %XX in a path breaks signatures between
// implementations that sign the raw and the decoded path.
type IRIs struct {
	// Base is the public URL without a trailing slash, e.g. https://wiki.example.
	Base string
}

// Actor is the id of a local actor.
func (i IRIs) Actor(r Ref) string {
	if r.Kind == KindInstance {
		return i.Base + "/ap/instance"
	}
	return i.Base + "/ap/" + string(r.Kind) + "/" + strconv.FormatInt(r.ID, 10)
}

// Key is the id of an actor's public key.
func (i IRIs) Key(r Ref) string { return i.Actor(r) + "#main-key" }

// Inbox is an actor's personal inbox.
func (i IRIs) Inbox(r Ref) string { return i.Actor(r) + "/inbox" }

// Outbox is an actor's outbox.
func (i IRIs) Outbox(r Ref) string { return i.Actor(r) + "/outbox" }

// Followers is an actor's followers collection.
func (i IRIs) Followers(r Ref) string { return i.Actor(r) + "/followers" }

// Following is an actor's following collection (always empty).
func (i IRIs) Following(r Ref) string { return i.Actor(r) + "/following" }

// Featured is the actor's (empty) collection of pinned posts.
func (i IRIs) Featured(r Ref) string { return i.Actor(r) + "/featured" }

// SharedInbox is the one inbox for the whole wiki.
func (i IRIs) SharedInbox() string { return i.Base + "/ap/inbox" }

// ParseActor reads an actor id (or a key id) of ours back into a Ref.
func (i IRIs) ParseActor(iri string) (Ref, bool) {
	iri, _, _ = strings.Cut(iri, "#")
	rest, ok := strings.CutPrefix(iri, i.Base+"/ap/")
	if !ok {
		return Ref{}, false
	}
	return parseActorPath(rest)
}

// parseActorPath reads "page/12", "user/3" or "instance".
func parseActorPath(p string) (Ref, bool) {
	if p == "instance" {
		return Ref{Kind: KindInstance}, true
	}
	kind, id, ok := strings.Cut(p, "/")
	if !ok || (kind != string(KindPage) && kind != string(KindUser)) {
		return Ref{}, false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return Ref{}, false
	}
	return Ref{Kind: Kind(kind), ID: n}, true
}

func (r Ref) String() string {
	if r.Kind == KindInstance {
		return "instance"
	}
	return fmt.Sprintf("%s/%d", r.Kind, r.ID)
}
