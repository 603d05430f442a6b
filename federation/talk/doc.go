// Package talk writes the Fediverse's replies to the wiki's talk pages: it
// decides which talk page a reply may reach (the editor's own, when they
// opted in at User:Name/wikipub.json, or a page's, when the admin enabled
// its namespace), schedules it into a window so replies to one page become
// one section, caps what one actor, server or page can cause, and writes
// the sections through a small interface *wiki.Client satisfies (talk.go,
// write.go). It also sends reports (Flag) to the admins' page.
//
// It reads our ids with federation/actors and keeps its queue in the
// store. It must not know ActivityStreams, HTTP signatures or the inbox:
// the inbox hands it interactions already verified and parsed, and it must
// not speak the MediaWiki API itself.
package talk
