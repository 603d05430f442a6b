// Package inbox is every inbox of ours: it bounds, verifies and parses a
// POST (inbox.go), judges what a verified activity may make us believe
// (trust.go), and dispatches it: follows and undo with their Accept or
// Reject (follow.go), replies and mentions, likes and boosts, deletes and
// reports (interactions.go, postexists.go), under the limits of what a
// remote can cost us (limits.go). What it turns down is answered with a
// status and reason the sender can act on, counted and logged
// (refusal.go): a 4xx for what we will never accept, a 503 only for what
// will work later.
//
// It reads documents with federation/activity, fetches remote actors
// through federation/remote, hands replies to federation/talk and queues
// its answers through an Enqueuer (federation/delivery's Outbox). It must
// not know how posts are made or delivered, HTTP routes beyond its own
// handler, or the MediaWiki API.
package inbox
