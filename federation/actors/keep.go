package actors

import (
	"context"
	"errors"

	"github.com/wikipub/wikipub/federation/store"
)

// Only actors someone follows are kept in the store: their handle
// claimed, their last title remembered (so a deleted page stays
// followable), and a mark that they are known. Any other actor is worked
// out from the wiki each time and leaves nothing behind, so a crawler of
// never-seen actors cannot fill the store (its key comes from the pool,
// keypool.go). What an unkept actor gives up: its natural handle is not
// reserved (a page that later takes the same handle and is followed gets
// it, and the first falls back to page.ID), a handle that cannot be
// turned back into a title (zurich, c_plus_plus) is found through
// WebFinger only for CacheTTL after the actor was last served by this
// process, and after the page is deleted it answers 404, not 410.

// knownKey names the mark of a kept actor among the store's named values.
func knownKey(ref Ref) string { return "known:" + ref.String() }

// known reports whether an actor is kept: marked when first followed,
// with followers now, or with a key of its own from before key pools.
func (r *Resolver) known(ctx context.Context, ref Ref) (bool, error) {
	_, err := r.handles.Cursor(ctx, knownKey(ref))
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	if r.followers != nil {
		n, err := r.followers.CountFollowers(ctx, r.iris.Actor(ref))
		if err != nil || n > 0 {
			return n > 0, err
		}
	}
	return r.keys.hasOwnKey(ctx, r.iris.Actor(ref))
}

// Keep makes an actor permanent, as the first follow does: marked known,
// its handle claimed and its title remembered. Idempotent.
func (r *Resolver) Keep(ctx context.Context, a *Actor) error {
	known, err := r.known(ctx, a.Ref)
	if err != nil {
		return err
	}
	if !known {
		if err := r.handles.SetCursor(ctx, knownKey(a.Ref), []byte("1")); err != nil {
			return err
		}
	}
	r.Forget(a.Ref) // resolved again as a kept actor: handle claimed, title remembered
	_, err = r.ByRef(ctx, a.Ref)
	return err
}

// handleFor is the actor's handle: its natural one unless another actor
// holds that, then the fallback. Only a kept actor claims it; any other
// only reads who holds it, and is remembered by handle for the cache's
// lifetime, so that a WebFinger right after its document was served finds
// it.
func (r *Resolver) handleFor(ctx context.Context, natural, fallback string, ref Ref, kept bool) (string, error) {
	if kept {
		return r.claim(ctx, natural, fallback, ref)
	}
	if natural == "" {
		return fallback, nil
	}
	owner, err := r.handles.HandleOwner(ctx, natural)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && owner == ref.String()):
		r.byName.Put(natural, ref)
		return natural, nil
	case err != nil:
		return "", err
	}
	return fallback, nil
}
