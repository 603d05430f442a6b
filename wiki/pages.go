package wiki

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cgt.name/pkg/go-mwclient/params"
)

// ErrNotFound means the wiki has no such page or user (or hides it).
var ErrNotFound = errors.New("wiki: not found")

// Page is what wikipub needs to know of one wiki page to make it an actor.
type Page struct {
	ID        int64
	Namespace int
	// Title is the full title with the namespace's local name.
	Title     string
	LastRevID int64
	Length    int
	Touched   time.Time
	// Created is the time of the page's first revision; zero when not asked.
	Created time.Time
	// Redirect is true when the page is a redirect (PageByID does not follow
	// redirects; PagesByTitle does).
	Redirect bool
}

type pageRow struct {
	PageID    int64  `json:"pageid"`
	NS        int    `json:"ns"`
	Title     string `json:"title"`
	Missing   bool   `json:"missing"`
	Invalid   bool   `json:"invalid"`
	LastRevID int64  `json:"lastrevid"`
	Length    int    `json:"length"`
	Touched   string `json:"touched"`
	Redirect  bool   `json:"redirect"`
	Revisions []struct {
		Timestamp string `json:"timestamp"`
	} `json:"revisions"`
}

func (r *pageRow) page() Page {
	p := Page{ID: r.PageID, Namespace: r.NS, Title: r.Title, LastRevID: r.LastRevID, Length: r.Length, Redirect: r.Redirect}
	p.Touched, _ = time.Parse(time.RFC3339, r.Touched)
	if len(r.Revisions) > 0 {
		p.Created, _ = time.Parse(time.RFC3339, r.Revisions[0].Timestamp)
	}
	return p
}

// PageByID returns the page with that id, with its creation time. A
// deleted page is ErrNotFound; a redirect is returned as such.
func (c *Client) PageByID(ctx context.Context, id int64) (Page, error) {
	var resp struct {
		APIErrorField
		Query struct {
			Pages []pageRow `json:"pages"`
		} `json:"query"`
	}
	p := params.Values{
		"action": "query", "prop": "info|revisions", "pageids": strconv.FormatInt(id, 10),
		"rvdir": "newer", "rvlimit": "1", "rvprop": "timestamp",
	}
	if err := c.Get(ctx, p, &resp); err != nil {
		return Page{}, fmt.Errorf("looking up page %d: %w", id, err)
	}
	if len(resp.Query.Pages) != 1 || resp.Query.Pages[0].Missing || resp.Query.Pages[0].PageID == 0 {
		return Page{}, fmt.Errorf("page %d: %w", id, ErrNotFound)
	}
	return resp.Query.Pages[0].page(), nil
}

// PagesByTitle looks up to 50 titles in one call, following redirects to
// their targets. The map is keyed by the titles as given; titles that do not
// exist (or are invalid) are absent.
func (c *Client) PagesByTitle(ctx context.Context, titles []string) (map[string]Page, error) {
	if len(titles) == 0 {
		return map[string]Page{}, nil
	}
	if len(titles) > 50 {
		return nil, fmt.Errorf("wiki: %d titles in one look-up; at most 50", len(titles))
	}
	var resp struct {
		APIErrorField
		Query struct {
			Normalized []struct{ From, To string } `json:"normalized"`
			Redirects  []struct{ From, To string } `json:"redirects"`
			Pages      []pageRow                   `json:"pages"`
		} `json:"query"`
	}
	p := params.Values{"action": "query", "prop": "info", "titles": strings.Join(titles, "|"), "redirects": "1"}
	if err := c.Get(ctx, p, &resp); err != nil {
		return nil, fmt.Errorf("looking up %d titles: %w", len(titles), err)
	}
	byTitle := map[string]Page{}
	for i := range resp.Query.Pages {
		r := &resp.Query.Pages[i]
		if !r.Missing && !r.Invalid && r.PageID != 0 {
			byTitle[r.Title] = r.page()
		}
	}
	norm := map[string]string{}
	for _, n := range resp.Query.Normalized {
		norm[n.From] = n.To
	}
	redir := map[string]string{}
	for _, r := range resp.Query.Redirects {
		redir[r.From] = r.To
	}
	out := map[string]Page{}
	for _, t := range titles {
		final := t
		if n, ok := norm[final]; ok {
			final = n
		}
		// Redirect chains are followed once by the API (double redirects
		// are broken on the wiki too).
		if r, ok := redir[final]; ok {
			final = r
		}
		if pg, ok := byTitle[final]; ok {
			out[t] = pg
		}
	}
	return out, nil
}

// PagesByID looks up to 50 pages by id in one call, without following
// redirects and without creation times. Pages that do not exist (deleted)
// are absent from the map.
func (c *Client) PagesByID(ctx context.Context, ids []int64) (map[int64]Page, error) {
	out := map[int64]Page{}
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > 50 {
		return nil, fmt.Errorf("wiki: %d page ids in one look-up; at most 50", len(ids))
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	var resp struct {
		APIErrorField
		Query struct {
			Pages []pageRow `json:"pages"`
		} `json:"query"`
	}
	if err := c.Get(ctx, params.Values{"action": "query", "prop": "info", "pageids": strings.Join(s, "|")}, &resp); err != nil {
		return nil, fmt.Errorf("looking up %d pages: %w", len(ids), err)
	}
	for i := range resp.Query.Pages {
		r := &resp.Query.Pages[i]
		if !r.Missing && !r.Invalid && r.PageID != 0 {
			out[r.PageID] = r.page()
		}
	}
	return out, nil
}
