package wiki

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"cgt.name/pkg/go-mwclient/params"
)

// parseUserRename reads a renameuser log entry's parameters, which
// Renameuser writes as 4::olduser, 5::newuser and 6::edits.
// See docs/mediawiki.md, "Renameuser".
func parseUserRename(raw json.RawMessage) (*UserRename, error) {
	var p struct {
		OldUser string `json:"olduser"`
		NewUser string `json:"newuser"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("renameuser log parameters: %w", err)
	}
	if p.OldUser == "" || p.NewUser == "" {
		return nil, fmt.Errorf("renameuser log parameters without both names: %s", raw)
	}
	return &UserRename{OldName: p.OldUser, NewName: p.NewUser}, nil
}

// maxRenameHops bounds how many later renames of one account are followed
// to find its id.
const maxRenameHops = 10

// resolveRenames fills in the user ids of the renames among changes. The
// log entry names the account by its names only; Renameuser keeps the id.
// So the account's name now is found by following the renameuser log of
// User:NewName from the rename on (it may have been renamed again), and
// the account of that name is the one, if it existed at that rename's time
// (a freed name can be taken by a new account).
//
// Cost: nothing without renames; for R renames in a page of changes, R
// requests (one more for each later rename of the same account) and one
// for the accounts.
func (c *Client) resolveRenames(ctx context.Context, changes []Change) error {
	type pending struct {
		rn   *UserRename
		name string
		at   time.Time
	}
	var todo []pending
	for i := range changes {
		rn := changes[i].Rename
		if rn == nil {
			continue
		}
		name, at, err := c.currentName(ctx, rn.NewName, changes[i].Timestamp)
		if err != nil {
			return err
		}
		todo = append(todo, pending{rn: rn, name: name, at: at})
	}
	for start := 0; start < len(todo); start += maxPagesPerQuery {
		chunk := todo[start:min(start+maxPagesPerQuery, len(todo))]
		names := make([]string, len(chunk))
		for i, p := range chunk {
			names[i] = p.name
		}
		users, err := c.UsersByName(ctx, names)
		if err != nil {
			return fmt.Errorf("finding the accounts of %d renames: %w", len(names), err)
		}
		for _, p := range chunk {
			if u, ok := users[p.name]; ok && registeredBy(u, p.at) {
				p.rn.UserID = u.ID
			}
		}
	}
	return nil
}

// registeredBy reports whether u can be the account renamed at t: it
// existed then (accounts older than MediaWiki 1.3 have no registration).
func registeredBy(u User, t time.Time) bool {
	return u.Registration.IsZero() || !u.Registration.After(t)
}

// currentName follows the renames of the account called name at since and
// returns its name after the last one it can see, with that rename's time.
// A later rename whose log entry hides its parameters ends the trail.
func (c *Client) currentName(ctx context.Context, name string, since time.Time) (string, time.Time, error) {
	userNS := c.nsName(2, "User")
	for hop := 0; hop < maxRenameHops; hop++ {
		p := params.Values{
			"action": "query", "list": "logevents", "letype": "renameuser",
			"letitle": userNS + ":" + name, "lestart": since.UTC().Format(time.RFC3339),
			"ledir": "newer", "lelimit": "1", "leprop": "details|timestamp",
		}
		var resp struct {
			APIErrorField
			Query struct {
				LogEvents []struct {
					Timestamp    string          `json:"timestamp"`
					ActionHidden bool            `json:"actionhidden"`
					Params       json.RawMessage `json:"params"`
				} `json:"logevents"`
			} `json:"query"`
		}
		if err := c.Get(ctx, p, &resp); err != nil {
			return "", time.Time{}, fmt.Errorf("following the renames of %q: %w", name, err)
		}
		if len(resp.Query.LogEvents) == 0 || resp.Query.LogEvents[0].ActionHidden {
			return name, since, nil
		}
		ev := resp.Query.LogEvents[0]
		rn, err := parseUserRename(ev.Params)
		if err != nil || strings.EqualFold(rn.NewName, name) {
			return name, since, nil
		}
		at, err := time.Parse(time.RFC3339, ev.Timestamp)
		if err != nil {
			return name, since, nil
		}
		name, since = rn.NewName, at
	}
	return name, since, nil
}
