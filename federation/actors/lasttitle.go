package actors

import (
	"context"
	"errors"

	"github.com/wikipub/wikipub/federation/store"
)

// A page's actor outlives the page: deleted pages are often restored or
// recreated, and Mastodon deletes an account (and its follows) when its
// actor answers 410. The wiki no longer names a deleted page, so the store
// keeps the last title seen for each page actor, as a named value.
func titleKey(ref Ref) string { return "title:" + ref.String() }

// rememberTitle records a page actor's current title, writing only when it
// changed, so that a hot actor costs a read, not a write.
func (r *Resolver) rememberTitle(ctx context.Context, ref Ref, title string) error {
	old, err := r.titles.Cursor(ctx, titleKey(ref))
	if err == nil && string(old) == title {
		return nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return r.titles.SetCursor(ctx, titleKey(ref), []byte(title))
}

// LastTitle is the last title seen for a page actor: the one name of a
// page the wiki no longer has, which the sweep asks the wiki about.
func (r *Resolver) LastTitle(ctx context.Context, ref Ref) (string, bool, error) {
	b, err := r.titles.Cursor(ctx, titleKey(ref))
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return string(b), len(b) > 0, nil
}
