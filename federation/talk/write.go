package talk

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/wiki"
)

// Talk states beyond "pending" and "written": "skipped" is a reply kept in
// its collection but never to be written (not opted in, over a limit),
// "refused" one the wiki (or the writer's own checks) refused for a reason
// that retrying cannot change.
const (
	talkSkipped = "skipped"
	talkRefused = "refused"
	talkWritten = "written"
)

// writePage decides whether a group of due replies may reach their talk
// page and writes them as one section. An editor's talk page is written
// only when it is that editor's own talk page (no subpage), the editor is a
// visible account, and they are opted in both now (opting out takes effect
// at once) and when each reply arrived (a reply that came before the
// opt-in is never written after it: the backlog does not flood the page).
// A page's talk page is written when the admin enabled its namespace.
func (t *Writer) writePage(ctx context.Context, page string, items []store.Interaction) error {
	ns, rest := t.wiki.Site().SplitTitle(page)
	switch {
	case ns.ID == 3:
		return t.writeUserTalk(ctx, page, rest, items)
	case ns.ID%2 == 1 && slices.Contains(t.cfg.Namespaces, ns.ID-1):
		return t.write(ctx, page, items)
	}
	return t.mark(ctx, items, talkSkipped)
}

func (t *Writer) writeUserTalk(ctx context.Context, page, name string, items []store.Interaction) error {
	if name == "" || strings.Contains(name, "/") || page != t.UserTalkPage(name) {
		t.log.WarnContext(ctx, "not an editor's own talk page: replies kept, not written", "talk_page", page, "replies", len(items))
		return t.mark(ctx, items, talkRefused)
	}
	users, err := t.wiki.UsersByName(ctx, []string{name})
	if err != nil {
		return t.retryLater(ctx, items, err)
	}
	if _, ok := users[name]; !ok {
		// Unknown, renamed since, or hidden: the page is no one's to
		// write to, and a hidden name must not reach the log.
		t.log.WarnContext(ctx, "the talk page's editor is not a visible account: replies kept, not written", "replies", len(items))
		return t.mark(ctx, items, talkSkipped)
	}
	now, err := t.optedIn(ctx, name, time.Time{})
	if err != nil {
		return t.retryLater(ctx, items, err)
	}
	if !now {
		return t.mark(ctx, items, talkSkipped)
	}
	var keep, early []store.Interaction
	then := map[time.Time]bool{}
	for _, i := range items {
		if i.OptInOnArrival {
			keep = append(keep, i)
			continue
		}
		at := t.arrival(i)
		ok, known := then[at]
		if !known && !at.IsZero() {
			if ok, err = t.optedIn(ctx, name, at); err != nil {
				return t.retryLater(ctx, items, err)
			}
			then[at] = ok
		}
		if ok {
			keep = append(keep, i)
		} else {
			early = append(early, i)
		}
	}
	if len(early) > 0 {
		t.log.InfoContext(ctx, "replies that arrived before the editor opted in are kept, not written", "talk_page", page, "replies", len(early))
		if err := t.mark(ctx, early, talkSkipped); err != nil {
			return err
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return t.write(ctx, page, keep)
}

// optedInOnArrival judges a reply to an editor's talk page by the opt-in
// as it is when the reply arrives, and notes that it did: a reply that
// came before the editor opted in is never written, however long it waits
// for the writer. Any other talk page passes. When the wiki cannot be read
// now, the writer judges the reply later from the opt-in page's history.
func (t *Writer) optedInOnArrival(ctx context.Context, i *store.Interaction) bool {
	ns, name := t.wiki.Site().SplitTitle(i.TalkPage)
	if ns.ID != 3 {
		return true
	}
	ok, err := t.optedIn(ctx, name, time.Time{})
	if err != nil {
		t.log.WarnContext(ctx, "reading an editor's opt-in failed; judged when writing", "talk_page", i.TalkPage, "err", err)
		return true
	}
	if !ok {
		t.log.InfoContext(ctx, "reply kept, not for the talk page: the editor has not opted in", "talk_page", i.TalkPage)
		return false
	}
	i.OptInOnArrival = true
	return true
}

// arrival is the second before a reply reached us, which its opt-in is
// judged at when it could not be read on arrival: an opt-in saved in the
// same second as the reply arrived may have come after it (the wiki's
// times have one second's resolution). Replies stored before arrival times
// were kept are judged at the earliest moment they can have arrived, the
// start of their flood-control window. Zero means not known: not opted in.
func (t *Writer) arrival(i store.Interaction) time.Time {
	at := i.Received
	if at.IsZero() && !i.Due.IsZero() {
		at = i.Due.Add(-t.cfg.Window)
	}
	if at.IsZero() {
		return at
	}
	return at.UTC().Truncate(time.Second).Add(-time.Second)
}

// optedIn reads an editor's opt-in page as it is now (at zero) or as it
// was at a time. A page that is missing, not JSON, or whose text the wiki
// hides is no opt-in.
func (t *Writer) optedIn(ctx context.Context, name string, at time.Time) (bool, error) {
	title := nsName(t.wiki.Site(), 2, "User") + ":" + name + OptInPage
	var text string
	var exists bool
	var err error
	if at.IsZero() {
		text, exists, err = t.cfg.Wiki.PageText(ctx, title)
	} else {
		text, exists, err = t.cfg.Wiki.PageTextAt(ctx, title, at)
	}
	if errors.Is(err, wiki.ErrTextHidden) {
		return false, nil
	}
	if err != nil || !exists {
		return false, err
	}
	var opt struct {
		Replies bool `json:"replies"`
	}
	if json.Unmarshal([]byte(text), &opt) != nil {
		return false, nil
	}
	return opt.Replies, nil
}

// write adds one section for the replies, under the daily cap. The wiki's
// permanent refusals (a redirect, a protected page, a block, missing
// rights, a filter) drop the replies from the talk-page queue with a WARN
// line, so an admin sees them and nothing is retried forever; passing
// failures (the wiki down, 5xx, maxlag, rate limits) are retried.
func (t *Writer) write(ctx context.Context, page string, items []store.Interaction) error {
	if !t.underDailyCap(page) {
		t.log.InfoContext(ctx, "daily cap reached: replies kept but not written", "talk_page", page, "replies", len(items))
		return t.mark(ctx, items, talkSkipped)
	}
	bot := t.botRight(ctx)
	title, text, summary := t.compose(items)
	_, err := t.cfg.Wiki.AddTalkSection(ctx, page, title, text, summary, bot)
	if errors.Is(err, wiki.ErrEditRefused) {
		t.log.WarnContext(ctx, "the wiki refused the talk-page edit: replies kept, not written", "talk_page", page, "replies", len(items), "err", err)
		return t.mark(ctx, items, talkRefused)
	}
	if err != nil {
		return t.retryLater(ctx, items, err)
	}
	t.log.InfoContext(ctx, "replies written to the wiki", "talk_page", page, "replies", len(items))
	return t.mark(ctx, items, talkWritten)
}
