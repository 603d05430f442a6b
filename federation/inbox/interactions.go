package inbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
)

// maxMentionsKept bounds what one note can make us store, and
// maxMentionLookups what it can make us look up: every Mention of one of
// our editors counts, found or not (misses are cached, as found editors
// are), so 1,000 mentions cost at most 10 look-ups.
const (
	maxMentionsKept   = 5
	maxMentionLookups = 10
)

// maxStoredContent bounds the HTML kept of one reply or mention; the
// talk page gets at most talk.Config.MaxRunes of its text anyway.
const maxStoredContent = 64 << 10

// ours reports whether an id is one of our posts.
func (h *Handler) ourPost(id string) bool {
	return h.iris.IsPost(id)
}

// onCreate stores a reply to one of our posts, or a Note that mentions one
// of our actors; both may be written to a talk page later.
func (h *Handler) onCreate(ctx context.Context, act *inbound) error {
	n := act.Note
	if n == nil {
		return nil // an object given by id only is not fetched: nothing of ours is in it
	}
	if rf := h.trust.createdObject(act.signer, n); rf != nil {
		return rf
	}
	if h.blocks.Blocked(ctx, act.signer) {
		return &refusal{status: http.StatusAccepted, reason: reasonBlocked, msg: "blocked: ignored"}
	}
	who, err := h.remote.Actor(ctx, act.signer, false)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", act.signer, err)
	}
	base := store.Interaction{
		Actor: act.signer, ActorName: who.DisplayName(), ActorHandle: who.Handle(),
		Content: cutUTF8(n.Content, maxStoredContent), URL: n.URL, Published: n.Published,
	}
	if base.URL == "" {
		base.URL = n.ID
	}
	if base.Published.IsZero() {
		base.Published = time.Now().UTC()
	}
	var stored []store.Interaction
	noSuchPost := false
	if parent := n.InReplyTo; h.ourPost(parent) {
		exists, err := h.postExists(ctx, parent)
		if err != nil {
			return err
		}
		if exists {
			i := base
			i.ID, i.Kind, i.Object = n.ID, "reply", parent
			i.TalkPage = h.talk.ReplyTalkPage(ctx, parent)
			stored = append(stored, i)
		}
		noSuchPost = !exists
	}
	kept, looked := 0, 0
	for _, href := range n.Mentions {
		if kept >= maxMentionsKept || looked >= maxMentionLookups {
			break
		}
		ref, ok := h.iris.ParseActor(href)
		if !ok || ref.Kind != actors.KindUser {
			continue
		}
		looked++
		a, err := h.mentioned(ctx, ref)
		if err != nil {
			continue
		}
		talk := h.talk.UserTalkPage(a.Name)
		dup := false
		for _, x := range stored {
			dup = dup || x.TalkPage == talk // a reply to this editor that also names them: one section
		}
		if dup {
			continue
		}
		kept++
		i := base
		i.ID, i.Kind, i.Object = fmt.Sprintf("%s#mention-%d", n.ID, kept), "mention", h.iris.Actor(ref)
		i.TalkPage = talk
		stored = append(stored, i)
	}
	if len(stored) == 0 && noSuchPost {
		return &refusal{status: http.StatusAccepted, reason: reasonNoSuchPost, msg: "a reply to a post that does not exist: not kept"}
	}
	for _, i := range stored {
		if err := h.mayStore(ctx, i.ID, act.signer, i.Kind); err != nil {
			return err
		}
	}
	for _, i := range stored {
		i = h.talk.Schedule(ctx, i)
		if _, err := h.store.AddInteraction(ctx, i); err != nil {
			return err
		}
		h.log.InfoContext(ctx, "interaction stored", "kind", i.Kind, "id", clip(i.ID), "object", i.Object, "talk_page", i.TalkPage, "talk_state", i.TalkState)
	}
	return nil
}

// mentioned resolves a mentioned editor, remembering for a while the
// ones that are not there.
func (h *Handler) mentioned(ctx context.Context, ref actors.Ref) (*actors.Actor, error) {
	if _, missing := h.mentionMisses.Get(ref); missing {
		return nil, actors.ErrNoActor
	}
	a, err := h.resolver.ByRef(ctx, ref)
	if errors.Is(err, actors.ErrNoActor) || errors.Is(err, actors.ErrGone) {
		h.mentionMisses.Put(ref, struct{}{})
	}
	return a, err
}

// cutUTF8 keeps at most n bytes of s, not splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// mayStore asks the trust rules whether signer may keep a record of kind
// under id, given what is stored under it now.
func (h *Handler) mayStore(ctx context.Context, id, signer, kind string) error {
	existing, err := h.store.GetInteraction(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if rf := h.trust.mayTake(&existing, signer, kind); rf != nil {
		return rf
	}
	return nil
}

// onUpdate replaces the text of a reply or mention we keep.
func (h *Handler) onUpdate(ctx context.Context, act *inbound) error {
	n := act.Note
	if n == nil {
		return nil
	}
	if rf := h.trust.createdObject(act.signer, n); rf != nil {
		return rf
	}
	for _, id := range noteInteractionIDs(n.ID) {
		i, err := h.store.GetInteraction(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if i.Actor != act.signer {
			continue
		}
		i.Content = cutUTF8(n.Content, maxStoredContent)
		if _, err := h.store.AddInteraction(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// forgetNote removes what we keep of a deleted remote note.
func (h *Handler) forgetNote(ctx context.Context, noteID, signer string) error {
	for _, id := range noteInteractionIDs(noteID) {
		i, err := h.store.GetInteraction(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if i.Actor == signer {
			if err := h.store.RemoveInteraction(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func noteInteractionIDs(noteID string) []string {
	ids := []string{noteID}
	for k := 1; k <= maxMentionsKept; k++ {
		ids = append(ids, fmt.Sprintf("%s#mention-%d", noteID, k))
	}
	return ids
}

// onLikeOrShare counts a Like or an Announce of one of our posts.
func (h *Handler) onLikeOrShare(ctx context.Context, act *inbound, kind string) error {
	obj := act.ObjectID()
	if !h.ourPost(obj) {
		return nil
	}
	if h.blocks.Blocked(ctx, act.signer) {
		return &refusal{status: http.StatusAccepted, reason: reasonBlocked, msg: "blocked: ignored"}
	}
	exists, err := h.postExists(ctx, obj)
	if err != nil {
		return err
	}
	if !exists {
		return &refusal{status: http.StatusAccepted, reason: reasonNoSuchPost, msg: "a post that does not exist: not counted"}
	}
	if err := h.mayStore(ctx, act.ID, act.signer, kind); err != nil {
		return err
	}
	_, err = h.store.AddInteraction(ctx, store.Interaction{
		ID: act.ID, Kind: kind, Object: obj, Actor: act.signer, Published: time.Now().UTC(),
	})
	return err
}

// undoInteraction removes a like or a boost of signer's.
func (h *Handler) undoInteraction(ctx context.Context, id, signer string) error {
	i, err := h.store.GetInteraction(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if i.Actor != signer || (i.Kind != "like" && i.Kind != "share") {
		return nil
	}
	return h.store.RemoveInteraction(ctx, id)
}

// maxReportObjects bounds the ids of one report written to the wiki.
const maxReportObjects = 20

// onFlag logs a report, and hands it to the talk writer to append to the
// admins' page when one is configured: at most Limits.ReportsPerHost an
// hour from one server and Limits.ReportsPerHour from all, each with at
// most maxReportObjects ids and talk.Config.MaxRunes of text; a blocked
// server's reports are dropped.
func (h *Handler) onFlag(ctx context.Context, act *inbound) error {
	if h.blocks.Blocked(ctx, act.signer) {
		return &refusal{status: http.StatusAccepted, reason: reasonBlocked, msg: "blocked: ignored"}
	}
	for _, b := range []struct {
		limit *buckets
		key   string
	}{{h.reportsPerHost, remote.Origin(act.signer)}, {h.reportsAll, ""}} {
		if ok, wait := b.limit.take(b.key); !ok {
			return &refusal{status: http.StatusTooManyRequests, reason: reasonRateLimited, msg: "too many reports; retry later", retryAfter: retrySeconds(wait)}
		}
	}
	objects := act.Objects
	if len(objects) > maxReportObjects {
		objects = objects[:maxReportObjects]
	}
	list := strings.Join(objects, " ")
	h.log.WarnContext(ctx, "report received", "id", clip(act.ID), "from", clip(act.signer), "object", clip(list), "content", clip(act.Content))
	return h.talk.Report(ctx, act.ID, act.signer, cutUTF8(act.Content, maxStoredContent), list)
}

// retrySeconds is a wait as a Retry-After value: whole seconds, at least 1.
func retrySeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}
