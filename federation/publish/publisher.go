package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	vocab "github.com/go-ap/activitypub"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/delivery"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/talk"
	"github.com/wikipub/wikipub/wiki"
)

// Publisher turns wiki changes into posts and queues their delivery. It is
// the watcher's handler: it returns only once every delivery is durably
// queued, so the cursor never moves past an unqueued post; and every id it
// makes is derived from wiki ids, so a replay after a crash queues the same
// deliveries again, which the queue keeps once.
type Publisher struct {
	cfg      Config
	wiki     Wiki
	store    Store
	queue    Enqueuer
	pages    Pages
	resolver *actors.Resolver
	docs     *actors.Documents
	blocks   Blocker
	iris     actors.IRIs
	log      *slog.Logger
}

// Config is the admin's choice of how posts go out.
type Config struct {
	// PublicTimelines puts Public in "to" (public timelines) instead of
	// "cc" (unlisted, the default).
	PublicTimelines bool
	// Coalesce is the window in which saves by one editor to one page
	// become one post; 0 (the default) posts every revision.
	Coalesce time.Duration
	// WikiAccountNamespaces are the namespaces whose every edit the wiki's
	// account boosts too (new pages it boosts everywhere).
	WikiAccountNamespaces []int
	// ProfileUpdateEvery is the least time between two profile Updates of
	// one actor.
	ProfileUpdateEvery time.Duration
	// ExcerptPages and ExcerptNamespaces are where an edit's post quotes
	// the text the edit added (at most MaxExcerpt characters): pages such
	// as a server admin log, where the added line is the news.
	ExcerptPages      []string
	ExcerptNamespaces []int
}

// Wiki is what the publisher reads of the wiki beyond the resolver: the
// site, a file's URL for an upload's attachment, a category's page, and
// whether a page's deletion is shown (for withdrawals); *wiki.Client
// satisfies it.
type Wiki interface {
	Site() *wiki.SiteInfo
	FileURL(ctx context.Context, title string) (string, string, error)
	PagesByTitle(ctx context.Context, titles []string) (map[string]wiki.Page, error)
	PageByID(ctx context.Context, id int64) (wiki.Page, error)
	PageDeletionShown(ctx context.Context, id int64, title string) (bool, error)
}

// Store is the part of the store the publisher and the sweep use: the
// followers an actor's posts go to, and the record of what was published.
type Store interface {
	Followers(ctx context.Context, actor, after string, limit int) ([]store.Follower, error)
	RemoveFollower(ctx context.Context, actor, followerID string) (bool, error)
	FollowedActors(ctx context.Context, after string, limit int) ([]string, error)
	RecordPublished(ctx context.Context, p store.Published) error
	PublishedPost(ctx context.Context, objectID string) (store.Published, error)
	PublishedByPage(ctx context.Context, pageID int64) ([]store.Published, error)
	PublishedSince(ctx context.Context, since time.Time, after string, limit int) ([]store.Published, error)
	// Ack takes back a queued delivery (a post folded into a later one).
	Ack(ctx context.Context, id string) error
	// Cursor and SetCursor keep named values: when each actor's last
	// profile Update was due.
	Cursor(ctx context.Context, name string) ([]byte, error)
	SetCursor(ctx context.Context, name string, value []byte) error
}

// Enqueuer queues deliveries durably and wakes the deliverer;
// *delivery.Outbox is one.
type Enqueuer interface {
	Enqueue(ctx context.Context, ds ...store.Delivery) error
}

// Blocker says whether a follower is blocked; *remote.BlockList is one.
type Blocker interface {
	Blocked(ctx context.Context, id string) bool
}

// Deps is what the publisher works with, each made once by cmd/wikipub.
type Deps struct {
	Wiki Wiki
	// Pages gives posts their language, hashtags, excerpts and lead
	// images; nil leaves them out.
	Pages    Pages
	Store    Store
	Queue    Enqueuer
	Resolver *actors.Resolver
	Docs     *actors.Documents
	Blocks   Blocker
	IRIs     actors.IRIs
	Logger   *slog.Logger
}

// New returns the publisher, the watcher's handler.
func New(cfg Config, d Deps) *Publisher {
	return &Publisher{cfg: cfg, wiki: d.Wiki, store: d.Store, queue: d.Queue, pages: d.Pages, resolver: d.Resolver,
		docs: d.Docs, blocks: d.Blocks, iris: d.IRIs, log: d.Logger}
}

// Handle is a wiki.Handler.
func (p *Publisher) Handle(ctx context.Context, changes []wiki.Change) error {
	for i := range changes {
		if err := p.one(ctx, &changes[i]); err != nil {
			return fmt.Errorf("publishing rcid %d (%s %q): %w", changes[i].RCID, changes[i].Kind, changes[i].Title, err)
		}
	}
	return nil
}

func (p *Publisher) one(ctx context.Context, c *wiki.Change) error {
	switch c.Kind {
	case wiki.KindNew, wiki.KindEdit:
		if isOptInPage(c) {
			return nil // an editor's settings for us, not news
		}
		if err := p.edit(ctx, c); err != nil {
			return err
		}
		return p.profileEdited(ctx, c)
	case wiki.KindUserRename:
		return p.renamed(ctx, c)
	case wiki.KindMove:
		return p.move(ctx, c)
	case wiki.KindDelete:
		return p.pageDeleted(ctx, c)
	case wiki.KindRestore:
		return p.restored(ctx, c)
	case wiki.KindProtect:
		return p.pageLog(ctx, c, protectVerb(c.LogAction))
	case wiki.KindUpload:
		return p.upload(ctx, c)
	case wiki.KindRevisionDelete:
		return p.revisionDeleted(ctx, c)
	case wiki.KindCategorize:
		return p.categorize(ctx, c)
	}
	// Blocks, new accounts and other logs: nobody follows them.
	return nil
}

// isOptInPage recognises an editor's opt-in page, User:Name/wikipub.json.
func isOptInPage(c *wiki.Change) bool {
	return c.Namespace == 2 && strings.HasSuffix(c.Title, talk.OptInPage)
}

func protectVerb(action string) string {
	switch action {
	case "unprotect":
		return "unprotected"
	case "modify":
		return "changed the protection of"
	}
	return "protected"
}

// followed reports whether any of the actors has a follower. It needs no
// wiki call (actor ids are the wiki's ids), so the changes nobody follows —
// nearly all of them on a big wiki — cost one store read and nothing else.
func (p *Publisher) followed(ctx context.Context, refs ...actors.Ref) (bool, error) {
	for _, r := range refs {
		if r.ID == 0 && r.Kind != actors.KindWiki {
			continue
		}
		// One follower is enough to know; counting them all is not needed.
		some, err := p.store.Followers(ctx, p.iris.Actor(r), "", 1)
		if err != nil {
			return false, err
		}
		if len(some) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// pageActor is the actor of a change's page, nil when it has none (a
// redirect, a user page, a page deleted since).
func (p *Publisher) pageActor(ctx context.Context, pageID int64) (*actors.Actor, error) {
	if pageID == 0 {
		return nil, nil
	}
	a, err := p.resolver.ByRef(ctx, actors.Ref{Kind: actors.KindPage, ID: pageID})
	var re *actors.RedirectError
	if errors.Is(err, actors.ErrNoActor) || errors.Is(err, actors.ErrGone) || errors.As(err, &re) {
		return nil, nil
	}
	return a, err
}

// editor says who made a change, as far as a post may say it.
func (p *Publisher) editor(ctx context.Context, c *wiki.Change) (Editor, error) {
	switch {
	case c.UserHidden || c.User == "":
		return Editor{}, nil
	case c.Anonymous || c.UserID == 0 || actors.IsTemporaryAccount(c.User):
		return Editor{Unregistered: true}, nil
	}
	a, err := p.resolver.ByRef(ctx, actors.Ref{Kind: actors.KindUser, ID: c.UserID})
	if errors.Is(err, actors.ErrNoActor) || errors.Is(err, actors.ErrGone) {
		return Editor{}, nil
	}
	if err != nil {
		return Editor{}, err
	}
	return Editor{Actor: a}, nil
}

// audience is one actor's followers, as distinct inboxes, and who is
// behind each.
type audience struct {
	actor   *actors.Actor
	inboxes []string
	members map[string][]string // inbox → follower ids
}

// followersOf lists the distinct inboxes of an actor's followers, shared
// inboxes preferred: one POST per server, not per follower.
func (p *Publisher) followersOf(ctx context.Context, a *actors.Actor) (audience, error) {
	aud := audience{actor: a, members: map[string][]string{}}
	if a == nil {
		return aud, nil
	}
	seen := map[string]bool{}
	after := ""
	for {
		page, err := p.store.Followers(ctx, p.iris.Actor(a.Ref), after, 1000)
		if err != nil {
			return aud, err
		}
		for _, f := range page {
			if p.blocks.Blocked(ctx, f.ID) {
				continue // a blocked server gets nothing more from us
			}
			inbox := f.SharedInbox
			if inbox == "" {
				inbox = f.Inbox
			}
			if !seen[inbox] {
				seen[inbox] = true
				aud.inboxes = append(aud.inboxes, inbox)
			}
			aud.members[inbox] = append(aud.members[inbox], f.ID)
		}
		if len(page) < 1000 {
			return aud, nil
		}
		after = page[len(page)-1].ID
	}
}

func (p *Publisher) addressing(a *actors.Actor) (to, cc []string) {
	followers := p.iris.Followers(a.Ref)
	if p.cfg.PublicTimelines {
		return []string{activity.Public}, []string{followers}
	}
	return []string{followers}, []string{activity.Public}
}

// edit posts a new page or an edit: a Create from the page's actor to its
// followers, and an Announce of it from the editor's actor to theirs.
// Mastodon shows a post in a home timeline only when the follower follows
// its author, so one activity cannot reach both audiences; a follower of
// both sees the post once, Mastodon hides a boost of a post already shown.
func (p *Publisher) edit(ctx context.Context, c *wiki.Change) error {
	refs := []actors.Ref{{Kind: actors.KindPage, ID: c.PageID}, {Kind: actors.KindUser, ID: c.UserID}}
	wikiBoosts := p.wikiBoosts(c)
	if wikiBoosts {
		refs = append(refs, actors.Ref{Kind: actors.KindWiki})
	}
	if ok, err := p.followed(ctx, refs...); err != nil || !ok {
		return err
	}
	page, err := p.pageActor(ctx, c.PageID)
	if err != nil || page == nil {
		return err
	}
	ed, err := p.editor(ctx, c)
	if err != nil {
		return err
	}
	if p.cfg.Coalesce > 0 && c.UserID != 0 {
		folded := *c
		if err := p.foldPrevious(ctx, &folded); err != nil {
			return err
		}
		c = &folded
	}
	x, err := p.extras(ctx, c)
	if err != nil {
		return err
	}
	note := p.EditNote(c, page, ed, x)
	boosters := []*actors.Actor{ed.Actor}
	if wikiBoosts {
		if w, err := p.resolver.ByRef(ctx, actors.Ref{Kind: actors.KindWiki}); err == nil {
			boosters = append(boosters, w)
		}
	}
	return p.publishBoosted(ctx, c, page, boosters, note)
}

// foldPrevious takes back the post of the same editor's previous save to
// the same page when it is still waiting out the coalescing window, and
// makes c cover both: the diff and the size change then start where the
// earlier post's did, and the summary is the latest.
func (p *Publisher) foldPrevious(ctx context.Context, c *wiki.Change) error {
	posts, err := p.store.PublishedByPage(ctx, c.PageID)
	if err != nil {
		return err
	}
	for i := len(posts) - 1; i >= 0; i-- {
		prev := posts[i]
		if prev.RevID == 0 || prev.Withdrawn || len(prev.Recipients) == 0 || prev.RevID == c.RevID {
			continue
		}
		// Only the very latest post of the page may be folded, and only
		// while its deliveries have not started.
		if prev.UserID != c.UserID || c.Timestamp.Sub(prev.At) > p.cfg.Coalesce || !prev.Due.After(time.Now().Add(time.Second)) {
			return nil
		}
		for _, inbox := range prev.Recipients {
			for _, id := range []string{prev.ActivityID, prev.ObjectID + "/announce/" + strconv.FormatInt(c.UserID, 10)} {
				if err := p.store.Ack(ctx, delivery.ID(id, inbox)); err != nil {
					return err
				}
			}
		}
		c.OldRevID, c.OldSize = prev.OldRevID, prev.OldSize
		prev.Recipients = nil // never sent: nothing to withdraw later
		if err := p.store.RecordPublished(ctx, prev); err != nil {
			return err
		}
		p.log.InfoContext(ctx, "coalesced two saves into one post", "earlier", prev.ObjectID, "later_rev", c.RevID)
		return nil
	}
	return nil
}

// EditNote is the post about an edit or a new page; the web package serves
// it for /ap/rev/{id} and in outboxes, so what is fetched is what was sent.
func (p *Publisher) EditNote(c *wiki.Change, page *actors.Actor, ed Editor, x Extras) activity.Note {
	site := p.wiki.Site()
	to, cc := p.addressing(page)
	tags := hashtags(site, x.Categories)
	return activity.Note{
		ID:           p.iris.RevisionPost(c.RevID),
		AttributedTo: p.iris.Actor(page.Ref), Content: editContent(site, c, page, ed) + excerptHTML(x.Added) + hashtagsHTML(tags),
		URL: DiffURL(site, c), Published: c.Timestamp.UTC(), To: to, CC: cc,
		Language: x.Language, Tags: tags, Attachment: leadAttachment(x.LeadImage, page.Name),
	}
}

// publish queues a Create of note from author to its followers, and an
// Announce from booster (may be nil) to theirs, and records the post. Only
// revision posts are boosted: they are the ones a server can fetch by id
// (built on demand), which a boost needs.
func (p *Publisher) publish(ctx context.Context, c *wiki.Change, author, booster *actors.Actor, note activity.Note) error {
	return p.publishBoosted(ctx, c, author, []*actors.Actor{booster}, note)
}

// publishBoosted is publish with any number of boosters (the editor, the
// wiki's account), each boosting to those of its followers whom neither
// the post nor an earlier booster reaches: each person sees the post once.
func (p *Publisher) publishBoosted(ctx context.Context, c *wiki.Change, author *actors.Actor, boosterActors []*actors.Actor, note activity.Note) error {
	authors, err := p.followersOf(ctx, author)
	if err != nil {
		return err
	}
	var all []audience
	anyone := len(authors.inboxes) > 0
	for _, b := range boosterActors {
		if b == nil {
			continue
		}
		aud, err := p.followersOf(ctx, b)
		if err != nil {
			return err
		}
		all = append(all, aud)
		anyone = anyone || len(aud.inboxes) > 0
	}
	if !anyone {
		return nil // nobody follows: nothing to send, nothing to remember
	}
	authorID := p.iris.Actor(author.Ref)
	var ds []store.Delivery
	// With coalescing on, an edit's post waits out the window, in which a
	// further save by the same editor can still be folded into it.
	due := time.Now()
	if p.cfg.Coalesce > 0 && c.RevID != 0 && (c.Kind == wiki.KindEdit || c.Kind == wiki.KindNew) {
		due = due.Add(p.cfg.Coalesce)
	}
	add := func(id string, act vocab.Item, signer string, inboxes []string) error {
		body, err := activity.Marshal(act)
		if err != nil {
			return err
		}
		for _, inbox := range inboxes {
			d := delivery.New(id, signer, inbox, body)
			d.NextAttempt = due
			ds = append(ds, d)
		}
		return nil
	}
	createID := note.ID + "/activity"
	if err := add(createID, activity.Create(createID, note), authorID, authors.inboxes); err != nil {
		return err
	}
	covered := followerIDs(authors, nil)
	var recipients []string
	recipients = append(recipients, authors.inboxes...)
	for _, boosters := range all {
		booster := boosters.actor
		recipients = append(recipients, boosters.inboxes...)
		if len(boosters.inboxes) == 0 {
			continue
		}
		boosterID := p.iris.Actor(booster.Ref)
		// The boost is dated after the post: GoToSocial orders a home
		// timeline by ids made from these dates and hides a boost only when
		// the original comes before it (docs/interop.md, "Seeing an edit
		// once").
		announceID := note.ID + "/announce/" + boosterName(booster.Ref)
		announce := activity.Announce(announceID, boosterID, note.ID, note.Published.Add(time.Second),
			[]string{p.iris.Followers(booster.Ref)}, []string{activity.Public, authorID})
		boostTo, after := boostInboxes(authors, boosters, covered)
		followerIDs(boosters, covered)
		if err := add(announceID, announce, boosterID, boostTo); err != nil {
			return err
		}
		// Where the post goes too, the boost goes a moment later, so the
		// server has the post when the boost comes and hides it.
		for i := len(ds) - len(boostTo); i < len(ds); i++ {
			if after[ds[i].Inbox] {
				ds[i].NextAttempt = ds[i].NextAttempt.Add(boostLag)
			}
		}
	}
	if err := p.store.RecordPublished(ctx, store.Published{
		ObjectID: note.ID, ActivityID: createID, Actor: authorID,
		PageID: c.PageID, RevID: c.RevID, At: c.Timestamp, Recipients: dedupe(recipients),
		Hidden: int(HiddenBits(c)), UserID: c.UserID, OldRevID: c.OldRevID, OldSize: c.OldSize, Due: due,
	}); err != nil {
		return err
	}
	if err := p.queue.Enqueue(ctx, ds...); err != nil {
		return err
	}
	p.log.InfoContext(ctx, "published", "object", note.ID, "actor", author.Handle, "deliveries", len(ds))
	return nil
}

// followerIDs adds an audience's followers to into (a new set when nil).
func followerIDs(a audience, into map[string]bool) map[string]bool {
	if into == nil {
		into = map[string]bool{}
	}
	for _, ids := range a.members {
		for _, id := range ids {
			into[id] = true
		}
	}
	return into
}

// boosterName is the last part of a boost's id: the editor's user id, or
// "wiki" for the wiki's account.
func boosterName(r actors.Ref) string {
	if r.Kind == actors.KindWiki {
		return string(actors.KindWiki)
	}
	return strconv.FormatInt(r.ID, 10)
}

// wikiBoosts says whether the wiki's account boosts a change's post: every
// new page, and every edit in the namespaces the admin chose for it.
func (p *Publisher) wikiBoosts(c *wiki.Change) bool {
	if p.resolver.WikiAccount() == "" || c.RevID == 0 {
		return false
	}
	if c.Kind == wiki.KindNew {
		return true
	}
	for _, ns := range p.cfg.WikiAccountNamespaces {
		if ns == c.Namespace {
			return true
		}
	}
	return false
}

// boostLag is how long a boost waits behind the post on a server that gets
// both.
const boostLag = time.Second

// boostInboxes picks where the editor's boost must go: every inbox behind
// which someone follows the editor but not the page (pageFollowers: the
// page's followers, and an earlier booster's). An inbox whose
// editor-followers all follow the page too gets the post already, and a
// boost would show it twice on servers that do not hide repeats. after
// marks the chosen inboxes on a server that also gets the post: the
// server puts a boost in the timeline of every local follower of the
// booster, whichever inbox it came to, and hides it only when the post is
// there first.
func boostInboxes(authors, boosters audience, pageFollowers map[string]bool) (inboxes []string, after map[string]bool) {
	postHosts := map[string]bool{}
	for inbox := range authors.members {
		postHosts[delivery.HostOf(inbox)] = true
	}
	after = map[string]bool{}
	for _, inbox := range boosters.inboxes {
		for _, id := range boosters.members[inbox] {
			if !pageFollowers[id] {
				inboxes = append(inboxes, inbox)
				if postHosts[delivery.HostOf(inbox)] {
					after[inbox] = true
				}
				break
			}
		}
	}
	return inboxes, after
}

// HiddenBits is what the wiki hides of a change, as a revision-deletion mask.
func HiddenBits(c *wiki.Change) wiki.Visibility {
	var v wiki.Visibility
	if c.ContentHidden {
		v |= wiki.HiddenContent
	}
	if c.CommentHidden {
		v |= wiki.HiddenComment
	}
	if c.UserHidden {
		v |= wiki.HiddenUser
	}
	if c.Suppressed {
		v |= wiki.HiddenFromAll
	}
	return v
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
