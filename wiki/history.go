package wiki

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cgt.name/pkg/go-mwclient/params"
)

// PageHistory reads one page of a page's revisions, newest first, as
// changes (with sizes), continuing at cont; next is "" on the last page.
// The history stays the wiki's: nothing of it is copied.
func (c *Client) PageHistory(ctx context.Context, pageID int64, cont string, limit int) (changes []Change, next string, err error) {
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
		"action": "query", "prop": "revisions", "pageids": strconv.FormatInt(pageID, 10),
		"rvlimit": strconv.Itoa(limit + 1), // one more, for the oldest one's parent size
		"rvprop":  "ids|timestamp|user|userid|comment|parsedcomment|size|flags|sha1|tags",
	}
	if cont != "" {
		// cont is the id of the newest revision of the next page.
		if _, err := strconv.ParseInt(cont, 10, 64); err != nil {
			return nil, "", fmt.Errorf("history continuation %q is not a revision id", cont)
		}
		p.Set("rvstartid", cont)
	}
	if err := c.Get(ctx, p, &resp); err != nil {
		return nil, "", fmt.Errorf("reading the history of page %d: %w", pageID, err)
	}
	if len(resp.Query.Pages) == 0 {
		return nil, "", fmt.Errorf("page %d: %w", pageID, ErrNotFound)
	}
	pg := resp.Query.Pages[0]
	revs := pg.Revisions
	for i, r := range revs {
		if i == limit {
			// The extra revision starts the next page.
			next = strconv.FormatInt(r.RevID, 10)
			break
		}
		ch := revisionToChange(r, pg.PageID, pg.NS, pg.Title)
		if i+1 < len(revs) {
			ch.OldSize = revs[i+1].Size
		}
		changes = append(changes, ch)
	}
	return changes, next, nil
}

func revisionToChange(r revisionRow, pageID int64, ns int, title string) Change {
	ch := Change{
		Kind: KindEdit, Namespace: ns, Title: title, PageID: pageID, RevID: r.RevID, OldRevID: r.ParentID,
		User: r.User, UserID: r.UserID, Anonymous: r.Anon, Comment: r.Comment, ParsedComment: r.ParsedComment,
		NewSize: r.Size, Minor: r.Minor, Tags: r.Tags,
		UserHidden: r.UserHidden, CommentHidden: r.CommentHidden, ContentHidden: r.SHA1Hidden, Suppressed: r.Suppressed,
	}
	if r.ParentID == 0 {
		ch.Kind = KindNew
	}
	ch.Timestamp, _ = time.Parse(time.RFC3339, r.Timestamp)
	if ch.UserHidden {
		ch.User, ch.UserID, ch.Anonymous = "", 0, false
	}
	if ch.CommentHidden {
		ch.Comment, ch.ParsedComment = "", ""
	}
	return ch
}

// Contributions reads one page of a user's edits, newest first.
func (c *Client) Contributions(ctx context.Context, userID int64, cont string, limit int) (changes []Change, next string, err error) {
	var resp struct {
		APIErrorField
		Continue struct {
			UCContinue string `json:"uccontinue"`
		} `json:"continue"`
		Query struct {
			Contribs []struct {
				revisionRow
				PageID   int64  `json:"pageid"`
				NS       int    `json:"ns"`
				Title    string `json:"title"`
				SizeDiff int    `json:"sizediff"`
			} `json:"usercontribs"`
		} `json:"query"`
	}
	p := params.Values{
		"action": "query", "list": "usercontribs", "ucuserids": strconv.FormatInt(userID, 10),
		"uclimit": strconv.Itoa(limit),
		"ucprop":  "ids|title|timestamp|comment|parsedcomment|size|sizediff|flags|tags",
	}
	if cont != "" {
		p.Set("uccontinue", cont)
		p.Set("continue", "-||")
	}
	if err := c.Get(ctx, p, &resp); err != nil {
		return nil, "", fmt.Errorf("reading the contributions of user %d: %w", userID, err)
	}
	for _, r := range resp.Query.Contribs {
		ch := revisionToChange(r.revisionRow, r.PageID, r.NS, r.Title)
		ch.OldSize = r.Size - r.SizeDiff
		changes = append(changes, ch)
	}
	return changes, resp.Continue.UCContinue, nil
}

// EditCount asks the wiki's REST API how many edits a page has.
func (c *Client) EditCount(ctx context.Context, title string) (int, error) {
	rest := strings.TrimSuffix(c.cfg.API, "api.php") + "rest.php/v1/page/" + url.PathEscape(strings.ReplaceAll(title, " ", "_")) + "/history/counts/edits"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rest, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	resp, err := (&http.Client{Transport: c.cfg.Transport, Timeout: c.cfg.Timeout}).Do(req)
	if err != nil {
		return 0, fmt.Errorf("counting the edits of %s: %w", title, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("counting the edits of %s: %s", title, resp.Status)
	}
	var out struct {
		Count int `json:"count"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&out); err != nil {
		return 0, fmt.Errorf("counting the edits of %s: %w", title, err)
	}
	return out.Count, nil
}
