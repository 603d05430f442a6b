// Package boltstore is the embedded store.Store: one bbolt file owned by one
// process, every write a single fsync'd transaction. Deployments with several
// replicas use redisstore instead.
//
// It must not know the Fediverse: it implements store.Store and nothing
// else.
package boltstore
