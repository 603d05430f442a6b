package actors

import (
	"context"
	"errors"

	"github.com/wikipub/wikipub/federation/store"
)

// An actor the wiki hides — a page deleted with suppression or whose
// deletion's log entry was hidden, an account hidden by a block — answers
// 404 everywhere, as if it never was (410 would tell that it existed), and
// the store forgets the page's last title. The mark is a named value in
// the store, so every replica answers alike and a restart changes nothing.
func hiddenKey(ref Ref) string { return "hidden:" + ref.String() }

// IsHidden reports whether the actor was found hidden by the wiki, so that
// the sweep withdraws it once.
func (r *Resolver) IsHidden(ctx context.Context, ref Ref) (bool, error) {
	b, err := r.titles.Cursor(ctx, hiddenKey(ref))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return string(b) == "1", err
}

// SetHidden marks the actor hidden (and forgets a page's title) or, when
// the wiki shows it again (a page restored), unmarks it: the sweep's
// verdict, which every endpoint then follows.
func (r *Resolver) SetHidden(ctx context.Context, ref Ref, hidden bool) error {
	if !hidden {
		was, err := r.IsHidden(ctx, ref)
		if err != nil || !was {
			return err
		}
		return r.titles.SetCursor(ctx, hiddenKey(ref), []byte{})
	}
	if err := r.titles.SetCursor(ctx, hiddenKey(ref), []byte("1")); err != nil {
		return err
	}
	if ref.Kind == KindPage {
		if err := r.titles.SetCursor(ctx, titleKey(ref), []byte{}); err != nil {
			return err
		}
	}
	r.Forget(ref)
	return nil
}
