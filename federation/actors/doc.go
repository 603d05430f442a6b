// Package actors is our identity on the Fediverse: the ids of our actors
// and posts (ids.go), our actors' keys (keys.go, keypool.go), the resolver
// that finds the actor of a wiki page, an editor or the instance by id,
// handle or wiki URL and remembers what must outlive the wiki's own answer
// (a deleted page's title, a hidden actor, a followed actor's handle), and
// the actor documents built from all that (document.go).
//
// It reads the wiki through the small Wiki interface, never its API, and
// keeps its marks in the store through HandleStore. It must not know
// HTTP, other servers, deliveries, posts or the inbox: whoever serves,
// publishes or follows asks it who an actor is.
package actors
