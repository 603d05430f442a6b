package publish

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/wiki"
)

// Editor is who made a change, as a post may name them: an actor of ours,
// an unregistered editor (never named), or nobody (hidden).
type Editor struct {
	// Actor is set for a registered, visible editor.
	Actor *actors.Actor
	// Unregistered is an IP or temporary-account edit.
	Unregistered bool
}

// SizeText says how many bytes a change added or removed, as wiki users
// read it in page histories.
func SizeText(delta int) string {
	switch {
	case delta > 0:
		return fmt.Sprintf("+%d bytes", delta)
	case delta < 0:
		return fmt.Sprintf("−%d bytes", -delta)
	}
	return "±0 bytes"
}

// DiffURL is the wiki's diff of a revision against its parent (or the
// revision itself for a new page).
func DiffURL(site *wiki.SiteInfo, c *wiki.Change) string {
	q := url.Values{}
	if c.OldRevID > 0 {
		q.Set("diff", strconv.FormatInt(c.RevID, 10))
		q.Set("oldid", strconv.FormatInt(c.OldRevID, 10))
	} else {
		q.Set("oldid", strconv.FormatInt(c.RevID, 10))
	}
	return site.IndexURL(q)
}

// link writes a strong link; text is escaped.
func link(href, text string) string {
	return `<a href="` + escapeText(href) + `"><strong>` + escapeText(text) + `</strong></a>`
}

// who is the sentence's subject. An editor's link is marked as a person
// (u-url, as Mastodon marks a mention), so a server that previews a post's
// first link previews the page, not the editor's user page
// (docs/interop.md, "The link a post previews").
func who(e Editor) string {
	switch {
	case e.Actor != nil:
		return `<a href="` + escapeText(e.Actor.URL) + `" class="u-url"><strong>` + escapeText(e.Actor.Name) + `</strong></a>`
	case e.Unregistered:
		return "An unregistered editor"
	}
	return ""
}

// editContent is the post for a new page or an edit, e.g. "Jimbo Wales
// edited Albert Einstein: fix birth date (+42 bytes)".
func editContent(site *wiki.SiteInfo, c *wiki.Change, page *actors.Actor, e Editor) string {
	verb := "edited"
	switch {
	case c.Kind == wiki.KindNew:
		verb = "created"
	case c.Minor:
		verb = "made a minor edit to"
	}
	var b strings.Builder
	b.WriteString("<p>")
	subject := who(e)
	if subject == "" {
		// The editor is hidden: say what happened to the page.
		b.WriteString(link(page.URL, page.Name))
		if verb == "created" {
			b.WriteString(" was created")
		} else {
			b.WriteString(" was edited")
		}
	} else {
		b.WriteString(subject + " " + verb + " " + link(page.URL, page.Name))
	}
	if s := summaryHTML(c.ParsedComment, site.Server); s != "" && !c.CommentHidden {
		b.WriteString(": " + s)
	}
	b.WriteString(" (" + SizeText(c.SizeDelta()) + ")</p>")
	b.WriteString(`<p><a href="` + escapeText(DiffURL(site, c)) + `">` + DiffWord(c) + `</a></p>`)
	return b.String()
}

// DiffWord names the link to a change: "diff", or "revision" for a new page.
func DiffWord(c *wiki.Change) string {
	if c.OldRevID > 0 {
		return "diff"
	}
	return "revision"
}

// logContent is the post for a log event on a page ("moved", "deleted"...).
func logContent(site *wiki.SiteInfo, c *wiki.Change, e Editor, sentence string) string {
	var b strings.Builder
	b.WriteString("<p>")
	if s := who(e); s != "" {
		b.WriteString(s + " ")
	} else {
		b.WriteString("Someone ")
	}
	b.WriteString(sentence)
	if s := summaryHTML(c.ParsedComment, site.Server); s != "" && !c.CommentHidden {
		b.WriteString(": " + s)
	}
	b.WriteString("</p>")
	return b.String()
}

// RevisionNote builds the post about a revision as the publisher would
// send it now, with what the wiki hides left out; ok is false when the
// revision's page has no actor (a redirect, a user page, deleted since).
// The web package serves it at /ap/rev/{id}. withExtras reads the page's
// language, hashtags, excerpt and lead image too (one to three wiki
// requests): for a post that went out, so what is fetched is what was
// sent; a revision nobody was sent costs a fetcher no more than before.
func (p *Publisher) RevisionNote(ctx context.Context, c *wiki.Change, withExtras bool) (note activity.Note, ok bool, err error) {
	page, err := p.pageActor(ctx, c.PageID)
	if err != nil || page == nil {
		return activity.Note{}, false, err
	}
	ed, err := p.editor(ctx, c)
	if err != nil {
		return activity.Note{}, false, err
	}
	var x Extras
	if withExtras {
		if x, err = p.extras(ctx, c); err != nil {
			return activity.Note{}, false, err
		}
	}
	return p.EditNote(c, page, ed, x), true, nil
}
