package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/store"
)

// remoteNote is the part of a remote Note we keep or act on.
type remoteNote struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	AttributedTo json.RawMessage `json:"attributedTo"`
	InReplyTo    json.RawMessage `json:"inReplyTo"`
	Content      string          `json:"content"`
	URL          json.RawMessage `json:"url"`
	Published    time.Time       `json:"published"`
	Tag          []struct {
		Type string `json:"type"`
		Href string `json:"href"`
	} `json:"tag"`
}

// maxMentionsKept bounds what one note can make us store.
const maxMentionsKept = 5

// ours reports whether an id is one of our posts.
func (s *Server) ourPost(id string) bool {
	for _, p := range []string{"/ap/rev/", "/ap/log/", "/ap/rc/"} {
		if strings.HasPrefix(id, s.iris.Base+p) {
			return true
		}
	}
	return false
}

// onCreate stores a reply to one of our posts, or a Note that mentions one
// of our actors; both may be written to a talk page later.
func (s *Server) onCreate(ctx context.Context, act *activity) error {
	var n remoteNote
	if err := json.Unmarshal(act.Object, &n); err != nil || n.ID == "" {
		return nil // an object given by id only is not fetched: nothing of ours is in it
	}
	if n.Type != "Note" && n.Type != "Article" && n.Type != "Question" {
		return nil
	}
	if by := idOf(n.AttributedTo); by != "" && by != act.signer {
		return nil // someone else's note relayed: not trusted
	}
	if s.blocks.Blocked(ctx, act.signer) {
		s.log.InfoContext(ctx, "dropped a note from a blocked actor", "actor", act.signer)
		return nil
	}
	who, err := s.remote.Actor(ctx, act.signer, false)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", act.signer, err)
	}
	base := store.Interaction{
		Actor: act.signer, ActorName: who.DisplayName(), ActorHandle: who.Handle(),
		Content: n.Content, URL: firstURL(n.URL, n.ID), Published: n.Published,
	}
	if base.Published.IsZero() {
		base.Published = time.Now().UTC()
	}
	var stored []store.Interaction
	if parent := idOf(n.InReplyTo); s.ourPost(parent) {
		i := base
		i.ID, i.Kind, i.Object = n.ID, "reply", parent
		i.TalkPage = s.talk.replyTalkPage(ctx, parent)
		stored = append(stored, i)
	}
	kept := 0
	for _, t := range n.Tag {
		if t.Type != "Mention" || kept >= maxMentionsKept {
			continue
		}
		ref, ok := s.iris.ParseActor(t.Href)
		if !ok || ref.Kind != KindUser {
			continue
		}
		a, err := s.resolver.ByRef(ctx, ref)
		if err != nil {
			continue
		}
		talk := s.talk.userTalkPage(a.Name)
		dup := false
		for _, x := range stored {
			dup = dup || x.TalkPage == talk // a reply to this editor that also names them: one section
		}
		if dup {
			continue
		}
		kept++
		i := base
		i.ID, i.Kind, i.Object = fmt.Sprintf("%s#mention-%d", n.ID, kept), "mention", s.iris.Actor(ref)
		i.TalkPage = talk
		stored = append(stored, i)
	}
	for _, i := range stored {
		i = s.talk.schedule(ctx, i)
		if _, err := s.store.AddInteraction(ctx, i); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "interaction stored", "kind", i.Kind, "id", i.ID, "object", i.Object, "talk_page", i.TalkPage, "talk_state", i.TalkState)
	}
	return nil
}

// onUpdate replaces the text of a reply or mention we keep.
func (s *Server) onUpdate(ctx context.Context, act *activity) error {
	var n remoteNote
	if err := json.Unmarshal(act.Object, &n); err != nil || n.ID == "" {
		return nil
	}
	for _, id := range noteInteractionIDs(n.ID) {
		i, err := s.store.GetInteraction(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if i.Actor != act.signer {
			continue
		}
		i.Content = n.Content
		if _, err := s.store.AddInteraction(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// forgetNote removes what we keep of a deleted remote note.
func (s *Server) forgetNote(ctx context.Context, noteID, signer string) error {
	for _, id := range noteInteractionIDs(noteID) {
		i, err := s.store.GetInteraction(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if i.Actor == signer {
			if err := s.store.RemoveInteraction(ctx, id); err != nil {
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
func (s *Server) onLikeOrShare(ctx context.Context, act *activity, kind string) error {
	obj := act.objectID()
	if !s.ourPost(obj) || s.blocks.Blocked(ctx, act.signer) {
		return nil
	}
	_, err := s.store.AddInteraction(ctx, store.Interaction{
		ID: act.ID, Kind: kind, Object: obj, Actor: act.signer, Published: time.Now().UTC(),
	})
	return err
}

// onUndoInteraction removes a like or a boost; the Undo names it by id or
// embeds it.
func (s *Server) onUndoInteraction(ctx context.Context, act *activity) error {
	id := act.objectID()
	i, err := s.store.GetInteraction(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if i.Actor != act.signer || (i.Kind != "like" && i.Kind != "share") {
		return nil
	}
	return s.store.RemoveInteraction(ctx, id)
}

// onFlag logs a report, and hands it to the talk writer to append to the
// admins' page when one is configured.
func (s *Server) onFlag(ctx context.Context, act *activity) error {
	var f struct {
		Content string          `json:"content"`
		Object  json.RawMessage `json:"object"`
	}
	_ = json.Unmarshal(act.raw, &f)
	s.log.WarnContext(ctx, "report received", "id", act.ID, "from", act.signer, "object", string(f.Object), "content", f.Content)
	return s.talk.report(ctx, act.ID, act.signer, f.Content, string(f.Object))
}

func firstURL(raw json.RawMessage, fallback string) string {
	if u := idOf(raw); strings.HasPrefix(u, "http") {
		return u
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		for _, x := range list {
			var l struct {
				Href string `json:"href"`
			}
			if json.Unmarshal(x, &l) == nil && strings.HasPrefix(l.Href, "http") {
				return l.Href
			}
			if u := idOf(x); strings.HasPrefix(u, "http") {
				return u
			}
		}
	}
	return fallback
}
