package actors

import (
	"context"
	"errors"
	"fmt"

	"github.com/wikipub/wikipub/federation/handle"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// ByHandle finds an actor by handle, case-insensitively. Handles once given
// keep pointing at their actor (a moved page answers to its old handle too).
func (r *Resolver) ByHandle(ctx context.Context, h string) (*Actor, error) {
	h = handle.Canonical(h)
	if h == instanceHandle {
		return r.ByRef(ctx, Ref{Kind: KindInstance})
	}
	if r.wikiHandle != "" && h == r.wikiHandle {
		return r.ByRef(ctx, Ref{Kind: KindWiki})
	}
	if ref, ok := r.byName.Get(h); ok {
		return r.Follow(ctx, ref)
	}
	if _, missing := r.noName.Get(h); missing {
		return nil, ErrNoActor
	}
	ref, err := r.refByHandle(ctx, h)
	if errors.Is(err, ErrNoActor) {
		r.noName.Put(h, struct{}{})
	}
	if err != nil {
		return nil, err
	}
	r.byName.Put(h, ref)
	return r.Follow(ctx, ref)
}

// Follow resolves a ref through one redirect: an actor id of a page that
// became a redirect answers as its target.
func (r *Resolver) Follow(ctx context.Context, ref Ref) (*Actor, error) {
	a, err := r.ByRef(ctx, ref)
	var re *RedirectError
	if errors.As(err, &re) {
		return r.ByRef(ctx, re.Target)
	}
	return a, err
}

func (r *Resolver) refByHandle(ctx context.Context, h string) (Ref, error) {
	owner, err := r.handles.HandleOwner(ctx, h)
	switch {
	case err == nil:
		if ref, ok := ParseRef(owner); ok {
			return ref, nil
		}
		return Ref{}, fmt.Errorf("handle %s has a malformed owner %q", h, owner)
	case !errors.Is(err, store.ErrNotFound):
		return Ref{}, err
	}
	site := r.wiki.Site()
	hr := handle.Parse(site, h)
	switch hr.Kind {
	case handle.PageID:
		return Ref{Kind: KindPage, ID: hr.ID}, nil
	case handle.UserID:
		return Ref{Kind: KindUser, ID: hr.ID}, nil
	case handle.User:
		return r.userByCandidates(ctx, site, h)
	case handle.Page:
		return r.pageByCandidates(ctx, site, h)
	}
	return Ref{}, ErrNoActor
}

func (r *Resolver) pageByCandidates(ctx context.Context, site *wiki.SiteInfo, h string) (Ref, error) {
	cands := handle.Candidates(site, h)
	pages, err := r.wiki.PagesByTitle(ctx, cands)
	if err != nil {
		return Ref{}, err
	}
	// Most likely first; a redirect's title counts, resolving to its target.
	for _, c := range cands {
		if p, ok := pages[c]; ok && handle.ForPage(site, c) == h {
			return Ref{Kind: KindPage, ID: p.ID}, nil
		}
	}
	return Ref{}, ErrNoActor
}

func (r *Resolver) userByCandidates(ctx context.Context, site *wiki.SiteInfo, h string) (Ref, error) {
	var names []string
	for _, c := range handle.Candidates(site, h) {
		_, name := site.SplitTitle(c)
		names = append(names, name)
	}
	users, err := r.wiki.UsersByName(ctx, names)
	if err != nil {
		return Ref{}, err
	}
	for _, n := range names {
		if u, ok := users[n]; ok && handle.ForUser(u.Name) == h {
			return Ref{Kind: KindUser, ID: u.ID}, nil
		}
	}
	return Ref{}, ErrNoActor
}
