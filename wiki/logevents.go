package wiki

import (
	"context"
	"fmt"
	"slices"
	"time"

	"cgt.name/pkg/go-mwclient/params"
)

// Log entries are hidden with the same bitmask as revisions (MediaWiki's
// LogPage::DELETED_*): HiddenContent is the action, which hides the target
// page and the parameters (a move's new title), HiddenComment the reason,
// HiddenUser the performer, HiddenFromAll suppression.

// logEventRow is one row of list=logevents as this package reads it.
type logEventRow struct {
	LogID         int64  `json:"logid"`
	LogPage       int64  `json:"logpage"`
	Type          string `json:"type"`
	Action        string `json:"action"`
	Timestamp     string `json:"timestamp"`
	ActionHidden  bool   `json:"actionhidden"`
	CommentHidden bool   `json:"commenthidden"`
	UserHidden    bool   `json:"userhidden"`
	Suppressed    bool   `json:"suppressed"`
}

func (r *logEventRow) visibility() Visibility {
	var v Visibility
	if r.ActionHidden {
		v |= HiddenContent
	}
	if r.CommentHidden {
		v |= HiddenComment
	}
	if r.UserHidden {
		v |= HiddenUser
	}
	if r.Suppressed {
		v |= HiddenFromAll
	}
	return v
}

// logEvents pages through list=logevents with p (and its continuation)
// until each says it has seen enough.
func (c *Client) logEvents(ctx context.Context, p params.Values, each func(*logEventRow) (more bool)) error {
	for {
		var resp struct {
			APIErrorField
			Continue struct {
				LEContinue string `json:"lecontinue"`
			} `json:"continue"`
			Query struct {
				LogEvents []logEventRow `json:"logevents"`
			} `json:"query"`
		}
		if err := c.Get(ctx, p, &resp); err != nil {
			return err
		}
		for i := range resp.Query.LogEvents {
			if !each(&resp.Query.LogEvents[i]) {
				return nil
			}
		}
		if resp.Continue.LEContinue == "" {
			return nil
		}
		p.Set("lecontinue", resp.Continue.LEContinue)
		p.Set("continue", "-||")
	}
}

// LogVisibility says what the wiki now hides of log entries, given each
// entry's id and timestamp (the API finds log entries by time, not by id:
// one call per distinct second). An entry this client is not shown at all
// is absent from the map. Only the flags are read: nothing the wiki hides
// leaves this package.
func (c *Client) LogVisibility(ctx context.Context, entries map[int64]time.Time) (map[int64]Visibility, error) {
	out := map[int64]Visibility{}
	bySecond := map[time.Time][]int64{}
	for id, at := range entries {
		s := at.UTC().Truncate(time.Second)
		bySecond[s] = append(bySecond[s], id)
	}
	seconds := make([]time.Time, 0, len(bySecond))
	for s := range bySecond {
		seconds = append(seconds, s)
	}
	slices.SortFunc(seconds, func(a, b time.Time) int { return a.Compare(b) })
	for _, s := range seconds {
		want := bySecond[s]
		ts := s.Format(time.RFC3339)
		p := params.Values{
			"action": "query", "list": "logevents", "lestart": ts, "leend": ts, "ledir": "newer",
			"lelimit": "max", "leprop": "ids|type|user|comment",
		}
		err := c.logEvents(ctx, p, func(r *logEventRow) bool {
			if slices.Contains(want, r.LogID) {
				out[r.LogID] = r.visibility()
			}
			return true
		})
		if err != nil {
			return nil, fmt.Errorf("reading the log entries of %s: %w", ts, err)
		}
	}
	return out, nil
}

// PageDeletionShown reports whether the wiki shows, to a reader without
// special rights, that the page with this id and last title was deleted:
// its latest deletion or restoration logged under the title is a deletion
// whose target is not hidden. A page deleted with suppression is logged in
// the suppression log only, which the public never sees; a deletion whose
// log entry was hidden since hides the title too. In both cases the page's
// title is the wiki's secret, and false is the answer.
func (c *Client) PageDeletionShown(ctx context.Context, pageID int64, title string) (bool, error) {
	var latest *logEventRow
	p := params.Values{
		"action": "query", "list": "logevents", "letype": "delete", "letitle": title,
		"ledir": "older", "lelimit": "50", "leprop": "ids|type|timestamp",
	}
	err := c.logEvents(ctx, p, func(r *logEventRow) bool {
		if r.Action == "revision" || r.Action == "event" {
			return true
		}
		if r.LogPage != 0 && r.LogPage != pageID {
			return true // another page that had the title
		}
		row := *r
		latest = &row
		return false
	})
	if err != nil {
		return false, fmt.Errorf("reading the deletion log of page %d: %w", pageID, err)
	}
	if latest == nil || latest.ActionHidden {
		return false, nil
	}
	switch latest.Action {
	case "delete", "delete_redir", "delete_redir2":
		return true, nil
	}
	return false, nil
}
