package wiki

import (
	"context"
	"fmt"

	"cgt.name/pkg/go-mwclient/params"
)

// SiteProfile is what the wiki says about itself that the profile of the
// whole wiki is made of.
type SiteProfile struct {
	Name string
	// MainPage is the main page's title; MainPageURL its URL.
	MainPage, MainPageURL string
	// Lang is the wiki's content language (MediaWiki's code).
	Lang string
	// Logo is the wiki's logo as siteinfo gives it: the "1x" variant of
	// $wgLogos (often an SVG; the API of MediaWiki 1.39 gives no other
	// variant). Favicon is the favicon's URL, "" when the wiki has none.
	Logo, Favicon string
	// Description is a short plain-text description of the wiki: the
	// interface message "sitesubtitle" (the tagline Vector shows under the
	// logo, its markup reduced to text) when the admin has written one, else the opening of the main
	// page (TextExtracts), else "". DescriptionFrom says which:
	// "sitesubtitle", "mainpage" or "".
	Description, DescriptionFrom string
}

// SiteProfile reads the wiki's name, logo, main page, language and
// description fresh from the wiki.
//
// Cost: 1 request (siteinfo, the message and the main page's opening in
// one query).
// See docs/mediawiki.md, "The wiki's own profile".
func (c *Client) SiteProfile(ctx context.Context, opt ProfileOptions) (SiteProfile, error) {
	opt = opt.withDefaults()
	p := params.Values{
		"action": "query", "meta": "siteinfo|allmessages", "siprop": "general",
		"ammessages": "sitesubtitle", "amenableparser": "1",
	}
	hasExtracts := c.site.HasExtension("TextExtracts") && c.site.MainPage != ""
	if hasExtracts {
		p.Set("titles", c.site.MainPage)
		p.Set("redirects", "1")
		p.Set("prop", "extracts")
		setExtractParams(p, opt.Sentences)
	}
	var resp struct {
		APIErrorField
		Query struct {
			General struct {
				SiteName string `json:"sitename"`
				MainPage string `json:"mainpage"`
				Logo     string `json:"logo"`
				Favicon  string `json:"favicon"`
				Lang     string `json:"lang"`
			} `json:"general"`
			AllMessages []struct {
				Name    string `json:"name"`
				Content string `json:"content"`
				Missing bool   `json:"missing"`
			} `json:"allmessages"`
			Pages []struct {
				Missing bool    `json:"missing"`
				Extract *string `json:"extract"`
			} `json:"pages"`
		} `json:"query"`
	}
	if err := c.Get(ctx, p, &resp); err != nil {
		return SiteProfile{}, fmt.Errorf("reading the wiki's profile: %w", err)
	}
	g := resp.Query.General
	sp := SiteProfile{
		Name: g.SiteName, MainPage: g.MainPage, Lang: g.Lang,
		Logo: absURL(c.site.Server, g.Logo), Favicon: absURL(c.site.Server, g.Favicon),
	}
	if sp.MainPage != "" {
		sp.MainPageURL = c.site.PageURL(sp.MainPage)
	}
	for _, m := range resp.Query.AllMessages {
		if m.Name == "sitesubtitle" && !m.Missing {
			if d := plainWikitext(m.Content, c.site); d != "" && d != "-" {
				sp.Description, sp.DescriptionFrom = d, "sitesubtitle"
			}
		}
	}
	if sp.Description == "" && hasExtracts {
		for _, pg := range resp.Query.Pages {
			if !pg.Missing && pg.Extract != nil {
				if d := tidyExtract(*pg.Extract); d != "" {
					sp.Description, sp.DescriptionFrom = d, "mainpage"
				}
			}
		}
	}
	return sp, nil
}
