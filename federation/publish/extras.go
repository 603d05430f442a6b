package publish

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/wiki"
)

// Pages reads what an edit's post carries beyond its sentence: the page's
// language, categories and lead image, and the text an edit added.
// *wiki.Client satisfies it.
type Pages interface {
	PageProfiles(ctx context.Context, ids []int64, opt wiki.ProfileOptions) (map[int64]wiki.PageProfile, error)
	AddedText(ctx context.Context, fromRev, toRev int64, maxRunes int) (wiki.AddedText, error)
}

// Extras is what a revision's post shows besides who did what: all of it
// is what the wiki shows an anonymous reader of the page now.
type Extras struct {
	// Language is the page's language as a BCP 47 tag.
	Language string
	// Categories are the page's visible categories, full titles.
	Categories []string
	// Added is the text the edit added, on pages the admin lists for it.
	Added string
	// LeadImage is the page's lead image, attached to a new page's post.
	LeadImage *wiki.Image
}

// maxHashtags bounds the hashtags of one post: a page in forty categories
// would bury its post under them.
const maxHashtags = 10

// MaxExcerpt is the most characters of added text a post quotes.
const MaxExcerpt = 300

// extras reads a revision's extras: one wiki request for the profile (two
// when the page has a lead image), one more for the added text on a listed
// page. Without Pages (a wiki reader for tests) there are none.
func (p *Publisher) extras(ctx context.Context, c *wiki.Change) (Extras, error) {
	if p.pages == nil || c.PageID == 0 {
		return Extras{}, nil
	}
	profiles, err := p.pages.PageProfiles(ctx, []int64{c.PageID}, wiki.ProfileOptions{Sentences: 1})
	if err != nil {
		return Extras{}, fmt.Errorf("reading the profile of page %d: %w", c.PageID, err)
	}
	var x Extras
	if pr, ok := profiles[c.PageID]; ok {
		x.Language, x.Categories = pr.LanguageTag, pr.Categories
		if c.Kind == wiki.KindNew {
			x.LeadImage = pr.LeadImage
		}
	}
	if p.excerpted(c) && c.RevID != 0 {
		at, err := p.pages.AddedText(ctx, c.OldRevID, c.RevID, MaxExcerpt)
		switch {
		case errors.Is(err, wiki.ErrNotFound):
			// Deleted since: the post will be withdrawn; nothing to quote.
		case err != nil:
			return Extras{}, fmt.Errorf("reading the text revision %d added: %w", c.RevID, err)
		case !at.Hidden:
			x.Added = at.Text
		}
	}
	return x, nil
}

// excerpted says whether the admin listed the change's page or namespace
// for quoting what edits add (a log page, where the added line is the
// news).
func (p *Publisher) excerpted(c *wiki.Change) bool {
	for _, ns := range p.cfg.ExcerptNamespaces {
		if ns == c.Namespace {
			return true
		}
	}
	for _, t := range p.cfg.ExcerptPages {
		if sameTitle(t, c.Title) {
			return true
		}
	}
	return false
}

// sameTitle compares titles as the wiki does on a first-letter-case wiki:
// underscores are spaces, and the first letter's case does not count.
func sameTitle(a, b string) bool {
	norm := func(s string) string {
		s = strings.TrimSpace(strings.ReplaceAll(s, "_", " "))
		r, n := utf8.DecodeRuneInString(s)
		return string(unicode.ToUpper(r)) + s[n:]
	}
	return a != "" && norm(a) == norm(b)
}

// hashtags are the categories that make valid hashtags, each linking its
// category page, at most maxHashtags.
func hashtags(site *wiki.SiteInfo, categories []string) []activity.Hashtag {
	var out []activity.Hashtag
	seen := map[string]bool{}
	for _, cat := range categories {
		_, name := site.SplitTitle(cat)
		tag, ok := activity.HashtagName(name)
		if !ok || seen[strings.ToLower(tag)] {
			continue
		}
		seen[strings.ToLower(tag)] = true
		out = append(out, activity.Hashtag{Name: tag, Href: site.PageURL(cat)})
		if len(out) == maxHashtags {
			break
		}
	}
	return out
}

// hashtagsHTML writes the hashtags as Mastodon writes its own: links with
// rel="tag", which no server takes for the link to preview.
func hashtagsHTML(tags []activity.Hashtag) string {
	if len(tags) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("<p>")
	for i, t := range tags {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(`<a href="` + escapeText(t.Href) + `" class="mention hashtag" rel="tag">#<span>` + escapeText(strings.TrimPrefix(t.Name, "#")) + `</span></a>`)
	}
	b.WriteString("</p>")
	return b.String()
}

// excerptHTML quotes the added text, a line of the page a line.
func excerptHTML(added string) string {
	added = strings.TrimSpace(added)
	if added == "" {
		return ""
	}
	lines := strings.Split(added, "\n")
	for i, l := range lines {
		lines[i] = escapeText(strings.TrimSpace(l))
	}
	return "<blockquote><p>" + strings.Join(lines, "<br>") + "</p></blockquote>"
}

// rasterTypes are the image types every server shows attached to a post.
var rasterTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// leadAttachment is a new page's lead image as the post's attachment: the
// banner-sized thumbnail (or the original when that is smaller), raster
// only, with the page and the file's name as alt text.
func leadAttachment(img *wiki.Image, pageName string) []activity.Attachment {
	if img == nil {
		return nil
	}
	f := img.Header
	if f.URL == "" || !rasterTypes[f.Mime] {
		f = img.Original
	}
	if f.URL == "" || !rasterTypes[f.Mime] {
		return nil
	}
	alt := strings.TrimSuffix(img.Name, path.Ext(img.Name))
	return []activity.Attachment{{Type: "Image", MediaType: f.Mime, URL: f.URL, Name: pageName + ": " + alt}}
}
