package actors

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/wikipub/wikipub/federation/handle"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// ByPageURL finds the actor of a wiki page URL (WebFinger resource, or a
// URL pasted into a Fediverse search box).
func (r *Resolver) ByPageURL(ctx context.Context, u string) (*Actor, error) {
	title, ok := titleFromURL(r.wiki.Site(), u)
	if !ok {
		return nil, ErrNoActor
	}
	site := r.wiki.Site()
	if r.isWikiTitle(site, title) {
		return r.ByRef(ctx, Ref{Kind: KindWiki})
	}
	if ns, rest := site.SplitTitle(title); ns.ID == 2 && !strings.Contains(rest, "/") {
		users, err := r.wiki.UsersByName(ctx, []string{rest})
		if err != nil {
			return nil, err
		}
		for _, us := range users {
			return r.ByRef(ctx, Ref{Kind: KindUser, ID: us.ID})
		}
		return nil, ErrNoActor
	}
	pages, err := r.wiki.PagesByTitle(ctx, []string{title})
	if err != nil {
		return nil, err
	}
	p, ok := pages[title]
	if !ok {
		return r.deletedOrMissing(ctx, title)
	}
	return r.Follow(ctx, Ref{Kind: KindPage, ID: p.ID})
}

// isWikiTitle recognises the pages that stand for the whole wiki, the
// main page and Special:RecentChanges, when the wiki has its own account.
func (r *Resolver) isWikiTitle(site *wiki.SiteInfo, title string) bool {
	if r.wikiHandle == "" {
		return false
	}
	if site.MainPage != "" && title == site.MainPage {
		return true
	}
	ns, rest := site.SplitTitle(title)
	return ns != nil && ns.ID == -1 && strings.EqualFold(strings.ReplaceAll(rest, " ", ""), "RecentChanges")
}

// deletedOrMissing finds, for a title the wiki does not have, the actor of
// a deleted page that had one (through its claimed handle), which stays
// followable (or is gone: 410); a title that never had an actor is 404.
func (r *Resolver) deletedOrMissing(ctx context.Context, title string) (*Actor, error) {
	h := handle.ForPage(r.wiki.Site(), title)
	if h == "" {
		return nil, ErrNoActor
	}
	owner, err := r.handles.HandleOwner(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoActor
	}
	if err != nil {
		return nil, err
	}
	ref, ok := ParseRef(owner)
	if !ok {
		return nil, ErrNoActor
	}
	a, err := r.ByRef(ctx, ref)
	switch {
	case err != nil:
		return nil, err
	case a.Deleted:
		return a, nil
	}
	return nil, ErrNoActor // the handle's page exists under another title now
}

// titleFromURL reads a page title from a URL of the wiki: the article path
// (/wiki/Title) or index.php?title=Title. The scheme may differ from the
// wiki's own (a proxy may terminate TLS), the host may not.
func titleFromURL(site *wiki.SiteInfo, raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", false
	}
	server, err := url.Parse(site.Server)
	if err != nil || !strings.EqualFold(server.Host, u.Host) {
		return "", false
	}
	var title string
	prefix, suffix, _ := strings.Cut(site.ArticlePath, "$1")
	switch {
	case u.Query().Get("title") != "" && u.Path == site.Script:
		title = u.Query().Get("title")
	case strings.HasPrefix(u.EscapedPath(), prefix) && strings.HasSuffix(u.EscapedPath(), suffix) && len(u.EscapedPath()) > len(prefix)+len(suffix):
		esc := strings.TrimSuffix(strings.TrimPrefix(u.EscapedPath(), prefix), suffix)
		t, err := url.PathUnescape(esc)
		if err != nil {
			return "", false
		}
		title = t
	default:
		return "", false
	}
	title = strings.TrimSpace(strings.ReplaceAll(title, "_", " "))
	return title, title != ""
}
