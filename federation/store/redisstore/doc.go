// Package redisstore is the store.Store shared by several wikipub replicas
// through one Redis. Every operation whose steps must not interleave with
// another replica's runs as a single Lua script or MULTI transaction.
//
// It must not know the Fediverse: it implements store.Store and nothing
// else.
package redisstore
