package wiki

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cgt.name/pkg/go-mwclient/params"
)

// User is a registered account of the wiki.
type User struct {
	ID           int64
	Name         string
	Registration time.Time
	EditCount    int
	Groups       []string
}

type userRow struct {
	UserID       int64    `json:"userid"`
	Name         string   `json:"name"`
	Missing      bool     `json:"missing"`
	Invalid      bool     `json:"invalid"`
	Hidden       bool     `json:"hidden"`
	Registration string   `json:"registration"`
	EditCount    int      `json:"editcount"`
	Groups       []string `json:"groups"`
}

// UserByName looks up an account. IP addresses, unknown names and hidden
// (suppressed) accounts are ErrNotFound: none of them may become an actor.
func (c *Client) UserByName(ctx context.Context, name string) (User, error) {
	return c.user(ctx, "ususers", name)
}

// UserByID looks up an account by its id.
func (c *Client) UserByID(ctx context.Context, id int64) (User, error) {
	return c.user(ctx, "ususerids", strconv.FormatInt(id, 10))
}

func (c *Client) user(ctx context.Context, key, value string) (User, error) {
	var resp struct {
		APIErrorField
		Query struct {
			Users []userRow `json:"users"`
		} `json:"query"`
	}
	p := params.Values{"action": "query", "list": "users", key: value, "usprop": "registration|editcount|groups"}
	if err := c.Get(ctx, p, &resp); err != nil {
		return User{}, fmt.Errorf("looking up user %s: %w", value, err)
	}
	if len(resp.Query.Users) != 1 {
		return User{}, fmt.Errorf("user %s: %w", value, ErrNotFound)
	}
	r := resp.Query.Users[0]
	// A privileged reader sees hidden accounts with hidden=true; we treat
	// them exactly as the public does.
	if r.Missing || r.Invalid || r.Hidden || r.UserID == 0 {
		return User{}, fmt.Errorf("user %s: %w", value, ErrNotFound)
	}
	return r.user(), nil
}

func (r *userRow) user() User {
	u := User{ID: r.UserID, Name: r.Name, EditCount: r.EditCount, Groups: r.Groups}
	u.Registration, _ = time.Parse(time.RFC3339, r.Registration)
	return u
}

// UsersByName looks up to 50 names in one call; names that are not
// (visible) accounts are absent from the map, which is keyed by the names
// as the wiki writes them.
func (c *Client) UsersByName(ctx context.Context, names []string) (map[string]User, error) {
	if len(names) > 50 {
		return nil, fmt.Errorf("wiki: %d user names in one look-up; at most 50", len(names))
	}
	out := map[string]User{}
	if len(names) == 0 {
		return out, nil
	}
	var resp struct {
		APIErrorField
		Query struct {
			Users []userRow `json:"users"`
		} `json:"query"`
	}
	p := params.Values{"action": "query", "list": "users", "ususers": strings.Join(names, "|"), "usprop": "registration|editcount|groups"}
	if err := c.Get(ctx, p, &resp); err != nil {
		return nil, fmt.Errorf("looking up %d users: %w", len(names), err)
	}
	for _, r := range resp.Query.Users {
		if r.Missing || r.Invalid || r.Hidden || r.UserID == 0 {
			continue
		}
		out[r.Name] = r.user()
	}
	return out, nil
}

// UsersByID looks up to 50 accounts by id in one call; ids that are not
// (visible) accounts — hidden ones included, whatever this client's
// rights — are absent from the map.
func (c *Client) UsersByID(ctx context.Context, ids []int64) (map[int64]User, error) {
	out := map[int64]User{}
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > 50 {
		return nil, fmt.Errorf("wiki: %d user ids in one look-up; at most 50", len(ids))
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	var resp struct {
		APIErrorField
		Query struct {
			Users []userRow `json:"users"`
		} `json:"query"`
	}
	p := params.Values{"action": "query", "list": "users", "ususerids": strings.Join(s, "|"), "usprop": "registration|editcount|groups"}
	if err := c.Get(ctx, p, &resp); err != nil {
		return nil, fmt.Errorf("looking up %d users: %w", len(ids), err)
	}
	for _, r := range resp.Query.Users {
		if r.Missing || r.Invalid || r.Hidden || r.UserID == 0 {
			continue
		}
		out[r.UserID] = r.user()
	}
	return out, nil
}
