package actors

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
	// KindWiki is the whole wiki as one account, which boosts every new
	// page (and, if the admin chose namespaces, every edit in them).
	KindWiki Kind = "wiki"
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
	if r.Kind == KindInstance || r.Kind == KindWiki {
		return i.Base + "/ap/" + string(r.Kind)
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

// Avatar is where the avatar of the given version is served; the version
// in the URL makes servers fetch it again when it changes.
func (i IRIs) Avatar(version string) string { return i.Base + "/ap/avatar?v=" + version }

// Host is the handle domain, the part after @: the host (and port) of
// Base.
func (i IRIs) Host() string {
	h := strings.TrimPrefix(strings.TrimPrefix(i.Base, "https://"), "http://")
	h, _, _ = strings.Cut(h, "/")
	return h
}

// Our posts have ids of three kinds, all built from the wiki's ids: a
// revision's (built on demand from the wiki, so anyone may fetch it), a
// log entry's and a category change's (only delivered, and kept as a
// record).
const (
	revisionPath = "/ap/rev/"
	logPath      = "/ap/log/"
	changePath   = "/ap/rc/"
)

// RevisionPost is the id of the post about a revision.
func (i IRIs) RevisionPost(revID int64) string {
	return i.Base + revisionPath + strconv.FormatInt(revID, 10)
}

// LogPost is the id of the post about a log entry.
func (i IRIs) LogPost(logID int64) string { return i.Base + logPath + strconv.FormatInt(logID, 10) }

// ChangePost is the id of the post about a recent-changes row (a page
// joining or leaving a category).
func (i IRIs) ChangePost(rcID int64) string {
	return i.Base + changePath + strconv.FormatInt(rcID, 10)
}

// IsPost reports whether id names one of our posts, of any kind.
func (i IRIs) IsPost(id string) bool {
	for _, p := range []string{revisionPath, logPath, changePath} {
		if strings.HasPrefix(id, i.Base+p) {
			return true
		}
	}
	return false
}

// RevisionOf reads the revision id back from a revision post's id.
func (i IRIs) RevisionOf(id string) (int64, bool) { return i.parsePost(id, revisionPath) }

// LogEntryOf reads the log id back from a log post's id.
func (i IRIs) LogEntryOf(id string) (int64, bool) { return i.parsePost(id, logPath) }

func (i IRIs) parsePost(id, path string) (int64, bool) {
	rest, ok := strings.CutPrefix(id, i.Base+path)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != rest {
		return 0, false
	}
	return n, true
}

// ParseActor reads an actor id (or a key id) of ours back into a Ref.
func (i IRIs) ParseActor(iri string) (Ref, bool) {
	iri, _, _ = strings.Cut(iri, "#")
	rest, ok := strings.CutPrefix(iri, i.Base+"/ap/")
	if !ok {
		return Ref{}, false
	}
	return ParseRef(rest)
}

// ParseRef reads "page/12", "user/3", "instance" or "wiki", the form of a
// Ref in paths and in the store.
func ParseRef(p string) (Ref, bool) {
	if p == string(KindInstance) || p == string(KindWiki) {
		return Ref{Kind: Kind(p)}, true
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

// String is the Ref as ParseRef reads it.
func (r Ref) String() string {
	if r.Kind == KindInstance || r.Kind == KindWiki {
		return string(r.Kind)
	}
	return fmt.Sprintf("%s/%d", r.Kind, r.ID)
}
