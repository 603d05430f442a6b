package fedpeer

import "errors"

// Rule errors. Every check failure wraps exactly one of these, so tests can
// assert with errors.Is which interoperability rule was broken.
var (
	// ErrBadHandle: the handle is not user@host.
	ErrBadHandle = errors.New("handle is not user@host")
	// ErrWebFingerStatus: WebFinger did not answer 200 (404 unknown, 410 gone...).
	ErrWebFingerStatus = errors.New("webfinger did not answer 200")
	// ErrWebFingerContentType: WebFinger must answer application/jrd+json or application/json.
	ErrWebFingerContentType = errors.New("webfinger response is not application/jrd+json or application/json")
	// ErrSubjectMismatch: the WebFinger subject must name exactly the user that was asked.
	ErrSubjectMismatch = errors.New("webfinger subject does not name the user that was asked")
	// ErrUsernameFormat: Mastodon and Misskey reject usernames outside their patterns.
	ErrUsernameFormat = errors.New("unsupported username format in webfinger response")
	// ErrNoSelfLink: WebFinger needs a rel=self link of type application/activity+json.
	ErrNoSelfLink = errors.New("webfinger has no rel=self application/activity+json link")
	// ErrNoLoopBack: re-WebFinger of preferredUsername@host must point back to the same actor id.
	ErrNoLoopBack = errors.New("does not loop back")
	// ErrFetchStatus: an ActivityPub fetch did not answer 200.
	ErrFetchStatus = errors.New("fetch did not answer 200")
	// ErrContentType: documents must be application/activity+json or ld+json with the AS profile.
	ErrContentType = errors.New("not application/activity+json nor application/ld+json with the ActivityStreams profile")
	// ErrBodyTooLarge: Mastodon refuses bodies of 1 MB and more.
	ErrBodyTooLarge = errors.New("body is 1 MB or more")
	// ErrBadJSON: the body is not a JSON object.
	ErrBadJSON = errors.New("body is not a JSON object")
	// ErrContext: @context must include the ActivityStreams and security contexts.
	ErrContext = errors.New("@context lacks a required context")
	// ErrIDMismatch: a fetched document's id must equal the URL it was fetched from.
	ErrIDMismatch = errors.New("id does not equal the URL it was fetched from")
	// ErrUsernameMismatch: preferredUsername must match the WebFinger username.
	ErrUsernameMismatch = errors.New("preferredUsername does not match the webfinger username")
	// ErrActorType: actors must be Person, Service, Application, Group or Organization.
	ErrActorType = errors.New("actor type is not Person, Service, Application, Group or Organization")
	// ErrMissingField: a required property is absent or not a string.
	ErrMissingField = errors.New("required property missing")
	// ErrForeignHost: actor URLs must live on the actor's own host.
	ErrForeignHost = errors.New("URL is not on the actor's host")
	// ErrBadPath: URL paths must be plain ASCII without %XX escapes (signature mismatches otherwise).
	ErrBadPath = errors.New("URL path is not plain ASCII without %XX escapes")
	// ErrPublicKey: an actor needs exactly one usable RSA publicKey of at least 2048 bits.
	ErrPublicKey = errors.New("not exactly one usable RSA-2048+ publicKey")
	// ErrKeyOwner: the key's owner must be the actor that embeds it.
	ErrKeyOwner = errors.New("publicKey owner is not the actor id")
	// ErrKeyFetch: the keyId could not be fetched or did not contain the key.
	ErrKeyFetch = errors.New("key could not be fetched")
	// ErrKeyNeedsSignature: keys must be fetchable without a signature.
	ErrKeyNeedsSignature = errors.New("key is not fetchable without a signature")
	// ErrKeyMismatch: the key served at keyId differs from the one embedded in the actor.
	ErrKeyMismatch = errors.New("key at keyId differs from the actor's embedded key")

	// ErrNoSignature: inbox POSTs (and signed fetches) need a Signature header.
	ErrNoSignature = errors.New("no Signature header")
	// ErrSignatureFormat: the Signature header could not be parsed.
	ErrSignatureFormat = errors.New("malformed Signature header")
	// ErrAlgorithm: only rsa-sha256 and hs2019 are accepted.
	ErrAlgorithm = errors.New("unsupported signature algorithm")
	// ErrUnsignedHeader: (request-target), host, date (and digest on POST) must be signed.
	ErrUnsignedHeader = errors.New("required header not covered by the signature")
	// ErrMissingHeader: a header listed as signed is absent from the request.
	ErrMissingHeader = errors.New("signed header absent from the request")
	// ErrDigestMissing: a POST needs a SHA-256 Digest header.
	ErrDigestMissing = errors.New("no SHA-256 Digest header")
	// ErrDigestMismatch: the Digest header must match the SHA-256 of the raw body.
	ErrDigestMismatch = errors.New("Digest does not match the body")
	// ErrDateWindow: Date must be within 65 minutes past and 60 minutes future.
	ErrDateWindow = errors.New("Date outside the accepted window")
	// ErrBadSignature: the RSA signature does not verify.
	ErrBadSignature = errors.New("signature does not verify")
	// ErrNoActor: an activity needs an actor.
	ErrNoActor = errors.New("activity has no actor")
	// ErrSignerNotActor: the key owner must be the activity's actor.
	ErrSignerNotActor = errors.New("signer is not the activity's actor")
	// ErrForeignID: activity and created object ids must be on the actor's host.
	ErrForeignID = errors.New("id is not on the actor's host")

	// ErrDeliveryStatus: the remote inbox did not answer 2xx.
	ErrDeliveryStatus = errors.New("delivery not accepted")
	// ErrAcceptNoID: GoToSocial requires Accept.id.
	ErrAcceptNoID = errors.New("Accept has no id")
	// ErrAcceptActor: Accept.actor must be the followed actor and the signer.
	ErrAcceptActor = errors.New("Accept actor is not the followed actor")
	// ErrAcceptObject: Accept.object must be the Follow, embedded with its id or by id.
	ErrAcceptObject = errors.New("Accept object is not the Follow")
	// ErrAcceptSharedInbox: Accept must go to the follower's personal inbox.
	ErrAcceptSharedInbox = errors.New("Accept delivered to the shared inbox, not the personal one")
	// ErrFollowRejected: the followed actor answered Reject.
	ErrFollowRejected = errors.New("follow rejected")
)
