package publish

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// profileEdited reads the profile of an edited page again (and of the
// editor, when they edited their own user page; of the wiki account, when
// the main page or its tagline was edited) and, when its pictures or
// opening changed, tells its followers with an Update of the actor. Only
// actors someone follows are read, so an edit nobody follows costs nothing
// more.
func (p *Publisher) profileEdited(ctx context.Context, c *wiki.Change) error {
	if p.docs.Profiles() == nil {
		return nil
	}
	var refs []actors.Ref
	if c.Namespace == 2 && c.UserID != 0 {
		if _, name := p.wiki.Site().SplitTitle(c.Title); name == c.User {
			refs = append(refs, actors.Ref{Kind: actors.KindUser, ID: c.UserID})
		}
	} else if c.PageID != 0 {
		refs = append(refs, actors.Ref{Kind: actors.KindPage, ID: c.PageID})
	}
	if p.resolver.WikiAccount() != "" && describesWiki(p.wiki.Site(), c) {
		refs = append(refs, actors.Ref{Kind: actors.KindWiki})
	}
	for _, ref := range refs {
		if ok, err := p.followed(ctx, ref); err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		changed, err := p.docs.RefreshProfile(ctx, ref)
		if err != nil {
			return err
		}
		if !changed {
			continue
		}
		a, err := p.resolver.ByRef(ctx, ref)
		if errors.Is(err, actors.ErrNoActor) || errors.Is(err, actors.ErrGone) {
			continue
		}
		var re *actors.RedirectError
		if errors.As(err, &re) {
			continue
		}
		if err != nil {
			return err
		}
		if err := p.profileUpdate(ctx, a, c.RevID); err != nil {
			return err
		}
	}
	return nil
}

// describesWiki says whether an edit may change the wiki account's bio:
// an edit of the main page, whose opening it is, or of the tagline
// message (MediaWiki:Sitesubtitle), which comes before it.
func describesWiki(site *wiki.SiteInfo, c *wiki.Change) bool {
	if c.Title == site.MainPage {
		return true
	}
	if c.Namespace != 8 {
		return false
	}
	_, name := site.SplitTitle(c.Title)
	return name == "Sitesubtitle" || strings.HasPrefix(name, "Sitesubtitle/")
}

// profileSentKey names when an actor's last profile Update was due.
func profileSentKey(ref actors.Ref) string { return "profile-sent:" + ref.String() }

// profileUpdate queues an Update of the actor to its followers, at most
// one per ProfileUpdateEvery: a change within that time of the last
// Update waits until it is over. A change while one waits is sent with
// the next change after it (the waiting Update carries the document as it
// was when queued).
func (p *Publisher) profileUpdate(ctx context.Context, a *actors.Actor, revID int64) error {
	now := time.Now()
	var last time.Time
	switch raw, err := p.store.Cursor(ctx, profileSentKey(a.Ref)); {
	case err == nil:
		if n, perr := strconv.ParseInt(string(raw), 10, 64); perr == nil {
			last = time.Unix(0, n)
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	due, ok := profileUpdateDue(last, now, p.cfg.ProfileUpdateEvery)
	if !ok {
		p.log.InfoContext(ctx, "profile changed while an Update waits; the next change sends it", "actor", a.Handle)
		return nil
	}
	if err := p.store.SetCursor(ctx, profileSentKey(a.Ref), []byte(strconv.FormatInt(due.UnixNano(), 10))); err != nil {
		return err
	}
	if err := p.updateActorAt(ctx, a, "profile-"+strconv.FormatInt(revID, 10), due); err != nil {
		return err
	}
	p.log.InfoContext(ctx, "profile update queued", "actor", a.Handle, "due", due)
	return nil
}

// profileUpdateDue is when a profile Update queued now goes, given when
// the last one was due: at once when that was at least every ago, else
// when every is over; none (ok false) while the last still waits.
func profileUpdateDue(last, now time.Time, every time.Duration) (due time.Time, ok bool) {
	if last.IsZero() {
		return now, true
	}
	if last.After(now) {
		return time.Time{}, false
	}
	if next := last.Add(every); next.After(now) {
		return next, true
	}
	return now, true
}

// renamed tells the followers of an editor renamed with Renameuser: the
// account keeps its id, so its followers stay; an Update brings the new
// name and handle, and the old handle keeps finding the account (handles
// are never given to another actor).
func (p *Publisher) renamed(ctx context.Context, c *wiki.Change) error {
	if c.Rename == nil || c.Rename.UserID == 0 {
		return nil
	}
	ref := actors.Ref{Kind: actors.KindUser, ID: c.Rename.UserID}
	p.resolver.Forget(ref)
	p.docs.Drop(ref)
	if pr := p.docs.Profiles(); pr != nil {
		pr.Drop(ref)
	}
	if ok, err := p.followed(ctx, ref); err != nil || !ok {
		return err
	}
	a, err := p.resolver.ByRef(ctx, ref)
	if errors.Is(err, actors.ErrNoActor) || errors.Is(err, actors.ErrGone) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := p.resolver.Keep(ctx, a); err != nil { // claims the new handle
		return err
	}
	if a, err = p.resolver.ByRef(ctx, ref); err != nil {
		return err
	}
	p.log.InfoContext(ctx, "editor renamed", "from", c.Rename.OldName, "to", a.Name, "handle", a.Handle)
	name := "rename-" + strconv.FormatInt(c.LogID, 10)
	if c.LogID == 0 {
		name = "rename-" + strings.ReplaceAll(a.Handle, ".", "-")
	}
	return p.updateActorAt(ctx, a, name, time.Time{})
}
