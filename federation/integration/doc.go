// Package integration holds the tests of the whole federation side: every
// package wired together by internal/fedwire, the wiring serve runs too
// (wire_test.go only adapts the tests' options to it), over a real
// MediaWiki, a real store and real HTTP where they can, or over in-memory
// wikis for the offline golden files, fuzzing and the follow page. It has
// no code of its own.
//
// What one package does alone is tested beside it; what needs an edit to
// travel from the watcher to a remote inbox, or a reply from an inbox to a
// talk page, is tested here.
package integration
