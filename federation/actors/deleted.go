package actors

import (
	"context"
	"errors"

	"github.com/wikipub/wikipub/federation/handle"
	"github.com/wikipub/wikipub/wiki"
)

// DeletedPage describes the actor of a page the wiki has just deleted,
// from the deletion's own row, since the wiki no longer knows the page, so
// that its followers can be told. It is nil for a page that never had an
// actor: nobody can follow it.
func (r *Resolver) DeletedPage(ctx context.Context, c *wiki.Change) (*Actor, error) {
	ref := Ref{Kind: KindPage, ID: c.PageID}
	known, err := r.known(ctx, ref)
	if err != nil || !known {
		return nil, err
	}
	if err := r.rememberTitle(ctx, ref, c.Title); err != nil {
		return nil, err
	}
	a, err := r.deletedPageActor(ctx, ref)
	if errors.Is(err, ErrNoActor) {
		return nil, nil // the deletion was hidden since: nothing to say
	}
	return a, err
}

// deletedPageActor is the actor of a page that had one and that the wiki
// no longer has, from its last known title; nil when there is none. When
// the wiki does not show the public that the page was deleted (it was
// suppressed, or the deletion's log entry hidden), the title is the wiki's
// secret: ErrNoActor, as for a page that never was.
func (r *Resolver) deletedPageActor(ctx context.Context, ref Ref) (*Actor, error) {
	title, ok, err := r.LastTitle(ctx, ref)
	if err != nil || !ok {
		return nil, err
	}
	shown, err := r.wiki.PageDeletionShown(ctx, ref.ID, title)
	if err != nil {
		return nil, err
	}
	if !shown {
		return nil, ErrNoActor
	}
	site := r.wiki.Site()
	ns, _ := site.SplitTitle(title)
	h, err := r.claim(ctx, handle.ForPage(site, title), handle.PageFallback(ref.ID), ref)
	if err != nil {
		return nil, err
	}
	return &Actor{Ref: ref, Handle: h, Name: title, URL: site.PageURL(title), Namespace: ns.ID, Deleted: true}, nil
}
