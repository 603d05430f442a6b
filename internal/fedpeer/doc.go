// Package fedpeer is a strict test Fediverse peer for integration tests.
//
// A Peer is an httptest server on 127.0.0.1 that plays a remote instance with
// one local user (alice by default). Its client side looks actors up and
// delivers activities the way Mastodon and GoToSocial do, and rejects any
// answer that breaks the rules those servers enforce (see
// docs/interop.md). Its server side verifies incoming deliveries with its
// own draft-cavage HTTP Signature verifier and records what it accepted and
// what it rejected, so a test can assert that wikipub never trips a rule.
//
// Typical use:
//
//	peer := fedpeer.New(t, fedpeer.WithRequireSignedFetch())
//	actor, err := peer.Lookup(ctx, "main_page@"+wikiHost) // every rule checked
//	followID, err := peer.Follow(ctx, actor)
//	_, err = peer.WaitAccept(ctx, followID)               // GoToSocial's Accept rules
//	d, err := peer.WaitFor(ctx, func(d fedpeer.Delivery) bool { return d.Type == "Create" })
//	peer.AssertNoRejections(t)                            // nothing broke a rule
//
// Every check failure wraps one Err* value naming the rule, for errors.Is.
//
// The package depends on the standard library only, on purpose: it must not
// share code with the implementation it checks.
package fedpeer
