// Package hostile is a test suite that attacks a running `wikipub serve`
// the way a hostile Fediverse server would: from a small server of its own
// on 127.0.0.1, serving the documents it crafts (actors that claim to be
// someone else, keys owned by no one, ids on other hosts) and signing
// requests with its own keys.
//
// It shares no code with what it tests: it has its own draft-cavage
// signer (crypto/rsa and the standard library only) and its own servers,
// and reaches wikipub only over HTTP, as any remote can. It must not
// import federation/..., internal/fedpeer or cmd/...; internal/testenv
// (which starts the real wikipub binary, a real MediaWiki and a real
// Redis) is its only helper. Every test runs against both stores: the
// embedded file (--data) and Redis (--redis).
//
// One test per class of attack (README, "Security"):
//
//   - TestAnyoneSignsAsAnyone: keys that are not confirmed by their owner.
//   - TestIDOriginAndOwnership: ids on another host, ids owned by another
//     actor, replay marks that block someone else's activity.
//   - TestRemoteControlledCosts: what a remote can make wikipub store,
//     fetch, compute or write.
//   - TestLowSeverity: the private-address guard, domain block variants,
//     the Host of a POST, internal inboxes, oversized ids.
//
// BenchmarkColdActorCrawl measures what a crawler of never-seen actors
// costs wikipub in CPU and store space.
package hostile
