package federation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/handle"
	"github.com/wikipub/wikipub/federation/internal/ttlcache"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// Wiki is what the federation side asks of the wiki; *wiki.Client has it.
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

func (r *Resolver) page(ctx context.Context, ref Ref) (*Actor, error) {
	p, err := r.wiki.PageByID(ctx, ref.ID)
	if errors.Is(err, wiki.ErrNotFound) {
		if hidden, err := r.isHidden(ctx, ref); err != nil || hidden {
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
	if isTemporaryAccount(u.Name) {
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
	return &Actor{Ref: ref, Handle: h, Name: u.Name, URL: userPageURL(site, u.Name), Published: u.Registration, Namespace: 2}, nil
}

// userPageURL is an editor's user page, in the wiki's own namespace name.
func userPageURL(site *wiki.SiteInfo, name string) string {
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

// ByHandle finds an actor by handle, case-insensitively. Handles once given
// keep pointing at their actor (a moved page answers to its old handle too).
func (r *Resolver) ByHandle(ctx context.Context, h string) (*Actor, error) {
	h = handle.Canonical(h)
	if h == instanceHandle {
		return r.ByRef(ctx, Ref{Kind: KindInstance})
	}
	if ref, ok := r.byName.Get(h); ok {
		return r.follow(ctx, ref)
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
	return r.follow(ctx, ref)
}

// follow resolves a ref through one redirect.
func (r *Resolver) follow(ctx context.Context, ref Ref) (*Actor, error) {
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
		if ref, ok := parseActorPath(owner); ok {
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

// ByPageURL finds the actor of a wiki page URL (WebFinger resource, or a
// URL pasted into a Fediverse search box).
func (r *Resolver) ByPageURL(ctx context.Context, u string) (*Actor, error) {
	title, ok := titleFromURL(r.wiki.Site(), u)
	if !ok {
		return nil, ErrNoActor
	}
	site := r.wiki.Site()
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
	return r.follow(ctx, Ref{Kind: KindPage, ID: p.ID})
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
	ref, ok := parseActorPath(owner)
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

// deletedPage describes the actor of a page the wiki has just deleted, from
// the deletion's own row, since the wiki no longer knows the page. It is
// nil for a page that never had an actor: nobody can follow it.
func (r *Resolver) deletedPage(ctx context.Context, c *wiki.Change) (*Actor, error) {
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
	title, ok, err := r.lastTitle(ctx, ref)
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
