// Package interop holds the tests that prove wikipub works with the
// Fediverse: a real GoToSocial, driven through its client API as its users
// drive it, follows, reads, replies to, likes and boosts what a real
// MediaWiki publishes through a real `wikipub serve` behind the
// deployment kit's nginx, and its log must never complain about us.
//
// The package has no code outside its tests. It needs a GoToSocial build
// (the directory testenv.GoToSocialEnv names, by default the one beside
// the repository, see the README's "Tested with"); without one its tests
// print a loud SKIP saying how to get one.
package interop
