package wiki

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"cgt.name/pkg/go-mwclient/params"
)

// ErrTextHidden means the wiki hides the current revision's text from this
// client (revision deletion).
var ErrTextHidden = errors.New("wiki: the text is hidden")

// PageText returns the current wikitext of a page, as saved (an opt-in
// marker on an editor's user page is read from it). exists is false, with
// no error, when the page does not exist. A redirect is not followed: its
// own text ("#REDIRECT [[...]]") is returned. An invalid title is an error.
func (c *Client) PageText(ctx context.Context, title string) (text string, exists bool, err error) {
	return c.pageText(ctx, title, nil, false)
}

// pageText reads one revision's text; extra selects it (none: the
// current one), and past says none may match (the page is newer).
func (c *Client) pageText(ctx context.Context, title string, extra params.Values, past bool) (text string, exists bool, err error) {
	var resp struct {
		APIErrorField
		Query struct {
			Pages []struct {
				Title         string `json:"title"`
				Missing       bool   `json:"missing"`
				Invalid       bool   `json:"invalid"`
				InvalidReason string `json:"invalidreason"`
				Special       bool   `json:"special"`
				Revisions     []struct {
					Slots struct {
						Main struct {
							Content     *string `json:"content"`
							TextHidden  bool    `json:"texthidden"`
							TextMissing bool    `json:"textmissing"`
						} `json:"main"`
					} `json:"slots"`
				} `json:"revisions"`
			} `json:"pages"`
		} `json:"query"`
	}
	p := params.Values{
		"action": "query", "prop": "revisions", "titles": title,
		"rvprop": "content", "rvslots": "main",
	}
	for k, v := range extra {
		p[k] = v
	}
	if err := c.Get(ctx, p, &resp); err != nil {
		return "", false, fmt.Errorf("reading the wikitext of %q: %w", title, err)
	}
	if len(resp.Query.Pages) != 1 {
		return "", false, fmt.Errorf("reading the wikitext of %q: the wiki answered with %d pages", title, len(resp.Query.Pages))
	}
	pg := resp.Query.Pages[0]
	switch {
	case pg.Invalid:
		return "", false, fmt.Errorf("reading the wikitext of %q: invalid title: %s", title, pg.InvalidReason)
	case pg.Special:
		return "", false, fmt.Errorf("reading the wikitext of %q: a special page has no wikitext", title)
	case pg.Missing, past && len(pg.Revisions) == 0:
		return "", false, nil
	case len(pg.Revisions) == 0:
		return "", false, fmt.Errorf("reading the wikitext of %q: the wiki returned no revision", title)
	}
	main := pg.Revisions[0].Slots.Main
	if main.TextHidden || main.Content == nil {
		return "", true, fmt.Errorf("reading the wikitext of %q: %w", title, ErrTextHidden)
	}
	return *main.Content, true, nil
}

// PageTextAt returns the wikitext of a page as it was at a time: its
// latest revision saved at or before then (MediaWiki's timestamps have one
// second's resolution). exists is false, with no error, when the page had
// no revision then, or has none now (it was deleted). A redirect is not
// followed.
func (c *Client) PageTextAt(ctx context.Context, title string, at time.Time) (text string, exists bool, err error) {
	return c.pageText(ctx, title, params.Values{
		"rvstart": at.UTC().Format(time.RFC3339), "rvdir": "older", "rvlimit": "1",
	}, true)
}

// HasRight reports whether this client's user holds a right, such as "bot"
// (AddTalkSection's bot flag counts only then). With a bot password the
// rights are those its grants allow, which is what the wiki checks.
func (c *Client) HasRight(ctx context.Context, right string) (bool, error) {
	me, err := c.userInfo(ctx)
	if err != nil {
		return false, err
	}
	return slices.Contains(me.Rights, right), nil
}

// userInfo is who the wiki takes this client for, and what it may do.
type userInfo struct {
	Name   string   `json:"name"`
	Anon   bool     `json:"anon"`
	Rights []string `json:"rights"`
}

func (c *Client) userInfo(ctx context.Context) (userInfo, error) {
	var resp struct {
		APIErrorField
		Query struct {
			UserInfo userInfo `json:"userinfo"`
		} `json:"query"`
	}
	p := params.Values{"action": "query", "meta": "userinfo", "uiprop": "rights"}
	if err := c.Get(ctx, p, &resp); err != nil {
		return userInfo{}, fmt.Errorf("reading our own user's rights: %w", err)
	}
	return resp.Query.UserInfo, nil
}
