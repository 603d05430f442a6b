// Package remote is everything about other servers: the one HTTP client
// for every request to them, guarded against internal addresses
// (client.go, addrguard.go); signed fetches of their actors and keys, with
// the rules for believing a key (remote.go, keys.go, trust.go) and caches
// that bound what a remote can make us fetch (fetchgate.go); and the
// admin's block list of servers and actors (blocks.go).
//
// It reads documents with federation/activity and signs as our instance
// actor with federation/actors' keys. It must not know the inbox, the
// store's followers and posts, deliveries or the wiki: it answers who a
// remote is and whether to believe it.
package remote
