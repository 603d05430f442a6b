// Package web is the federation side's HTTP surface: the routes
// (endpoints.go), WebFinger and host-meta (webfinger.go), NodeInfo
// (nodeinfo.go), actor documents and the avatar, the collections —
// followers, following, outboxes built from the wiki's histories,
// featured, replies, likes and shares (collections.go, replies.go) — the
// posts themselves (objects.go, built by federation/publish as they were
// sent), the wiki's own page URLs for a proxy (wikipage.go), and the
// follow page for people, with its templates (followpage.go, templates/).
// POSTs to every inbox go to the inbox handler it is given.
//
// It reads through the interfaces it declares (Wiki, Store, Posts) and the
// resolver and documents of federation/actors. It must not change the
// store, queue deliveries, verify signatures or speak the MediaWiki API:
// it answers reads.
package web
