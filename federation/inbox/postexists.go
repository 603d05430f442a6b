package inbox

import (
	"context"
	"errors"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// postExists reports whether id is one of our posts that is there to be
// answered, liked or boosted: a revision the wiki has (its post is built
// on demand, so anyone may have fetched it), or a log or recent-changes
// post we published. A reply to anything else is not kept: a remote
// could otherwise make us store replies to millions of posts that never
// were. Answers are cached for a minute, misses too.
func (h *Handler) postExists(ctx context.Context, id string) (bool, error) {
	if known, ok := h.posts.Get(id); ok {
		return known, nil
	}
	found, err := h.lookUpPost(ctx, id)
	if err != nil {
		return false, err
	}
	h.posts.Put(id, found)
	return found, nil
}

func (h *Handler) lookUpPost(ctx context.Context, id string) (bool, error) {
	if !h.ourPost(id) {
		return false, nil
	}
	_, err := h.store.PublishedPost(ctx, id)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	n, ok := h.iris.RevisionOf(id)
	if !ok {
		return false, nil // log and recent-changes posts exist only as records
	}
	revs, err := h.wiki.Revisions(ctx, []int64{n})
	if errors.Is(err, wiki.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, found := revs[n]
	return found, nil
}
