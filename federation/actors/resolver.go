package actors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/handle"
	"github.com/wikipub/wikipub/federation/internal/ttlcache"
	"github.com/wikipub/wikipub/wiki"
)

// Wiki is what the resolver asks of the wiki; *wiki.Client has it.
type Wiki interface {
	Site() *wiki.SiteInfo
	PageByID(ctx context.Context, id int64) (wiki.Page, error)
	PagesByTitle(ctx context.Context, titles []string) (map[string]wiki.Page, error)
	UserByID(ctx context.Context, id int64) (wiki.User, error)
	UsersByName(ctx context.Context, names []string) (map[string]wiki.User, error)
	// PageDeletionShown says whether the wiki shows the public that a page
	// was deleted (not when it was suppressed, nor its log entry hidden).
	PageDeletionShown(ctx context.Context, pageID int64, title string) (bool, error)
}

// HandleStore is the first-claimer index that keeps handles unique and
// stable, and the named values that remember deleted pages' titles.
type HandleStore interface {
	ClaimHandle(ctx context.Context, handle, owner string) (string, error)
	HandleOwner(ctx context.Context, handle string) (string, error)
	Cursor(ctx context.Context, name string) ([]byte, error)
	SetCursor(ctx context.Context, name string, value []byte) error
}

// followerCounter is the part of the store that says whether an actor
// is followed.
type followerCounter interface {
	CountFollowers(ctx context.Context, actorID string) (int, error)
}

// Errors of actor resolution, mapped to HTTP statuses by the handlers.
var (
	// ErrNoActor: nothing of that name can be an actor (404).
	ErrNoActor = errors.New("no such actor")
	// ErrGone: the actor existed and its page or account is gone (410).
	ErrGone = errors.New("actor is gone")
)

// RedirectError says a page is a redirect and names its target's actor.
type RedirectError struct{ Target Ref }

func (e *RedirectError) Error() string { return "redirect to " + e.Target.String() }

// Actor is one of our actors as the wiki describes it now.
type Actor struct {
	Ref    Ref
	Handle string
	// Name is the page title or the user name.
	Name string
	// URL is the wiki page (for editors, their user page).
	URL       string
	Published time.Time
	Namespace int
	// Deleted marks a page the wiki deleted: its actor stays followable.
	Deleted bool
}

// Resolver finds our actors by id, handle or wiki URL, with a short cache
// so that a hot actor is not an API call per request.
type Resolver struct {
	wiki    Wiki
	handles HandleStore
	titles  HandleStore
	keys    *Keys
	iris    IRIs
	byRef   *ttlcache.Cache[Ref, *Actor]
	byName  *ttlcache.Cache[string, Ref]
	// byUser caches editors for a second only: an account hidden on the
	// wiki leaves no trace in recent changes, and must stop being served
	// at once, not a cache lifetime later.
	byUser *ttlcache.Cache[Ref, *Actor]
	// followers tells a followed actor (kept) from one nobody follows;
	// nil when the handle store does not keep followers.
	followers followerCounter
	// noName remembers handles that name no actor, so that asking for
	// one again and again (WebFinger) costs one wiki look-up per ttl.
	noName *ttlcache.Cache[string, struct{}]
	// wikiHandle is the handle of the whole wiki's account; "" when the
	// admin turned it off.
	wikiHandle string
}

// userRecheck is how long an editor's actor is served without asking the
// wiki again whether the account is still visible.
const userRecheck = time.Second

// NewResolver returns a resolver; ttl bounds how stale a title may be.
func NewResolver(w Wiki, h HandleStore, keys *Keys, iris IRIs, ttl time.Duration) *Resolver {
	r := &Resolver{wiki: w, handles: h, titles: h, keys: keys, iris: iris,
		byRef: ttlcache.New[Ref, *Actor](ttl, 100_000), byName: ttlcache.New[string, Ref](ttl, 100_000),
		byUser: ttlcache.New[Ref, *Actor](min(ttl, userRecheck), 100_000),
		noName: ttlcache.New[string, struct{}](ttl, 100_000)}
	if f, ok := h.(followerCounter); ok {
		r.followers = f
	}
	return r
}

// SetWikiAccount names the whole wiki's account (KindWiki), "" for none;
// called once at start, before any look-up.
func (r *Resolver) SetWikiAccount(h string) { r.wikiHandle = handle.Canonical(h) }

// WikiAccount is the wiki account's handle, "" when there is none.
func (r *Resolver) WikiAccount() string { return r.wikiHandle }

// Forget drops what the cache knows of an actor (after a move, a deletion,
// or when the wiki hides it).
func (r *Resolver) Forget(ref Ref) {
	r.byRef.Drop(ref)
	r.byUser.Drop(ref)
}

// cache is where an actor of ref's kind is kept.
func (r *Resolver) cache(ref Ref) *ttlcache.Cache[Ref, *Actor] {
	if ref.Kind == KindUser {
		return r.byUser
	}
	return r.byRef
}

// ByRef returns the actor, ErrNoActor, ErrGone or a *RedirectError.
func (r *Resolver) ByRef(ctx context.Context, ref Ref) (*Actor, error) {
	if a, ok := r.cache(ref).Get(ref); ok {
		return a, nil
	}
	var a *Actor
	var err error
	switch ref.Kind {
	case KindPage:
		a, err = r.page(ctx, ref)
	case KindUser:
		a, err = r.user(ctx, ref)
	case KindInstance:
		site := r.wiki.Site()
		a = &Actor{Ref: ref, Handle: instanceHandle, Name: site.SiteName, URL: site.PageURL(""), Namespace: -1}
	case KindWiki:
		if r.wikiHandle == "" || ref.ID != 0 {
			err = ErrNoActor
			break
		}
		site := r.wiki.Site()
		a = &Actor{Ref: ref, Handle: r.wikiHandle, Name: site.SiteName, URL: site.PageURL(site.MainPage), Namespace: -1}
	default:
		err = ErrNoActor
	}
	if err != nil {
		if errors.Is(err, ErrNoActor) || errors.Is(err, ErrGone) {
			r.Forget(ref)
		}
		return nil, err
	}
	r.cache(ref).Put(ref, a)
	return a, nil
}

// instanceHandle names the instance actor in WebFinger.
const instanceHandle = "wikipub"

// IsTemporaryAccount recognises MediaWiki's temporary accounts (1.42+,
// named "~2024-1" and so on): like IP editors, they are never actors, nor
// named in posts, nor written to.
func IsTemporaryAccount(name string) bool { return strings.HasPrefix(name, "~") }

func (r *Resolver) page(ctx context.Context, ref Ref) (*Actor, error) {
	p, err := r.wiki.PageByID(ctx, ref.ID)
	if errors.Is(err, wiki.ErrNotFound) {
		if hidden, err := r.IsHidden(ctx, ref); err != nil || hidden {
			if err != nil {
				return nil, err
			}
			return nil, ErrNoActor
		}
		a, err := r.deletedPageActor(ctx, ref)
		if errors.Is(err, ErrNoActor) {
			// The log may be newer than the look-up: a page restored
			// in between is there now.
			if again, aerr := r.wiki.PageByID(ctx, ref.ID); aerr == nil {
				return r.livePage(ctx, ref, again)
			}
		}
		if a != nil || err != nil {
			return a, err
		}
		return nil, r.goneOrMissing(ctx, ref)
	}
	if err != nil {
		return nil, err
	}
	return r.livePage(ctx, ref, p)
}

// livePage is the actor of a page the wiki has.
func (r *Resolver) livePage(ctx context.Context, ref Ref, p wiki.Page) (*Actor, error) {
	site := r.wiki.Site()
	if p.Redirect {
		targets, err := r.wiki.PagesByTitle(ctx, []string{p.Title})
		if err != nil {
			return nil, err
		}
		t, ok := targets[p.Title]
		if !ok || t.ID == p.ID {
			return nil, ErrNoActor // a broken or looping redirect
		}
		return nil, &RedirectError{Target: Ref{Kind: KindPage, ID: t.ID}}
	}
	if p.Namespace == 2 && !strings.Contains(p.Title, "/") {
		// A user page is its editor.
		_, name := site.SplitTitle(p.Title)
		users, err := r.wiki.UsersByName(ctx, []string{name})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			return nil, &RedirectError{Target: Ref{Kind: KindUser, ID: u.ID}}
		}
		return nil, ErrNoActor
	}
	if p.Namespace < 0 {
		return nil, ErrNoActor
	}
	kept, err := r.known(ctx, ref)
	if err != nil {
		return nil, err
	}
	h, err := r.handleFor(ctx, handle.ForPage(site, p.Title), handle.PageFallback(p.ID), ref, kept)
	if err != nil {
		return nil, err
	}
	if kept {
		if err := r.rememberTitle(ctx, ref, p.Title); err != nil {
			return nil, err
		}
	}
	return &Actor{Ref: ref, Handle: h, Name: p.Title, URL: site.PageURL(p.Title), Published: p.Created, Namespace: p.Namespace}, nil
}

func (r *Resolver) user(ctx context.Context, ref Ref) (*Actor, error) {
	u, err := r.wiki.UserByID(ctx, ref.ID)
	if errors.Is(err, wiki.ErrNotFound) {
		// Never 410: the wiki answers hidden (suppressed) accounts as
		// missing, and "gone" would tell that one existed.
		return nil, ErrNoActor
	}
	if err != nil {
		return nil, err
	}
	if IsTemporaryAccount(u.Name) {
		return nil, ErrNoActor
	}
	kept, err := r.known(ctx, ref)
	if err != nil {
		return nil, err
	}
	h, err := r.handleFor(ctx, handle.ForUser(u.Name), handle.UserFallback(u.ID), ref, kept)
	if err != nil {
		return nil, err
	}
	site := r.wiki.Site()
	return &Actor{Ref: ref, Handle: h, Name: u.Name, URL: UserPageURL(site, u.Name), Published: u.Registration, Namespace: 2}, nil
}

// UserPageURL is an editor's user page, in the wiki's own namespace name:
// an actor's URL, and where an outbox names an editor from a history row.
func UserPageURL(site *wiki.SiteInfo, name string) string {
	userNS := "User"
	if ns, ok := site.Namespaces[2]; ok && ns.Name != "" {
		userNS = ns.Name
	}
	return site.PageURL(userNS + ":" + name)
}

// goneOrMissing tells a deleted actor (kept: someone followed it) from
// one that never was.
func (r *Resolver) goneOrMissing(ctx context.Context, ref Ref) error {
	known, err := r.known(ctx, ref)
	if err != nil {
		return err
	}
	if known {
		return ErrGone
	}
	return ErrNoActor
}

// claim gives the actor its natural handle unless another actor has it.
func (r *Resolver) claim(ctx context.Context, natural, fallback string, ref Ref) (string, error) {
	if natural == "" {
		return fallback, nil
	}
	owner, err := r.handles.ClaimHandle(ctx, natural, ref.String())
	if err != nil {
		return "", fmt.Errorf("claiming handle %s: %w", natural, err)
	}
	if owner != ref.String() {
		return fallback, nil
	}
	return natural, nil
}
