package wiki

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cgt.name/pkg/go-mwclient/params"
)

// Revision is one revision as the wiki shows it now: what it hides now is
// empty here, whatever the reader's rights.
type Revision struct {
	ID, ParentID  int64
	PageID        int64
	Namespace     int
	Title         string
	User          string
	UserID        int64
	Anonymous     bool
	Timestamp     time.Time
	Size          int
	Minor         bool
	Comment       string
	ParsedComment string
	Tags          []string

	UserHidden, CommentHidden, ContentHidden, Suppressed bool
}

// Hidden reports whether anything of the revision is hidden.
func (r *Revision) Hidden() bool {
	return r.UserHidden || r.CommentHidden || r.ContentHidden || r.Suppressed
}

type revisionRow struct {
	RevID         int64    `json:"revid"`
	ParentID      int64    `json:"parentid"`
	Minor         bool     `json:"minor"`
	User          string   `json:"user"`
	UserID        int64    `json:"userid"`
	Anon          bool     `json:"anon"`
	Timestamp     string   `json:"timestamp"`
	Size          int      `json:"size"`
	Comment       string   `json:"comment"`
	ParsedComment string   `json:"parsedcomment"`
	Tags          []string `json:"tags"`
	UserHidden    bool     `json:"userhidden"`
	CommentHidden bool     `json:"commenthidden"`
	SHA1Hidden    bool     `json:"sha1hidden"`
	Suppressed    bool     `json:"suppressed"`
}

// maxRevisionsPerCall is what the API takes without the highvolume right.
const maxRevisionsPerCall = 50

// Revisions looks up to 50 revisions in one call. Revisions that do not
// exist or belong to deleted pages are absent from the map.
func (c *Client) Revisions(ctx context.Context, ids []int64) (map[int64]Revision, error) {
	out := map[int64]Revision{}
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > maxRevisionsPerCall {
		return nil, fmt.Errorf("wiki: %d revisions in one look-up; at most %d", len(ids), maxRevisionsPerCall)
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	var resp struct {
		APIErrorField
		Query struct {
			Pages []struct {
				PageID    int64         `json:"pageid"`
				NS        int           `json:"ns"`
				Title     string        `json:"title"`
				Revisions []revisionRow `json:"revisions"`
			} `json:"pages"`
		} `json:"query"`
	}
	p := params.Values{
		"action": "query", "prop": "revisions", "revids": strings.Join(s, "|"),
		"rvprop": "ids|timestamp|user|userid|comment|parsedcomment|size|flags|sha1|tags",
	}
	if err := c.Get(ctx, p, &resp); err != nil {
		return nil, fmt.Errorf("looking up %d revisions: %w", len(ids), err)
	}
	for _, pg := range resp.Query.Pages {
		for _, r := range pg.Revisions {
			rev := Revision{
				ID: r.RevID, ParentID: r.ParentID, PageID: pg.PageID, Namespace: pg.NS, Title: pg.Title,
				User: r.User, UserID: r.UserID, Anonymous: r.Anon, Size: r.Size, Minor: r.Minor,
				Comment: r.Comment, ParsedComment: r.ParsedComment, Tags: r.Tags,
				UserHidden: r.UserHidden, CommentHidden: r.CommentHidden, ContentHidden: r.SHA1Hidden, Suppressed: r.Suppressed,
			}
			rev.Timestamp, _ = time.Parse(time.RFC3339, r.Timestamp)
			if rev.UserHidden {
				rev.User, rev.UserID, rev.Anonymous = "", 0, false
			}
			if rev.CommentHidden {
				rev.Comment, rev.ParsedComment = "", ""
			}
			out[rev.ID] = rev
		}
	}
	return out, nil
}

// RevisionChange describes a revision as the recent change that made it,
// with the size of the change from its parent, for posts built on demand.
func (c *Client) RevisionChange(ctx context.Context, id int64) (Change, error) {
	revs, err := c.Revisions(ctx, []int64{id})
	if err != nil {
		return Change{}, err
	}
	r, ok := revs[id]
	if !ok {
		return Change{}, fmt.Errorf("revision %d: %w", id, ErrNotFound)
	}
	ch := Change{
		Kind: KindEdit, Timestamp: r.Timestamp, Namespace: r.Namespace, Title: r.Title, PageID: r.PageID,
		RevID: r.ID, OldRevID: r.ParentID, User: r.User, UserID: r.UserID, Anonymous: r.Anonymous,
		Comment: r.Comment, ParsedComment: r.ParsedComment, NewSize: r.Size, Minor: r.Minor, Tags: r.Tags,
		UserHidden: r.UserHidden, CommentHidden: r.CommentHidden, ContentHidden: r.ContentHidden, Suppressed: r.Suppressed,
	}
	if r.ParentID == 0 {
		ch.Kind = KindNew
		return ch, nil
	}
	parents, err := c.Revisions(ctx, []int64{r.ParentID})
	if err != nil {
		return Change{}, err
	}
	ch.OldSize = parents[r.ParentID].Size
	return ch, nil
}

// FileURL returns the URL and media type of a file page's current file.
func (c *Client) FileURL(ctx context.Context, title string) (fileURL, mime string, err error) {
	var resp struct {
		APIErrorField
		Query struct {
			Pages []struct {
				ImageInfo []struct {
					URL  string `json:"url"`
					Mime string `json:"mime"`
				} `json:"imageinfo"`
			} `json:"pages"`
		} `json:"query"`
	}
	p := params.Values{"action": "query", "prop": "imageinfo", "titles": title, "iiprop": "url|mime"}
	if err := c.Get(ctx, p, &resp); err != nil {
		return "", "", fmt.Errorf("looking up the file of %s: %w", title, err)
	}
	if len(resp.Query.Pages) == 0 || len(resp.Query.Pages[0].ImageInfo) == 0 {
		return "", "", fmt.Errorf("file %s: %w", title, ErrNotFound)
	}
	ii := resp.Query.Pages[0].ImageInfo[0]
	return absURL(c.site.Server, ii.URL), ii.Mime, nil
}

// absURL makes a protocol-relative or path-only URL absolute.
func absURL(server, u string) string {
	switch {
	case strings.HasPrefix(u, "//"):
		return "https:" + u
	case strings.HasPrefix(u, "/"):
		return server + u
	}
	return u
}
