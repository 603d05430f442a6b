// Package activity is the ActivityStreams vocabulary of wikipub, on
// go-ap/activitypub and go-ap/jsonld: it builds every document we send or
// serve (posts, the activities that carry them, actor documents with
// Mastodon's extensions, collections) and reads every document that comes
// in (activities, remote actors and their keys), with JSON-LD's "one or
// many" and "object or id" handled by go-ap's types.
//
// Where go-ap has no field for what the servers we talk to read, or
// writes a value in a form they would get wrong, a short wrapper in
// extend.go adds or writes it, and says why.
//
// It must not know HTTP, the store, the wiki, or whose ids it writes:
// callers hand it ids and text; it knows the shape of the documents.
package activity
