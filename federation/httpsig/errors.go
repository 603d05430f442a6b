package httpsig

import (
	"errors"
	"net/http"
)

// Sentinel errors returned (wrapped with detail) by Verifier.Verify, so an
// inbox can tell "not signed / not trusted" (401) from "malformed" (400)
// with errors.Is.
var (
	// ErrUnsigned means the request carries no draft-cavage signature at all.
	ErrUnsigned = errors.New("httpsig: request is not signed")
	// ErrMalformedSignature means the Signature header, or a header it
	// names, cannot be parsed or is absent from the request.
	ErrMalformedSignature = errors.New("httpsig: malformed signature")
	// ErrUnsupportedAlgorithm means the algorithm, key type or signature
	// scheme (e.g. RFC 9421) is not one we verify.
	ErrUnsupportedAlgorithm = errors.New("httpsig: unsupported signature algorithm")
	// ErrMissingSignedHeader means a header that must be covered by the
	// signature (date, (request-target), host on GET, digest on POST) is not.
	ErrMissingSignedHeader = errors.New("httpsig: required header not signed")
	// ErrDateSkew means the Date header is outside the accepted window.
	ErrDateSkew = errors.New("httpsig: date outside accepted window")
	// ErrDigestMismatch means the Digest header is missing, has no SHA-256
	// entry, or does not match the body.
	ErrDigestMismatch = errors.New("httpsig: digest mismatch")
	// ErrKeyUnavailable means the key named by keyId could not be resolved.
	ErrKeyUnavailable = errors.New("httpsig: signing key unavailable")
	// ErrBadSignature means the cryptographic check failed with every
	// accepted request-target form, before and after a key refresh.
	ErrBadSignature = errors.New("httpsig: signature does not verify")
)

// StatusCode maps a Verify error to the HTTP status an inbox should answer
// with, so the 400-versus-401 policy lives next to the errors: 401 when the
// sender may succeed by retrying or re-signing (Mastodon retries 401, not
// 400), 400 when the request itself is unacceptable, 500 otherwise.
func StatusCode(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrMalformedSignature),
		errors.Is(err, ErrUnsupportedAlgorithm),
		errors.Is(err, ErrMissingSignedHeader),
		errors.Is(err, ErrDigestMismatch):
		return http.StatusBadRequest
	case errors.Is(err, ErrUnsigned),
		errors.Is(err, ErrBadSignature),
		errors.Is(err, ErrKeyUnavailable),
		errors.Is(err, ErrDateSkew):
		return http.StatusUnauthorized
	default:
		return http.StatusInternalServerError
	}
}
