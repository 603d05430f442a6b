// Package store holds wikipub's persistent state behind one interface with two
// backends: an embedded bbolt file for a single process, and Redis for several
// replicas. It stores only what the wiki cannot answer: cursors, keys,
// followers, the delivery queue, dedupe marks and leases.
//
// It must not know ActivityPub documents, HTTP or the wiki: it keeps ids,
// bytes and times for the packages above it.
package store
