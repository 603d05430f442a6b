package wiki

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cgt.name/pkg/go-mwclient/params"
)

// ProfileOptions are the image sizes and the length of text that profile
// look-ups ask the wiki for. Zero values take the defaults, which suit
// Mastodon's avatars (400×400) and headers (1500×500).
type ProfileOptions struct {
	// AvatarSize bounds the avatar thumbnail's longer side, in pixels;
	// 0 means 400.
	AvatarSize int
	// HeaderWidth is the header thumbnail's width; 0 means 1500.
	HeaderWidth int
	// Sentences is how many sentences of the opening to take, 1 to 10
	// (TextExtracts' range); 0 means 2.
	Sentences int
}

func (o ProfileOptions) withDefaults() ProfileOptions {
	if o.AvatarSize <= 0 {
		o.AvatarSize = 400
	}
	if o.HeaderWidth <= 0 {
		o.HeaderWidth = 1500
	}
	if o.Sentences <= 0 {
		o.Sentences = 2
	}
	o.Sentences = min(o.Sentences, 10)
	return o
}

// PageProfile is what the wiki says about a page that a profile is made
// of. Nothing in it is hidden from the wiki's anonymous readers.
type PageProfile struct {
	ID        int64
	Namespace int
	Title     string
	Redirect  bool
	// Language is the page's content language as MediaWiki codes it
	// ("en", "zh-hans"); LanguageTag is the same as the BCP 47 tag the wiki
	// writes in HTML lang attributes ("zh-Hans"); Dir is "ltr" or "rtl".
	Language, LanguageTag, Dir string
	// LeadImage is the page's lead image (PageImages), nil when it has none
	// or the wiki has no PageImages; ImagesKnown is false in that last case.
	LeadImage   *Image
	ImagesKnown bool
	// Extract is the plain-text opening of the page (TextExtracts): its
	// first sentences, intro only, as an anonymous reader sees the page
	// rendered; "" when there is none or the wiki has no TextExtracts, and
	// ExtractKnown is false in that last case.
	Extract      string
	ExtractKnown bool
	// Categories are the page's visible categories as full titles
	// ("Category:Physicists"), sorted; hidden categories are left out.
	Categories []string
	// LastRevID and LastEdited are the page's latest revision and its time.
	LastRevID  int64
	LastEdited time.Time
	// TalkPage is the title of the page's talk page ("" in namespaces
	// without talk pages); TalkPageExists says whether it exists.
	TalkPage       string
	TalkPageExists bool
}

// Image is a file of the wiki: the original and two thumbnails of it.
type Image struct {
	// Name is the file's name without the namespace ("Lead image.png");
	// Title its file page ("File:Lead image.png").
	Name, Title string
	Original    ImageFile
	// Avatar is a thumbnail whose longer side is at most
	// ProfileOptions.AvatarSize, Header one ProfileOptions.HeaderWidth wide;
	// either is the original when that is smaller, and has no URL when the
	// wiki could not make it (no thumbnailer for the type).
	Avatar, Header ImageFile
}

// ImageFile is one rendition of an image.
type ImageFile struct {
	URL           string
	Mime          string
	Width, Height int
}

// maxPagesPerQuery is what the API takes in pageids or titles without the
// apihighlimits right.
const maxPagesPerQuery = 50

// PageProfiles describes pages for their profiles, any number of ids at
// once. Pages that do not exist (deleted) are absent from the map. A
// missing PageImages or TextExtracts leaves its fields empty and its flag
// false; it never fails the call.
//
// Cost, cold, for N pages: ⌈N/20⌉ requests (TextExtracts gives at most 20
// extracts a request, the other properties come with the first; ⌈N/50⌉
// without TextExtracts), plus ⌈F/50⌉ for the F distinct lead images' media
// types and header thumbnails (none when no page has one), plus one per 500
// visible category rows beyond the first 500. Nothing is cached here.
// See docs/mediawiki.md, "Profiles of pages".
func (c *Client) PageProfiles(ctx context.Context, ids []int64, opt ProfileOptions) (map[int64]PageProfile, error) {
	opt = opt.withDefaults()
	out := map[int64]PageProfile{}
	for start := 0; start < len(ids); start += maxPagesPerQuery {
		chunk := ids[start:min(start+maxPagesPerQuery, len(ids))]
		if err := c.pageProfiles(ctx, chunk, opt, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// profileRow is one page of a profile query's answer; the continuations of
// the query bring further parts of the same page.
type profileRow struct {
	PageID     int64   `json:"pageid"`
	NS         int     `json:"ns"`
	Title      string  `json:"title"`
	Missing    bool    `json:"missing"`
	Invalid    bool    `json:"invalid"`
	Redirect   bool    `json:"redirect"`
	LastRevID  int64   `json:"lastrevid"`
	Lang       string  `json:"pagelanguage"`
	LangHTML   string  `json:"pagelanguagehtmlcode"`
	LangDir    string  `json:"pagelanguagedir"`
	TalkID     int64   `json:"talkid"`
	PageImage  string  `json:"pageimage"`
	Thumbnail  *thumb  `json:"thumbnail"`
	Original   *thumb  `json:"original"`
	Extract    *string `json:"extract"`
	Categories []struct {
		Title string `json:"title"`
	} `json:"categories"`
	Revisions []struct {
		RevID     int64  `json:"revid"`
		Timestamp string `json:"timestamp"`
	} `json:"revisions"`
}

type thumb struct {
	Source string `json:"source"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

type profileResponse struct {
	APIErrorField
	continueField
	Query struct {
		Pages []profileRow `json:"pages"`
	} `json:"query"`
}

func (c *Client) pageProfiles(ctx context.Context, ids []int64, opt ProfileOptions, out map[int64]PageProfile) error {
	hasImages, hasExtracts := c.site.HasExtension("PageImages"), c.site.HasExtension("TextExtracts")
	props := []string{"info", "categories", "revisions"}
	p := params.Values{
		"action": "query", "pageids": formatIDs(ids),
		"inprop": "talkid",
		"clshow": "!hidden", "cllimit": "max",
		"rvprop": "ids|timestamp",
	}
	if hasImages {
		// No pilicense: the wiki's own $wgPageImagesAPIDefaultLicense says
		// which images it offers reusers (docs/mediawiki.md, "PageImages").
		props = append(props, "pageimages")
		p.Set("piprop", "thumbnail|name|original")
		p.Set("pithumbsize", strconv.Itoa(opt.AvatarSize))
		p.Set("pilimit", strconv.Itoa(maxPagesPerQuery))
	}
	if hasExtracts {
		props = append(props, "extracts")
		setExtractParams(p, opt.Sentences)
	}
	p.Set("prop", strings.Join(props, "|"))

	rows := map[int64]*profileRow{}
	var order []int64
	err := queryAll(ctx, c, p, func(r *profileResponse) error {
		for i := range r.Query.Pages {
			row := &r.Query.Pages[i]
			if row.Missing || row.Invalid || row.PageID == 0 {
				continue
			}
			if have, ok := rows[row.PageID]; ok {
				have.merge(row)
				continue
			}
			rows[row.PageID] = row
			order = append(order, row.PageID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the profiles of %d pages: %w", len(ids), err)
	}

	var files []string
	for _, id := range order {
		if r := rows[id]; r.PageImage != "" {
			files = append(files, r.PageImage)
		}
	}
	infos, err := c.imageInfos(ctx, files, opt.HeaderWidth)
	if err != nil {
		return err
	}
	for _, id := range order {
		r := rows[id]
		pp := PageProfile{
			ID: r.PageID, Namespace: r.NS, Title: r.Title, Redirect: r.Redirect,
			Language: r.Lang, LanguageTag: r.LangHTML, Dir: r.LangDir,
			ImagesKnown: hasImages, ExtractKnown: hasExtracts,
			LastRevID: r.LastRevID,
			TalkPage:  c.site.TalkPageTitle(r.Title),
		}
		if r.NS%2 == 1 {
			pp.TalkPageExists = true
		} else {
			pp.TalkPageExists = r.TalkID != 0
		}
		if r.Extract != nil {
			pp.Extract = tidyExtract(*r.Extract)
		}
		for _, cat := range r.Categories {
			pp.Categories = append(pp.Categories, cat.Title)
		}
		if len(r.Revisions) > 0 {
			pp.LastRevID = r.Revisions[0].RevID
			pp.LastEdited, _ = time.Parse(time.RFC3339, r.Revisions[0].Timestamp)
		}
		if r.PageImage != "" {
			pp.LeadImage = c.leadImage(r, infos)
		}
		out[id] = pp
	}
	return nil
}

// merge takes in what a continuation of the query brought for the page.
func (r *profileRow) merge(more *profileRow) {
	if more.Extract != nil {
		r.Extract = more.Extract
	}
	r.Categories = append(r.Categories, more.Categories...)
	if r.PageImage == "" {
		r.PageImage, r.Thumbnail, r.Original = more.PageImage, more.Thumbnail, more.Original
	}
	if len(r.Revisions) == 0 {
		r.Revisions = more.Revisions
	}
}

// leadImage puts together what PageImages and the file's image info say;
// a file the wiki no longer has (deleted since the page was saved) or
// hides is no lead image.
func (c *Client) leadImage(r *profileRow, infos map[string]imageInfo) *Image {
	name := strings.ReplaceAll(r.PageImage, "_", " ")
	ii, ok := infos[name]
	if !ok {
		return nil
	}
	img := &Image{
		Name: name, Title: ii.title,
		Original: ImageFile{URL: absURL(c.site.Server, ii.URL), Mime: ii.Mime, Width: ii.Width, Height: ii.Height},
	}
	if ii.ThumbURL != "" {
		img.Header = ImageFile{URL: absURL(c.site.Server, ii.ThumbURL), Mime: ii.thumbMime(), Width: ii.ThumbWidth, Height: ii.ThumbHeight}
	}
	if r.Thumbnail != nil && r.Thumbnail.Source != "" {
		u := absURL(c.site.Server, r.Thumbnail.Source)
		mime := ii.thumbMime()
		if u == img.Original.URL {
			mime = ii.Mime
		}
		img.Avatar = ImageFile{URL: u, Mime: mime, Width: r.Thumbnail.Width, Height: r.Thumbnail.Height}
	}
	return img
}

// setExtractParams asks TextExtracts for the plain-text opening: intro
// only, so that 20 pages fit one request (exlimit is 1 without exintro).
// See docs/mediawiki.md, "TextExtracts".
func setExtractParams(p params.Values, sentences int) {
	p.Set("exintro", "1")
	p.Set("explaintext", "1")
	p.Set("exsentences", strconv.Itoa(sentences))
	p.Set("exsectionformat", "plain")
	p.Set("exlimit", "20")
}

// tidyExtract collapses the runs of spaces that removed elements leave in
// TextExtracts' plain text ("a  test" where a hidden span was) and drops
// empty lines.
func tidyExtract(s string) string {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			lines = append(lines, strings.Join(f, " "))
		}
	}
	return strings.Join(lines, "\n")
}
