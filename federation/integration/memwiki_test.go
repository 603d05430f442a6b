package integration

import (
	"context"
	"fmt"

	"github.com/wikipub/wikipub/internal/fedwire"
	"github.com/wikipub/wikipub/wiki"
)

// memWiki is an in-memory wiki for tests that must reach no network: the
// look-ups actors need. The embedded (nil) reader stands for the rest: a
// test that reaches it panics, which names what it needed.
type memWiki struct {
	fedwire.Wiki
	site  *wiki.SiteInfo
	pages map[int64]wiki.Page
	users map[int64]wiki.User
	// redirects maps a redirect page's id to its target's.
	redirects map[int64]int64
	// hiddenDeletions are the ids of pages deleted with suppression; any
	// other page the wiki lacks was deleted in public.
	hiddenDeletions map[int64]bool
}

func (w *memWiki) PageDeletionShown(_ context.Context, id int64, _ string) (bool, error) {
	return !w.hiddenDeletions[id], nil
}

// memSite is the site information of an English-style test wiki.
func memSite(name, lang string) *wiki.SiteInfo {
	return &wiki.SiteInfo{
		SiteName: name, Server: "https://wiki.example", ArticlePath: "/wiki/$1", Script: "/w/index.php", Lang: lang,
		Namespaces: map[int]*wiki.Namespace{
			-1: {ID: -1, Name: "Special", Canonical: "Special", FirstLetterCase: true},
			0:  {ID: 0, FirstLetterCase: true, Content: true},
			1:  {ID: 1, Name: "Talk", Canonical: "Talk", FirstLetterCase: true},
			2:  {ID: 2, Name: "User", Canonical: "User", FirstLetterCase: true},
		},
	}
}

func (w *memWiki) Site() *wiki.SiteInfo { return w.site }

func (w *memWiki) PageByID(_ context.Context, id int64) (wiki.Page, error) {
	if p, ok := w.pages[id]; ok {
		return p, nil
	}
	return wiki.Page{}, fmt.Errorf("page %d: %w", id, wiki.ErrNotFound)
}

// PagesByTitle follows redirects, as the real one does.
func (w *memWiki) PagesByTitle(_ context.Context, titles []string) (map[string]wiki.Page, error) {
	out := map[string]wiki.Page{}
	for _, t := range titles {
		for _, p := range w.pages {
			if p.Title != t {
				continue
			}
			if p.Redirect {
				p = w.pages[w.redirects[p.ID]]
			}
			out[t] = p
		}
	}
	return out, nil
}

func (w *memWiki) UserByID(_ context.Context, id int64) (wiki.User, error) {
	if u, ok := w.users[id]; ok {
		return u, nil
	}
	return wiki.User{}, fmt.Errorf("user %d: %w", id, wiki.ErrNotFound)
}

func (w *memWiki) UsersByName(_ context.Context, names []string) (map[string]wiki.User, error) {
	out := map[string]wiki.User{}
	for _, n := range names {
		for _, u := range w.users {
			if u.Name == n {
				out[n] = u
			}
		}
	}
	return out, nil
}
