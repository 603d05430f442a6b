package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/httpsig"
	"github.com/wikipub/wikipub/federation/remote"
)

// maxInboxBody is the largest activity we accept; Mastodon's own limit is
// about the same.
const maxInboxBody = 1 << 20

// seenTTL is how long an inbound activity id is remembered for dedupe;
// senders retry for two to three days.
const seenTTL = 7 * 24 * time.Hour

// ServeHTTP takes a POST to any of our inboxes: body bounded, signature,
// digest and date verified, the activity checked against its signer by
// the trust rules (trust.go), replays dropped; then the activity is
// handled before 202 is answered, so a failure we can recover from is a
// 503 the sender retries, and one we never will is a 4xx with a reason.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.ContentLength > maxInboxBody {
		h.refusals.answer(w, r, &refusal{status: http.StatusRequestEntityTooLarge, reason: reasonBodyTooLarge, msg: fmt.Sprintf("body over %d bytes", maxInboxBody)}, nil, nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInboxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.refusals.answer(w, r, &refusal{status: http.StatusRequestEntityTooLarge, reason: reasonBodyTooLarge, msg: fmt.Sprintf("body over %d bytes", maxInboxBody)}, nil, nil)
			return
		}
		h.refusals.answer(w, r, &refusal{status: http.StatusBadRequest, reason: reasonUnreadableBody, msg: "reading the body failed"}, nil, err)
		return
	}
	parsed, err := activity.Parse(body)
	if err != nil {
		// Checked before the signature: a malformed body costs no key fetch.
		reason := reasonNotAnActivity
		if errors.Is(err, activity.ErrIDTooLong) {
			reason = reasonIDTooLong
		}
		h.refusals.answer(w, r, &refusal{status: http.StatusBadRequest, reason: reason, msg: err.Error()}, nil, nil)
		return
	}
	act := &inbound{Activity: parsed}
	if !h.trust.forUs(r.Host) {
		h.refusals.answer(w, r, &refusal{status: http.StatusBadRequest, reason: reasonWrongHost, msg: "the request is for another host than this one"}, act, nil)
		return
	}
	signer, err := h.verifier.Verify(ctx, r, body)
	if err != nil {
		h.signatureError(w, r, act, err)
		return
	}
	h.revive(delivery.HostOf(signer))
	act.signer = signer
	if rf := h.trust.envelope(act); rf != nil {
		h.refusals.answer(w, r, rf, act, nil)
		return
	}
	if ok, wait := h.inboxRate.take(remote.Origin(signer)); !ok {
		h.refusals.answer(w, r, &refusal{status: http.StatusTooManyRequests, reason: reasonRateLimited,
			msg: "too many activities from your server; retry later", retryAfter: retrySeconds(wait)}, act, nil)
		return
	}
	if err := h.handleActivity(ctx, act); err != nil {
		if rf := refusalFor(err); rf != nil {
			h.refusals.answer(w, r, rf, act, err)
			return
		}
		h.refusals.answer(w, r, &refusal{status: http.StatusServiceUnavailable, reason: reasonHandlingFailed,
			msg: "could not handle the activity now; retry later", retryAfter: 60}, act, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// inbound is an activity as the inbox handles it: as read, and who
// signed it once that is verified.
type inbound struct {
	*activity.Activity
	// signer is the actor whose key signed the request.
	signer string
}

// handleActivity dispatches one verified activity, at most once per
// signer and id.
func (h *Handler) handleActivity(ctx context.Context, act *inbound) error {
	mark := h.trust.seenKey(act.signer, act.ID)
	first, err := h.store.MarkSeen(ctx, mark, seenTTL)
	if err != nil {
		return err
	}
	if !first {
		h.log.DebugContext(ctx, "replayed activity ignored", "id", clip(act.ID))
		return nil
	}
	var herr error
	switch act.Type {
	case "Follow":
		herr = h.onFollow(ctx, act)
	case "Undo":
		herr = h.onUndo(ctx, act)
	case "Delete":
		herr = h.onDelete(ctx, act)
	case "Create":
		herr = h.onCreate(ctx, act)
	case "Update":
		herr = h.onUpdate(ctx, act)
	case "Like":
		herr = h.onLikeOrShare(ctx, act, "like")
	case "Announce":
		herr = h.onLikeOrShare(ctx, act, "share")
	case "Flag":
		herr = h.onFlag(ctx, act)
	default:
		h.log.DebugContext(ctx, "activity type not handled", "id", clip(act.ID), "type", clip(act.Type))
	}
	if herr != nil {
		// Let the sender's retry through the dedupe; a refusal is answered
		// the same way again.
		if err := h.store.ForgetSeen(ctx, mark); err != nil {
			return errors.Join(herr, err)
		}
	}
	return herr
}

// signatureError answers a request whose signature did not verify: 401 or
// 400 as the check says, but 503 when the key could not be fetched for a
// reason that may pass, so a valid sender is never told it is invalid.
func (h *Handler) signatureError(w http.ResponseWriter, r *http.Request, act *inbound, err error) {
	ctx := r.Context()
	if errors.Is(err, httpsig.ErrKeyUnavailable) && errors.Is(err, remote.ErrRemoteGone) && act.Type == "Delete" && act.ObjectID() == act.Actor {
		// An actor deleting itself: its key is gone with it. Check that the
		// actor really is gone before forgetting its follows.
		if _, aerr := h.remote.Actor(ctx, act.Actor, true); errors.Is(aerr, remote.ErrRemoteGone) {
			n, rerr := h.store.RemoveFollowerEverywhere(ctx, act.Actor)
			if rerr == nil {
				h.log.InfoContext(ctx, "remote actor deleted", "actor", clip(act.Actor), "follows_removed", n)
				w.WriteHeader(http.StatusAccepted)
				return
			}
		}
	}
	h.refusals.answer(w, r, signatureRefusal(err), act, err)
}

// signatureRefusal is what the sender of a request whose signature did
// not verify is told. It names the check, never what our own fetch of its
// key ran into: that would let anyone probe hosts through us.
func signatureRefusal(err error) *refusal {
	rf := &refusal{status: httpsig.StatusCode(err), reason: reasonBadSignature, msg: "the signature does not verify"}
	switch {
	case errors.Is(err, httpsig.ErrKeyUnavailable) && remote.MayPass(err):
		rf.status, rf.reason, rf.retryAfter = http.StatusServiceUnavailable, reasonKeyUnavailable, 60
		rf.msg = "the signing key could not be fetched now; retry later"
	case errors.Is(err, remote.ErrUntrustedKey), errors.Is(err, remote.ErrUnreadable):
		rf.reason, rf.msg = reasonUntrustedKey, "the signing key is not confirmed by the actor that owns it"
	case errors.Is(err, httpsig.ErrKeyUnavailable):
		rf.reason, rf.msg = reasonKeyGone, "the signing key cannot be fetched"
	case errors.Is(err, httpsig.ErrUnsigned):
		rf.reason, rf.msg = reasonUnsigned, "the request is not signed"
	case errors.Is(err, httpsig.ErrDigestMismatch):
		rf.reason, rf.msg = reasonDigestMismatch, "the Digest header does not match the body"
	case errors.Is(err, httpsig.ErrDateSkew):
		rf.reason, rf.msg = reasonDateSkew, "the Date header is outside the accepted window"
	case errors.Is(err, httpsig.ErrMissingSignedHeader), errors.Is(err, httpsig.ErrMalformedSignature), errors.Is(err, httpsig.ErrUnsupportedAlgorithm):
		rf.reason, rf.msg = reasonSignatureFormat, stripDetail(err)
	}
	return rf
}

// stripDetail keeps the first part of a signature error: what was wrong
// with the request, which is the sender's own business.
func stripDetail(err error) string {
	msg, _, _ := strings.Cut(err.Error(), ": resolve")
	return msg
}
