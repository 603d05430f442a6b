package wiki

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cgt.name/pkg/go-mwclient/params"
)

// rcProps are the row properties the watcher needs. patrolled is left out:
// it fails without the patrol right.
// See docs/mediawiki.md, "Reading recent changes".
const rcProps = "title|ids|sizes|flags|user|userid|comment|parsedcomment|timestamp|loginfo|tags|sha1|redirect"

// RCQuery selects a page of recent changes.
type RCQuery struct {
	// Start is the oldest timestamp to return, inclusive.
	Start time.Time
	// Continue is the continuation of the previous page, "" for the first.
	Continue string
	// Types limits the row types (edit, new, log, categorize); empty is all.
	Types []string
}

// RecentChanges reads one page of list=recentchanges, oldest first. next is
// the continuation for the following page, "" on the last page. A page with
// account renames costs a few more requests, to find the accounts' ids
// (resolveRenames).
func (c *Client) RecentChanges(ctx context.Context, q RCQuery) (changes []Change, next string, err error) {
	start := q.Start
	types := "edit|new|log|categorize"
	if len(q.Types) > 0 {
		types = strings.Join(q.Types, "|")
	}
	p := params.Values{
		"action":  "query",
		"list":    "recentchanges",
		"rcdir":   "newer",
		"rcstart": start.UTC().Format(time.RFC3339),
		"rclimit": "max",
		"rcprop":  rcProps,
		"rctype":  types,
	}
	if q.Continue != "" {
		p.Set("rccontinue", q.Continue)
		p.Set("continue", "-||")
	}
	var resp rcResponse
	if err := c.Get(ctx, p, &resp); err != nil {
		return nil, "", fmt.Errorf("reading recent changes from %s: %w", start.UTC().Format(time.RFC3339), err)
	}
	changes = make([]Change, 0, len(resp.Query.RecentChanges))
	for i := range resp.Query.RecentChanges {
		ch, err := resp.Query.RecentChanges[i].change()
		if err != nil {
			return nil, "", fmt.Errorf("recent change %d: %w", resp.Query.RecentChanges[i].RCID, err)
		}
		changes = append(changes, ch)
	}
	if err := c.resolveRenames(ctx, changes); err != nil {
		return nil, "", err
	}
	return changes, resp.Continue.RCContinue, nil
}

type rcResponse struct {
	APIErrorField
	Continue struct {
		RCContinue string `json:"rccontinue"`
	} `json:"continue"`
	Query struct {
		RecentChanges []rcRow `json:"recentchanges"`
	} `json:"query"`
}

// rcRow is one row as the API writes it with formatversion=2.
type rcRow struct {
	Type          string          `json:"type"`
	NS            int             `json:"ns"`
	Title         string          `json:"title"`
	PageID        int64           `json:"pageid"`
	RevID         int64           `json:"revid"`
	OldRevID      int64           `json:"old_revid"`
	RCID          int64           `json:"rcid"`
	User          string          `json:"user"`
	UserID        int64           `json:"userid"`
	Anon          bool            `json:"anon"`
	Bot           bool            `json:"bot"`
	New           bool            `json:"new"`
	Minor         bool            `json:"minor"`
	OldLen        int             `json:"oldlen"`
	NewLen        int             `json:"newlen"`
	Timestamp     string          `json:"timestamp"`
	Comment       string          `json:"comment"`
	ParsedComment string          `json:"parsedcomment"`
	Redirect      bool            `json:"redirect"`
	Tags          []string        `json:"tags"`
	SHA1          string          `json:"sha1"`
	LogID         int64           `json:"logid"`
	LogType       string          `json:"logtype"`
	LogAction     string          `json:"logaction"`
	LogParams     json.RawMessage `json:"logparams"`
	UserHidden    bool            `json:"userhidden"`
	CommentHidden bool            `json:"commenthidden"`
	SHA1Hidden    bool            `json:"sha1hidden"`
	ActionHidden  bool            `json:"actionhidden"`
	Suppressed    bool            `json:"suppressed"`
}

func (r *rcRow) change() (Change, error) {
	ts, err := time.Parse(time.RFC3339, r.Timestamp)
	if err != nil {
		return Change{}, fmt.Errorf("timestamp %q: %w", r.Timestamp, err)
	}
	c := Change{
		RCID: r.RCID, Timestamp: ts, Namespace: r.NS, Title: r.Title,
		PageID: r.PageID, RevID: r.RevID, OldRevID: r.OldRevID,
		User: r.User, UserID: r.UserID, Anonymous: r.Anon,
		Comment: r.Comment, ParsedComment: r.ParsedComment,
		OldSize: r.OldLen, NewSize: r.NewLen, Minor: r.Minor, Bot: r.Bot,
		Redirect: r.Redirect, Tags: r.Tags, SHA1: r.SHA1,
		LogID: r.LogID, LogType: r.LogType, LogAction: r.LogAction,
		UserHidden: r.UserHidden, CommentHidden: r.CommentHidden,
		ContentHidden: r.SHA1Hidden, Suppressed: r.Suppressed,
	}
	// A privileged reader (our bot may be a sysop) is given hidden fields
	// together with the flag; what the wiki hides from the public must not
	// leave this package.
	// (docs/mediawiki.md, "Revision deletion mutates rows")
	if c.UserHidden {
		c.User, c.UserID, c.Anonymous = "", 0, false
	}
	if c.CommentHidden {
		c.Comment, c.ParsedComment = "", ""
	}
	if c.ContentHidden {
		c.SHA1 = ""
	}
	if r.ActionHidden {
		// The log entry's target is hidden: keep only that it happened.
		c.Title, c.PageID = "", 0
		r.LogParams = nil
	}
	if !isEmptyParams(r.LogParams) {
		c.LogParams = r.LogParams
	}

	switch r.Type {
	case "new":
		c.Kind = KindNew
	case "edit":
		c.Kind = KindEdit
	case "categorize":
		c.Kind = KindCategorize
	case "log":
		c.Kind = logKind(r.LogType, r.LogAction)
	default:
		return Change{}, fmt.Errorf("unknown row type %q", r.Type)
	}
	switch c.Kind {
	case KindMove:
		if c.LogParams == nil {
			break
		}
		var m struct {
			TargetNS         int    `json:"target_ns"`
			TargetTitle      string `json:"target_title"`
			SuppressRedirect bool   `json:"suppressredirect"`
		}
		if err := json.Unmarshal(c.LogParams, &m); err != nil {
			return Change{}, fmt.Errorf("move log parameters: %w", err)
		}
		c.Move = &Move{TargetNamespace: m.TargetNS, TargetTitle: m.TargetTitle, SuppressRedirect: m.SuppressRedirect}
	case KindRevisionDelete:
		rd, err := parseRevisionDelete(c.LogParams)
		if err != nil {
			return Change{}, err
		}
		c.RevisionDelete = rd
	case KindUserRename:
		if c.LogParams == nil {
			break
		}
		rn, err := parseUserRename(c.LogParams)
		if err != nil {
			return Change{}, err
		}
		c.Rename = rn
	}
	return c, nil
}

func logKind(logType, action string) Kind {
	switch logType {
	case "move":
		return KindMove
	case "delete":
		switch action {
		case "delete", "delete_redir", "delete_redir2":
			return KindDelete
		case "restore":
			return KindRestore
		case "revision", "event":
			return KindRevisionDelete
		}
	case "upload":
		return KindUpload
	case "newusers":
		return KindNewAccount
	case "protect":
		return KindProtect
	case "block":
		return KindBlock
	case "renameuser":
		if action == "renameuser" {
			return KindUserRename
		}
	}
	return KindLog
}

func isEmptyParams(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("[]")) || bytes.Equal(t, []byte("{}")) || bytes.Equal(t, []byte("null"))
}

func parseRevisionDelete(raw json.RawMessage) (*RevisionDelete, error) {
	if raw == nil {
		// The log entry itself is hidden; there is nothing to act on.
		return &RevisionDelete{}, nil
	}
	var p struct {
		Type string        `json:"type"`
		IDs  []flexibleInt `json:"ids"`
		Old  struct {
			Bitmask int `json:"bitmask"`
		} `json:"old"`
		New struct {
			Bitmask int `json:"bitmask"`
		} `json:"new"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("revision deletion log parameters: %w", err)
	}
	rd := &RevisionDelete{Type: p.Type, Old: Visibility(p.Old.Bitmask), New: Visibility(p.New.Bitmask)}
	for _, id := range p.IDs {
		rd.IDs = append(rd.IDs, int64(id))
	}
	return rd, nil
}

// flexibleInt accepts a number or a numeric string: log parameters keep
// whatever type the writing code used.
type flexibleInt int64

func (f *flexibleInt) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("id %s: %w", b, err)
	}
	*f = flexibleInt(n)
	return nil
}
