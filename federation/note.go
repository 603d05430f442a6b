package federation

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wikipub/wikipub/wiki"
)

// Public is the ActivityStreams public collection.
const Public = "https://www.w3.org/ns/activitystreams#Public"

// Editor is who made a change, as a post may name them: an actor of ours,
// an unregistered editor (never named), or nobody (hidden).
type Editor struct {
	// Actor is set for a registered, visible editor.
	Actor *Actor
	// Unregistered is an IP or temporary-account edit.
	Unregistered bool
}

// Note is one post, ready to be encoded.
type Note struct {
	ID           string    `json:"id"`
	Type         string    `json:"type"`
	AttributedTo string    `json:"attributedTo"`
	Content      string    `json:"content"`
	URL          string    `json:"url,omitempty"`
	Published    time.Time `json:"published"`
	Updated      time.Time `json:"updated,omitzero"`
	To           []string  `json:"to"`
	CC           []string  `json:"cc"`
	Sensitive    bool      `json:"sensitive"`
	Attachment   []Media   `json:"attachment,omitempty"`
	// Replies, Likes and Shares are the post's collections, which servers
	// (GoToSocial) fetch. Replies is embedded with its first page, as
	// Mastodon does: GoToSocial warns about a bare link on every fetch.
	Replies *embeddedCollection `json:"replies,omitempty"`
	Likes   string              `json:"likes,omitempty"`
	Shares  string              `json:"shares,omitempty"`
}

// embeddedCollection is a collection given inline with its first page; the
// page carries no items (they are listed at the collection's own URL).
type embeddedCollection struct {
	ID    string            `json:"id"`
	Type  string            `json:"type"`
	First embeddedFirstPage `json:"first"`
}

type embeddedFirstPage struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	PartOf string `json:"partOf"`
	Next   string `json:"next"`
	Items  []any  `json:"orderedItems"`
}

// withCollections fills in the post's collections.
func (n Note) withCollections() Note {
	replies := n.ID + "/replies"
	n.Replies = &embeddedCollection{ID: replies, Type: "OrderedCollection", First: embeddedFirstPage{
		ID: replies + "?page=true&embedded=true", Type: "OrderedCollectionPage", PartOf: replies, Next: replies + "?page=true", Items: []any{},
	}}
	n.Likes, n.Shares = n.ID+"/likes", n.ID+"/shares"
	return n
}

// Media is an attached image (uploads).
type Media struct {
	Type      string `json:"type"`
	MediaType string `json:"mediaType,omitempty"`
	URL       string `json:"url"`
	Name      string `json:"name,omitempty"`
}

// sizeText says how many bytes a change added or removed, as wiki users
// read it in page histories.
func sizeText(delta int) string {
	switch {
	case delta > 0:
		return fmt.Sprintf("+%d bytes", delta)
	case delta < 0:
		return fmt.Sprintf("−%d bytes", -delta)
	}
	return "±0 bytes"
}

// diffURL is the wiki's diff of a revision against its parent (or the
// revision itself for a new page).
func diffURL(site *wiki.SiteInfo, c *wiki.Change) string {
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

// who is the sentence's subject.
func who(e Editor) string {
	switch {
	case e.Actor != nil:
		return link(e.Actor.URL, e.Actor.Name)
	case e.Unregistered:
		return "An unregistered editor"
	}
	return ""
}

// editContent is the post for a new page or an edit, e.g. "Jimbo Wales
// edited Albert Einstein: fix birth date (+42 bytes)".
func editContent(site *wiki.SiteInfo, c *wiki.Change, page *Actor, e Editor) string {
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
	b.WriteString(" (" + sizeText(c.SizeDelta()) + ")</p>")
	b.WriteString(`<p><a href="` + escapeText(diffURL(site, c)) + `">` + diffWord(c) + `</a></p>`)
	return b.String()
}

func diffWord(c *wiki.Change) string {
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
