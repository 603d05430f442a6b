// Package httpsig signs outgoing and verifies incoming ActivityPub requests
// with draft-cavage-12 HTTP Signatures, the scheme Mastodon, GoToSocial and
// Misskey use for server-to-server traffic.
//
// Signing and the RSA verification itself go through
// github.com/go-fed/httpsig; everything that library leaves to the caller
// (Digest against the body, the Date window, which headers must be signed,
// key refresh, the raw-versus-decoded request path) is done here, following
// the rules in docs/interop.md, "HTTP signatures".
package httpsig
