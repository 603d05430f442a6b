// Package storetest is the conformance suite every store.Store backend must
// pass, so the embedded and Redis backends cannot drift apart in behaviour.
//
// It must not know either backend's insides: it drives store.Store only.
package storetest
