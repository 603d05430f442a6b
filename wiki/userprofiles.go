package wiki

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"cgt.name/pkg/go-mwclient/params"
)

// UserProfile is what the wiki says about an account that a profile is
// made of. Hidden (suppressed) accounts never have one.
type UserProfile struct {
	User
	// UserPage and TalkPage are the titles of the user's page and talk page
	// ("User:Jimbo Wales", "User talk:Jimbo Wales"), with whether they exist.
	UserPage, TalkPage             string
	UserPageExists, TalkPageExists bool
	// Extract is the plain-text opening of the user page (TextExtracts),
	// "" when there is none; ExtractKnown is false when the wiki has no
	// TextExtracts.
	Extract      string
	ExtractKnown bool
}

// UserProfiles describes accounts by id for their profiles, any number at
// once. Ids that are not visible accounts are absent from the map.
//
// Cost, cold, for N accounts: ⌈N/50⌉ requests for the accounts, then what
// UserProfilesByName costs for their names.
// See docs/mediawiki.md, "Profiles of users".
func (c *Client) UserProfiles(ctx context.Context, ids []int64, opt ProfileOptions) (map[int64]UserProfile, error) {
	out := map[int64]UserProfile{}
	for start := 0; start < len(ids); start += maxPagesPerQuery {
		users, err := c.UsersByID(ctx, ids[start:min(start+maxPagesPerQuery, len(ids))])
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(users))
		for _, u := range users {
			names = append(names, u.Name)
		}
		byName, err := c.UserProfilesByName(ctx, names, opt)
		if err != nil {
			return nil, err
		}
		for _, up := range byName {
			out[up.ID] = up
		}
	}
	return out, nil
}

// UserProfilesByName describes accounts by name, any number at once; the
// map is keyed by the names as the wiki writes them. Names that are not
// visible accounts (IP addresses, unknown or hidden names) are absent.
//
// Cost, cold, for N names: ⌈N/20⌉ requests with TextExtracts (20 extracts
// a request; the accounts and their pages come with the first of each 50),
// ⌈N/50⌉ without.
// See docs/mediawiki.md, "Profiles of users".
func (c *Client) UserProfilesByName(ctx context.Context, names []string, opt ProfileOptions) (map[string]UserProfile, error) {
	opt = opt.withDefaults()
	out := map[string]UserProfile{}
	for start := 0; start < len(names); start += maxPagesPerQuery {
		if err := c.userProfiles(ctx, names[start:min(start+maxPagesPerQuery, len(names))], opt, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *Client) userProfiles(ctx context.Context, names []string, opt ProfileOptions, out map[string]UserProfile) error {
	if len(names) == 0 {
		return nil
	}
	userNS := c.nsName(2, "User")
	titles := make([]string, len(names))
	for i, n := range names {
		titles[i] = userNS + ":" + n
	}
	hasExtracts := c.site.HasExtension("TextExtracts")
	p := params.Values{
		"action": "query",
		"list":   "users", "ususers": strings.Join(names, "|"), "usprop": "registration|editcount|groups",
		"titles": strings.Join(titles, "|"), "prop": "info", "inprop": "talkid",
	}
	if hasExtracts {
		p.Set("prop", "info|extracts")
		setExtractParams(p, opt.Sentences)
	}
	type response struct {
		APIErrorField
		continueField
		Query struct {
			Users []userRow `json:"users"`
			Pages []struct {
				PageID  int64   `json:"pageid"`
				Title   string  `json:"title"`
				Missing bool    `json:"missing"`
				Invalid bool    `json:"invalid"`
				TalkID  int64   `json:"talkid"`
				Extract *string `json:"extract"`
			} `json:"pages"`
		} `json:"query"`
	}
	users := map[string]User{}
	type pageState struct {
		exists  bool
		talk    bool
		extract string
	}
	pages := map[string]*pageState{}
	err := queryAll(ctx, c, p, func(r *response) error {
		for _, u := range r.Query.Users {
			if u.Missing || u.Invalid || u.Hidden || u.UserID == 0 {
				continue
			}
			users[u.Name] = u.user()
		}
		for _, pg := range r.Query.Pages {
			if pg.Invalid {
				continue
			}
			st := pages[pg.Title]
			if st == nil {
				st = &pageState{}
				pages[pg.Title] = st
			}
			if !pg.Missing && pg.PageID != 0 {
				st.exists = true
			}
			if pg.TalkID != 0 {
				st.talk = true
			}
			if pg.Extract != nil {
				st.extract = tidyExtract(*pg.Extract)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the profiles of %d users: %w", len(names), err)
	}
	for name, u := range users {
		up := UserProfile{
			User: u, UserPage: userNS + ":" + name, TalkPage: c.nsName(3, "User talk") + ":" + name,
			ExtractKnown: hasExtracts,
		}
		if st := pages[up.UserPage]; st != nil {
			up.UserPageExists, up.TalkPageExists, up.Extract = st.exists, st.talk, st.extract
		}
		out[name] = up
	}
	return nil
}

// nsName is the local name of a namespace, or fallback when the site
// information lacks it.
func (c *Client) nsName(id int, fallback string) string {
	if ns, ok := c.site.Namespaces[id]; ok && ns.Name != "" {
		return ns.Name
	}
	return fallback
}

// formatIDs writes ids as the API takes them, separated by "|".
func formatIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, "|")
}
