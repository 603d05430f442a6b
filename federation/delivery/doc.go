// Package delivery is the queue worker: it claims queued activities from
// the store, POSTs each signed as its actor, and settles it — acked on a
// 2xx, a 410 or a final 4xx, otherwise retried on Mastodon's schedule —
// while keeping one slow or dead host from delaying the others (per-host
// limits in hostlimit.go, circuit breakers in breaker.go) and the store's
// commits off the delivery path (batched acknowledgements in ack.go). It
// also owns the delivery id (id.go), derived from the activity and the
// inbox, so a replayed post is queued once, and the delivery metrics.
//
// It signs with federation/actors' keys and sends through the guarded
// client federation/remote makes. It must not know what an activity says,
// who follows whom, the wiki, or the inbox: it moves bytes to inboxes.
// Those who queue deliveries (publish, inbox) declare the small interface
// they need themselves.
package delivery
