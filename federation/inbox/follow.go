package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
)

// onFollow accepts a follow of one of our actors: the follower is stored,
// and an Accept embedding the Follow verbatim is queued to the follower's
// personal inbox, signed as the followed actor (GoToSocial requires
// Accept.id and actor == signer). A follow of anything that cannot be an
// actor is rejected, signed by the instance actor.
// See docs/interop.md, "Follow, Accept and Undo".
func (h *Handler) onFollow(ctx context.Context, act *inbound) error {
	follower, err := h.remote.Actor(ctx, act.signer, false)
	if err != nil {
		return fmt.Errorf("fetching follower %s: %w", act.signer, err)
	}
	if rf := h.checkInboxes(ctx, follower); rf != nil {
		return rf
	}
	if h.blocks.Blocked(ctx, act.signer) {
		h.log.InfoContext(ctx, "follow rejected: blocked", "follower", act.signer)
		return h.queueReply(ctx, "Reject", actors.Ref{Kind: actors.KindInstance}, act, follower)
	}
	ref, ok := h.iris.ParseActor(act.ObjectID())
	var a *actors.Actor
	if ok && ref.Kind != actors.KindInstance {
		a, err = h.resolver.Follow(ctx, ref)
	}
	if !ok || ref.Kind == actors.KindInstance || errors.Is(err, actors.ErrNoActor) || errors.Is(err, actors.ErrGone) {
		h.log.InfoContext(ctx, "follow rejected: not an actor", "object", act.ObjectID(), "follower", act.signer)
		return h.queueReply(ctx, "Reject", actors.Ref{Kind: actors.KindInstance}, act, follower)
	}
	if err != nil {
		return err
	}
	if err := h.resolver.Keep(ctx, a); err != nil {
		return fmt.Errorf("keeping %s: %w", h.iris.Actor(a.Ref), err)
	}
	actorID := h.iris.Actor(a.Ref)
	added, err := h.store.AddFollower(ctx, actorID, store.Follower{
		ID: follower.ID, Inbox: follower.Inbox, SharedInbox: follower.SharedInbox,
		FollowID: act.ID, Since: time.Now().UTC(),
	})
	if err != nil {
		return fmt.Errorf("adding follower %s of %s: %w", follower.ID, actorID, err)
	}
	h.log.InfoContext(ctx, "follow accepted", "actor", actorID, "handle", a.Handle, "follower", follower.ID, "new", added)
	return h.queueReply(ctx, "Accept", a.Ref, act, follower)
}

// checkInboxes refuses a follower whose inboxes wikipub would never be
// able to deliver to: on an internal address (the delivery guard would
// refuse every try, for days), or not an http(s) URL.
func (h *Handler) checkInboxes(ctx context.Context, f *activity.RemoteActor) *refusal {
	for _, inbox := range []string{f.Inbox, f.SharedInbox} {
		if inbox == "" {
			continue
		}
		err := remote.CheckURLAddress(ctx, inbox, h.cfg.AllowPrivate)
		switch {
		case errors.Is(err, remote.ErrForbiddenAddress):
			return &refusal{status: http.StatusBadRequest, reason: reasonInternalInbox, msg: "the follower's inbox is on an internal address"}
		case err != nil || remote.Origin(inbox) == "":
			return &refusal{status: http.StatusBadRequest, reason: reasonUnusableActor, msg: "the follower's inbox is not an http(s) URL"}
		}
	}
	return nil
}

// queueReply queues an Accept or Reject of act, from ours, to the
// follower's personal inbox. Its id is derived from the Follow's, so a
// replay queues the same delivery, not a second one. The Follow is
// embedded as id, type, actor and object only (all GoToSocial and
// Mastodon match on), so what a remote sent costs at most a few KB in the
// queue however large its Follow was.
func (h *Handler) queueReply(ctx context.Context, typ string, from actors.Ref, act *inbound, to *activity.RemoteActor) error {
	fromID := h.iris.Actor(from)
	sum := sha256.Sum256([]byte(typ + "\x00" + act.ID + "\x00" + fromID))
	tag := hex.EncodeToString(sum[:12])
	follow := activity.FollowRef{ID: act.ID, Type: act.Type, Actor: act.Actor, Object: act.ObjectID()}
	body, err := activity.Marshal(activity.Answer(typ, fromID+"#"+lower(typ)+"s/"+tag, fromID, follow, to.ID))
	if err != nil {
		return err
	}
	if _, err := h.keys.Get(ctx, fromID); err != nil {
		return err
	}
	return h.queue.Enqueue(ctx, store.Delivery{
		ID: typ + ":" + tag, Inbox: to.Inbox, Signer: fromID, Body: body,
	})
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// onUndo takes back a follow, a like or a boost. The undone activity may
// be embedded or given by id.
func (h *Handler) onUndo(ctx context.Context, act *inbound) error {
	if in := act.Inner; in != nil {
		switch in.Type {
		case "Like", "Announce":
			return h.undoInteraction(ctx, in.ID, act.signer)
		case "Follow":
			ref, ok := h.iris.ParseActor(in.Object)
			if !ok {
				return nil
			}
			if a, err := h.resolver.Follow(ctx, ref); err == nil {
				ref = a.Ref
			}
			return h.unfollow(ctx, h.iris.Actor(ref), act.signer)
		}
		return nil
	}
	undone := act.ObjectID()
	if err := h.undoInteraction(ctx, undone, act.signer); err != nil {
		return err
	}
	follows, err := h.store.Follows(ctx, act.signer)
	if err != nil {
		return err
	}
	for actorID, f := range follows {
		if f.FollowID == undone {
			return h.unfollow(ctx, actorID, act.signer)
		}
	}
	return nil
}

func (h *Handler) unfollow(ctx context.Context, actorID, follower string) error {
	removed, err := h.store.RemoveFollower(ctx, actorID, follower)
	if err != nil {
		return fmt.Errorf("removing follower %s of %s: %w", follower, actorID, err)
	}
	h.log.InfoContext(ctx, "unfollowed", "actor", actorID, "follower", follower, "was_following", removed)
	return nil
}

// onDelete forgets a remote actor that deleted itself, or a remote note.
func (h *Handler) onDelete(ctx context.Context, act *inbound) error {
	if act.ObjectID() != act.signer {
		return h.forgetNote(ctx, act.ObjectID(), act.signer)
	}
	n, err := h.store.RemoveFollowerEverywhere(ctx, act.signer)
	if err != nil {
		return err
	}
	h.log.InfoContext(ctx, "remote actor deleted", "actor", act.signer, "follows_removed", n)
	return nil
}

// InboxGone forgets the followers behind an inbox that answered 410: the
// remote actor (or, for a shared inbox, the server) is gone.
func (h *Handler) InboxGone(ctx context.Context, inbox string) {
	n, err := h.store.RemoveFollowersByInbox(ctx, inbox)
	if err != nil {
		h.log.WarnContext(ctx, "forgetting the followers of a gone inbox failed", "inbox", inbox, "err", err)
		return
	}
	h.log.InfoContext(ctx, "inbox gone: followers removed", "inbox", inbox, "follows_removed", n)
}
