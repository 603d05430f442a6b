package publish

import (
	"context"
	"errors"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"

	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// pageHidden reports whether a page the wiki no longer has went out of the
// public's sight: the wiki does not show that it was deleted under the
// last title we know (it was deleted with suppression, or the deletion's
// log entry was hidden since), and it is still missing after the log was
// read. calls counts the wiki calls made. A page
// already found hidden, or whose title we never kept, is not hidden again.
func (p *Publisher) pageHidden(ctx context.Context, id int64) (hidden bool, calls int, err error) {
	ref := actors.Ref{Kind: actors.KindPage, ID: id}
	if was, err := p.resolver.IsHidden(ctx, ref); err != nil || was {
		return false, 0, err
	}
	title, ok, err := p.resolver.LastTitle(ctx, ref)
	if err != nil || !ok {
		return false, 0, err
	}
	shown, err := p.wiki.PageDeletionShown(ctx, id, title)
	if err != nil || shown {
		return false, 1, err
	}
	// The log may be newer than the look-up that missed the page: one
	// restored in between is there now, and must not be withdrawn.
	_, err = p.wiki.PageByID(ctx, id)
	if err == nil {
		return false, 2, nil
	}
	if !errors.Is(err, wiki.ErrNotFound) {
		return false, 2, err
	}
	return true, 2, nil
}

// withdrawPage withdraws a page the wiki now hides: every post of it, its
// actor from its followers' servers, and its title from our store and
// endpoints (which answer 404 from now on). n is the posts withdrawn.
func (p *Publisher) withdrawPage(ctx context.Context, id int64) (n int, err error) {
	posts, err := p.store.PublishedByPage(ctx, id)
	if err != nil {
		return 0, err
	}
	for _, post := range posts {
		if post.Withdrawn {
			continue
		}
		if err := p.withdraw(ctx, post); err != nil {
			return n, err
		}
		n++
	}
	ref := actors.Ref{Kind: actors.KindPage, ID: id}
	if _, err := p.withdrawActor(ctx, ref); err != nil {
		return n, err
	}
	return n, p.resolver.SetHidden(ctx, ref, true)
}

// withdrawActor sends a Delete of one of our actors, signed by it, to every
// server that follows it, and removes the follows: the servers drop the
// account (its name and handle may be what the wiki hides) and we send it
// nothing more. withdrew is false when it had no followers.
func (p *Publisher) withdrawActor(ctx context.Context, ref actors.Ref) (withdrew bool, err error) {
	actorID := p.iris.Actor(ref)
	p.resolver.Forget(ref)
	p.docs.Drop(ref)
	var followers []store.Follower
	after := ""
	for {
		page, err := p.store.Followers(ctx, actorID, after, 1000)
		if err != nil {
			return false, err
		}
		followers = append(followers, page...)
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(followers) == 0 {
		return false, nil
	}
	id := actorID + "#delete"
	body, err := activity.Marshal(activity.DeleteActor(id, actorID, []string{activity.Public}))
	if err != nil {
		return false, err
	}
	seen := map[string]bool{}
	var ds []store.Delivery
	for _, f := range followers {
		inbox := f.SharedInbox
		if inbox == "" {
			inbox = f.Inbox
		}
		if !seen[inbox] {
			seen[inbox] = true
			ds = append(ds, delivery.New(id, actorID, inbox, body))
		}
	}
	if err := p.queue.Enqueue(ctx, ds...); err != nil {
		return false, err
	}
	for _, f := range followers {
		if _, err := p.store.RemoveFollower(ctx, actorID, f.ID); err != nil {
			return false, err
		}
	}
	p.log.InfoContext(ctx, "withdrew an actor the wiki now hides", "actor", actorID, "followers", len(followers), "deliveries", len(ds))
	return true, nil
}

// logEntriesHidden acts on the wiki's trace of hidden log entries (the
// delete/event row a log deletion leaves in recent changes, unless it was
// suppressed): each post about one of them that now hides more than it
// did is withdrawn at once, and a page whose deletion's log entry lost its
// title is withdrawn as the sweep would.
func (p *Publisher) logEntriesHidden(ctx context.Context, rd *wiki.RevisionDelete) error {
	for _, id := range rd.IDs {
		post, withdrawn, err := p.withdrawIfHidden(ctx, p.iris.LogPost(id), rd.New)
		if err != nil {
			return err
		}
		if !withdrawn {
			continue
		}
		if post.PageID == 0 || !rd.New.Has(wiki.HiddenContent) {
			continue
		}
		if _, err := p.wiki.PageByID(ctx, post.PageID); !errors.Is(err, wiki.ErrNotFound) {
			if err != nil {
				return err
			}
			continue // the page is there: its title is the wiki's own
		}
		hidden, _, err := p.pageHidden(ctx, post.PageID)
		if err != nil {
			return err
		}
		if !hidden {
			continue // the deletion is shown: only the entry's post goes
		}
		if _, err := p.withdrawPage(ctx, post.PageID); err != nil {
			return err
		}
	}
	return nil
}

// withdrawIfHidden withdraws the post with that id when the wiki now hides
// more of what it is about than when it went out (hidden); showing parts
// again brings nothing back. A post never published is no error.
func (p *Publisher) withdrawIfHidden(ctx context.Context, objectID string, hidden wiki.Visibility) (store.Published, bool, error) {
	post, err := p.store.PublishedPost(ctx, objectID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Published{}, false, nil
	}
	if err != nil {
		return store.Published{}, false, err
	}
	if hidden&^wiki.Visibility(post.Hidden) == 0 {
		return post, false, nil
	}
	return post, true, p.withdraw(ctx, post)
}
