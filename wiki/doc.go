// Package wiki is wikipub's MediaWiki side: an API client over go-mwclient
// (context, retries, maxlag, bot login), site information, a recent-changes
// watcher with a durable cursor, the look-ups actors, posts and outboxes
// are built from — pages, users, revisions, histories, and what profiles
// and richer posts are made of (lead images, openings, languages,
// categories, the text an edit added; PageImages and TextExtracts where the
// wiki has them) — and the talk-page writer.
//
// It returns plain Go values describing what the wiki says, and nothing the
// wiki hides from its anonymous readers, whatever the client's rights. It
// knows nothing about ActivityPub, handles or followers.
package wiki
