// Package publish turns a wiki.Change into posts for the right audiences:
// a Create from the page's actor to its followers and an Announce from the
// editor's actor to theirs (publisher.go), posts about log events, moves,
// deletions, uploads and categories (log.go), the posts' text from the
// wiki's own words, kept inside Mastodon's HTML allowlist (note.go,
// sanitize.go), coalescing of quick successive saves, and withdrawals:
// a Delete for every post and actor the wiki hides since, found at once
// from recent changes or later by the sweep (withdraw.go, sweep.go). It
// exports the post builder the web package serves (/ap/rev/{id},
// outboxes), so what is fetched is what was sent.
//
// It returns to the watcher only once every delivery is durably queued,
// and derives every id from wiki ids, so a replay queues nothing twice. It
// resolves actors with federation/actors and queues through an Enqueuer
// (federation/delivery's Outbox). It must not know HTTP requests, the
// inbox, signatures, or the MediaWiki API: it reads the wiki through the
// small interfaces it declares, which *wiki.Client satisfies.
package publish
