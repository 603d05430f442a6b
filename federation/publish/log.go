package publish

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"

	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// logNote is a post about a log event, with an id derived from the log id.
func (p *Publisher) logNote(c *wiki.Change, page *actors.Actor, content string) activity.Note {
	to, cc := p.addressing(page)
	site := p.wiki.Site()
	return activity.Note{
		ID:           p.iris.LogPost(c.LogID),
		AttributedTo: p.iris.Actor(page.Ref), Content: content, URL: site.PageURL(page.Name),
		Published: c.Timestamp.UTC(), To: to, CC: cc,
	}
}

// pageLog posts a log event on a page (restore, protection) to the page's
// followers and, boosted, to the performer's.
func (p *Publisher) pageLog(ctx context.Context, c *wiki.Change, verb string) error {
	if ok, err := p.followed(ctx, actors.Ref{Kind: actors.KindPage, ID: c.PageID}); err != nil || !ok {
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
	content := logContent(p.wiki.Site(), c, ed, verb+" "+link(page.URL, page.Name))
	return p.publish(ctx, c, page, nil, p.logNote(c, page, content))
}

// refreshPageActor reads a page's actor afresh after a log event changed
// it and sends followers' servers its Update; nil when nobody follows it
// or it has no actor.
func (p *Publisher) refreshPageActor(ctx context.Context, c *wiki.Change) (*actors.Actor, error) {
	ref := actors.Ref{Kind: actors.KindPage, ID: c.PageID}
	p.resolver.Forget(ref)
	p.docs.Drop(ref)
	if ok, err := p.followed(ctx, ref); err != nil || !ok {
		return nil, err
	}
	page, err := p.pageActor(ctx, c.PageID)
	if err != nil || page == nil {
		return nil, err
	}
	return page, p.updateActor(ctx, page, c.LogID)
}

// restored brings a deleted page's actor back on its followers' servers
// (an Update: the bio no longer says it was deleted) and posts the
// restoration.
func (p *Publisher) restored(ctx context.Context, c *wiki.Change) error {
	page, err := p.refreshPageActor(ctx, c)
	if err != nil || page == nil {
		return err
	}
	return p.pageLog(ctx, c, "restored")
}

// move renames the page's actor on followers' servers (an Update with the
// new name and handle; the id stays) and posts the move. The old handle
// keeps pointing at the actor: handles are never given to another.
func (p *Publisher) move(ctx context.Context, c *wiki.Change) error {
	page, err := p.refreshPageActor(ctx, c)
	if err != nil || page == nil {
		return err
	}
	ed, err := p.editor(ctx, c)
	if err != nil {
		return err
	}
	site := p.wiki.Site()
	from := c.Title
	to := c.Title
	if c.Move != nil {
		to = c.Move.TargetTitle
	}
	content := logContent(site, c, ed, "moved "+link(site.PageURL(from), from)+" to "+link(site.PageURL(to), to))
	return p.publish(ctx, c, page, nil, p.logNote(c, page, content))
}

// updateActor sends the page actor's document as it is now to its
// followers (an Update; the id stays), so their servers show the new
// name, handle or bio at once rather than at their next refresh. The
// update id is derived from the log event that caused it.
func (p *Publisher) updateActor(ctx context.Context, page *actors.Actor, logID int64) error {
	return p.updateActorAt(ctx, page, strconv.FormatInt(logID, 10), time.Time{})
}

// updateActorAt sends the Update with id suffix name, no earlier than due
// (zero: at once).
func (p *Publisher) updateActorAt(ctx context.Context, page *actors.Actor, name string, due time.Time) error {
	p.docs.Drop(page.Ref)
	followers, err := p.followersOf(ctx, page)
	if err != nil || len(followers.inboxes) == 0 {
		return err
	}
	doc, err := p.docs.Get(ctx, page)
	if err != nil {
		return err
	}
	actorID := p.iris.Actor(page.Ref)
	id := actorID + "#updates/" + name
	update, err := activity.Marshal(activity.UpdateActor(id, actorID, doc, []string{activity.Public}))
	if err != nil {
		return err
	}
	var ds []store.Delivery
	for _, inbox := range followers.inboxes {
		d := delivery.New(id, actorID, inbox, update)
		if !due.IsZero() {
			d.NextAttempt = due
		}
		ds = append(ds, d)
	}
	return p.queue.Enqueue(ctx, ds...)
}

// pageDeleted withdraws every post of a deleted page from the servers it
// went to (Delete with a Tombstone; our endpoints answer 410), then tells the
// page's followers. The actor stays: deleted pages are often restored.
func (p *Publisher) pageDeleted(ctx context.Context, c *wiki.Change) error {
	posts, err := p.store.PublishedByPage(ctx, c.PageID)
	if err != nil {
		return err
	}
	for _, post := range posts {
		if err := p.withdraw(ctx, post); err != nil {
			return err
		}
	}
	p.resolver.Forget(actors.Ref{Kind: actors.KindPage, ID: c.PageID})
	page, err := p.resolver.DeletedPage(ctx, c)
	if err != nil || page == nil {
		return err
	}
	// Its bio now says the page was deleted.
	if err := p.updateActor(ctx, page, c.LogID); err != nil {
		return err
	}
	ed, err := p.editor(ctx, c)
	if err != nil {
		return err
	}
	content := logContent(p.wiki.Site(), c, ed, "deleted "+link(page.URL, page.Name))
	return p.publish(ctx, c, page, nil, p.logNote(c, page, content))
}

// withdraw queues a Delete of one post to every inbox it went to, signed
// by its author, and marks it so our endpoints answer 410.
func (p *Publisher) withdraw(ctx context.Context, post store.Published) error {
	if post.Withdrawn {
		return nil
	}
	del, err := activity.Marshal(activity.DeletePost(post.ObjectID+"/delete", post.Actor, post.ObjectID, []string{activity.Public}))
	if err != nil {
		return err
	}
	var ds []store.Delivery
	for _, inbox := range post.Recipients {
		ds = append(ds, delivery.New(post.ObjectID+"/delete", post.Actor, inbox, del))
	}
	if err := p.queue.Enqueue(ctx, ds...); err != nil {
		return err
	}
	post.Withdrawn = true
	if err := p.store.RecordPublished(ctx, post); err != nil {
		return err
	}
	p.log.InfoContext(ctx, "withdrew a post", "object", post.ObjectID, "deliveries", len(ds))
	return nil
}

// revisionDeleted withdraws the posts of revisions (or log entries) whose
// user, summary or text (or target) the wiki now hides. Showing them again
// does not bring posts back.
func (p *Publisher) revisionDeleted(ctx context.Context, c *wiki.Change) error {
	rd := c.RevisionDelete
	if rd != nil && rd.Type == "logging" && rd.New != 0 {
		return p.logEntriesHidden(ctx, rd)
	}
	if rd == nil || rd.Type != "revision" || rd.New == 0 {
		return nil
	}
	// Showing parts again does not bring posts back; hiding what a post
	// already left out does not withdraw it.
	for _, id := range rd.IDs {
		if _, _, err := p.withdrawIfHidden(ctx, p.iris.RevisionPost(id), rd.New); err != nil {
			return err
		}
	}
	return nil
}

// upload posts a new file from its File page's actor, with the image.
func (p *Publisher) upload(ctx context.Context, c *wiki.Change) error {
	if ok, err := p.followed(ctx, actors.Ref{Kind: actors.KindPage, ID: c.PageID}); err != nil || !ok {
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
	site := p.wiki.Site()
	verb := "uploaded"
	if c.LogAction == "overwrite" {
		verb = "uploaded a new version of"
	}
	note := p.logNote(c, page, logContent(site, c, ed, verb+" "+link(page.URL, page.Name)))
	fileURL, mime, err := p.wiki.FileURL(ctx, c.Title)
	if err != nil && !errors.Is(err, wiki.ErrNotFound) {
		return err
	}
	if fileURL != "" {
		alt := ""
		if !c.CommentHidden {
			alt = PlainText(c.ParsedComment)
		}
		kind := "Document"
		if strings.HasPrefix(mime, "image/") {
			kind = "Image"
		}
		note.Attachment = []activity.Attachment{{Type: kind, MediaType: mime, URL: fileURL, Name: alt}}
	}
	return p.publish(ctx, c, page, nil, note)
}

// categorize tells a category's followers that a page joined or left it.
func (p *Publisher) categorize(ctx context.Context, c *wiki.Change) error {
	cats, err := p.wiki.PagesByTitle(ctx, []string{c.Title})
	if err != nil {
		return err
	}
	cat, ok := cats[c.Title]
	if !ok {
		return nil // the category has no page, so no actor
	}
	if ok, err := p.followed(ctx, actors.Ref{Kind: actors.KindPage, ID: cat.ID}); err != nil || !ok {
		return err
	}
	page, err := p.pageActor(ctx, cat.ID)
	if err != nil || page == nil {
		return err
	}
	site := p.wiki.Site()
	to, cc := p.addressing(page)
	text := summaryHTML(c.ParsedComment, site.Server)
	if text == "" || c.CommentHidden {
		return nil
	}
	note := activity.Note{
		ID:           p.iris.ChangePost(c.RCID),
		AttributedTo: p.iris.Actor(page.Ref), Content: "<p>" + link(page.URL, page.Name) + ": " + text + "</p>",
		URL: page.URL, Published: c.Timestamp.UTC(), To: to, CC: cc,
	}
	rec := *c
	rec.PageID = cat.ID
	return p.publish(ctx, &rec, page, nil, note)
}
