package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/httpsig"
)

// maxInboxBody is the largest activity we accept; Mastodon's own limit is
// about the same.
const maxInboxBody = 1 << 20

// seenTTL is how long an inbound activity id is remembered for dedupe;
// senders retry for two to three days.
const seenTTL = 7 * 24 * time.Hour

// activity is the part of an inbound activity we look at before dispatch.
type activity struct {
	ID     string          `json:"id"`
	Type   json.RawMessage `json:"type"`
	Actor  json.RawMessage `json:"actor"`
	Object json.RawMessage `json:"object"`
	raw    []byte
	signer string
}

// inbox takes a POST to any of our inboxes: body bounded, signature,
// digest and date verified, the signer checked against the actor, replays
// dropped; then the activity is handled before 202 is answered, so a
// failure we can recover from is a 503 the sender retries.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.ContentLength > maxInboxBody {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", maxInboxBody))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInboxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", maxInboxBody))
			return
		}
		writeError(w, http.StatusBadRequest, "reading the body failed")
		return
	}
	act, err := parseActivity(body)
	if err != nil {
		// Checked before the signature: a malformed body costs no key fetch.
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	signer, err := s.verifier.Verify(ctx, r, body)
	if err != nil {
		s.signatureError(w, r, act, err)
		return
	}
	s.revive(hostOf(signer))
	act.signer = signer
	if act.actorID() != signer {
		// Forwarded activities (a reply relayed by a third server) are
		// signed by someone else; we do not trust them, and a 4xx would
		// only make the sender retry.
		s.log.InfoContext(ctx, "dropped an activity not signed by its actor", "id", act.ID, "actor", act.actorID(), "signer", signer)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if err := s.handleActivity(ctx, act); err != nil {
		s.log.WarnContext(ctx, "handling an activity failed", "id", act.ID, "type", act.typ(), "err", err)
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusServiceUnavailable, "could not handle the activity now; retry later")
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// handleActivity dispatches one verified activity, at most once per id.
func (s *Server) handleActivity(ctx context.Context, act *activity) error {
	first, err := s.store.MarkSeen(ctx, act.ID, seenTTL)
	if err != nil {
		return err
	}
	if !first {
		s.log.DebugContext(ctx, "replayed activity ignored", "id", act.ID)
		return nil
	}
	var herr error
	switch act.typ() {
	case "Follow":
		herr = s.onFollow(ctx, act)
	case "Undo":
		herr = s.onUndo(ctx, act)
	case "Delete":
		herr = s.onDelete(ctx, act)
	case "Create":
		herr = s.onCreate(ctx, act)
	case "Update":
		herr = s.onUpdate(ctx, act)
	case "Like":
		herr = s.onLikeOrShare(ctx, act, "like")
	case "Announce":
		herr = s.onLikeOrShare(ctx, act, "share")
	case "Flag":
		herr = s.onFlag(ctx, act)
	default:
		s.log.DebugContext(ctx, "activity type not handled", "id", act.ID, "type", act.typ())
	}
	if herr != nil {
		// Let the sender's retry through the dedupe.
		if err := s.store.ForgetSeen(ctx, act.ID); err != nil {
			return errors.Join(herr, err)
		}
	}
	return herr
}

// signatureError answers a request whose signature did not verify: 401 or
// 400 as the check says, but 503 when the key could not be fetched for a
// reason that may pass, so a valid sender is never told it is invalid.
func (s *Server) signatureError(w http.ResponseWriter, r *http.Request, act *activity, err error) {
	ctx := r.Context()
	if errors.Is(err, httpsig.ErrKeyUnavailable) && errors.Is(err, ErrRemoteGone) && act.typ() == "Delete" && act.objectID() == act.actorID() {
		// An actor deleting itself: its key is gone with it. Check that the
		// actor really is gone before forgetting its follows.
		if _, aerr := s.remote.Actor(ctx, act.actorID(), true); errors.Is(aerr, ErrRemoteGone) {
			n, rerr := s.store.RemoveFollowerEverywhere(ctx, act.actorID())
			if rerr == nil {
				s.log.InfoContext(ctx, "remote actor deleted", "actor", act.actorID(), "follows_removed", n)
				w.WriteHeader(http.StatusAccepted)
				return
			}
		}
	}
	status := httpsig.StatusCode(err)
	// What the sender is told names the check, never what our own fetch of
	// its key ran into: that would let anyone probe hosts through us.
	msg := "the signature does not verify"
	switch {
	case errors.Is(err, httpsig.ErrKeyUnavailable) && keyMayComeLater(err):
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "60")
		msg = "the signing key could not be fetched now; retry later"
	case errors.Is(err, ErrUntrustedKey), errors.Is(err, errUnreadable):
		msg = "the signing key is not confirmed by the actor that owns it"
	case errors.Is(err, httpsig.ErrKeyUnavailable):
		msg = "the signing key cannot be fetched"
	case errors.Is(err, httpsig.ErrUnsigned):
		msg = "the request is not signed"
	case errors.Is(err, httpsig.ErrDigestMismatch):
		msg = "the Digest header does not match the body"
	case errors.Is(err, httpsig.ErrDateSkew):
		msg = "the Date header is outside the accepted window"
	case errors.Is(err, httpsig.ErrMissingSignedHeader), errors.Is(err, httpsig.ErrMalformedSignature), errors.Is(err, httpsig.ErrUnsupportedAlgorithm):
		msg = stripDetail(err)
	}
	s.log.InfoContext(ctx, "inbox refused a request", "status", status, "id", act.ID, "err", err)
	writeError(w, status, msg)
}

// keyMayComeLater tells a key fetch that failed for a passing reason (the
// network, a 5xx, a 429) from one that will fail the same way again.
func keyMayComeLater(err error) bool {
	for _, permanent := range []error{ErrRemoteGone, ErrForbiddenAddress, ErrBadRemoteID, ErrUntrustedKey, errUnreadable} {
		if errors.Is(err, permanent) {
			return false
		}
	}
	return true
}

func parseActivity(body []byte) (*activity, error) {
	var a activity
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("the body is not a JSON object: %v", err)
	}
	if a.ID == "" || a.typ() == "" || a.actorID() == "" {
		return nil, errors.New("an activity needs id, type and actor")
	}
	a.raw = body
	return &a, nil
}

// idOf reads a JSON value that is an IRI or an object with an id.
func idOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.ID
	}
	return ""
}

func (a *activity) actorID() string  { return idOf(a.Actor) }
func (a *activity) objectID() string { return idOf(a.Object) }

// typ is the activity's type; of a list of types, the first.
func (a *activity) typ() string {
	var s string
	if json.Unmarshal(a.Type, &s) == nil {
		return s
	}
	var l []string
	if json.Unmarshal(a.Type, &l) == nil && len(l) > 0 {
		return l[0]
	}
	return ""
}

// stripDetail keeps the first part of a signature error: what was wrong
// with the request, which is the sender's own business.
func stripDetail(err error) string {
	msg, _, _ := strings.Cut(err.Error(), ": resolve")
	return msg
}
