// Package fedtest holds what the tests of several federation packages
// share and that is not the wiring: checks of post HTML against Mastodon's
// allowlist. It is imported by tests only.
package fedtest
