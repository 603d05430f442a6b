package testenv

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// GTSUser is a person on the test GoToSocial, using its client API (the
// Mastodon API) as their app would.
type GTSUser struct {
	Name  string
	Token string
	g     *GoToSocial
}

// ActorID is the person's ActivityPub id, as other servers know them.
func (u *GTSUser) ActorID() string { return u.g.URL + "/users/" + u.Name }

// Account is what GoToSocial shows of an account.
type Account struct {
	ID             string         `json:"id"`
	Username       string         `json:"username"`
	Acct           string         `json:"acct"`
	DisplayName    string         `json:"display_name"`
	Note           string         `json:"note"`
	URL            string         `json:"url"`
	Avatar         string         `json:"avatar"`
	Header         string         `json:"header"`
	Bot            bool           `json:"bot"`
	Locked         bool           `json:"locked"`
	FollowersCount int            `json:"followers_count"`
	StatusesCount  int            `json:"statuses_count"`
	Fields         []AccountField `json:"fields"`
}

// AccountField is one of the profile's name/value fields.
type AccountField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Status is a post as GoToSocial shows it.
type Status struct {
	ID               string       `json:"id"`
	URI              string       `json:"uri"`
	URL              string       `json:"url"`
	Content          string       `json:"content"`
	SpoilerText      string       `json:"spoiler_text"`
	Visibility       string       `json:"visibility"`
	Language         string       `json:"language"`
	InReplyToID      string       `json:"in_reply_to_id"`
	Account          Account      `json:"account"`
	Reblog           *Status      `json:"reblog"`
	RepliesCount     int          `json:"replies_count"`
	ReblogsCount     int          `json:"reblogs_count"`
	FavouritesCount  int          `json:"favourites_count"`
	Tags             []StatusTag  `json:"tags"`
	MediaAttachments []Attachment `json:"media_attachments"`
	Mentions         []struct {
		ID   string `json:"id"`
		Acct string `json:"acct"`
		URL  string `json:"url"`
	} `json:"mentions"`
}

// StatusTag is a hashtag on a post.
type StatusTag struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Attachment is a media attachment on a post.
type Attachment struct {
	Type        string `json:"type"`
	URL         string `json:"url"`
	RemoteURL   string `json:"remote_url"`
	Description string `json:"description"`
}

// Relationship is how the user stands to an account.
type Relationship struct {
	ID        string `json:"id"`
	Following bool   `json:"following"`
	Requested bool   `json:"requested"`
}

// HTTPError is a client-API answer other than 2xx.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string { return fmt.Sprintf("status %d: %s", e.Status, e.Body) }

// call does one client-API request; form goes as the body (POST, PATCH)
// or the query (GET); out, when not nil, receives the JSON answer.
func (u *GTSUser) call(method, path string, form url.Values, out any) error {
	target := u.g.URL + path
	var body io.Reader
	if method == http.MethodGet && len(form) > 0 {
		target += "?" + form.Encode()
	} else if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "wikipub-test")
	req.Header.Set("Authorization", "Bearer "+u.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %w", method, path, &HTTPError{Status: resp.StatusCode, Body: trimBody(b)})
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: %w in %s", method, path, err, trimBody(b))
	}
	return nil
}

// Search looks q up as the search box does, resolving remote accounts
// and posts (a handle, a profile URL, a post URL).
func (u *GTSUser) Search(q, typ string) (accounts []Account, statuses []Status, err error) {
	var res struct {
		Accounts []Account `json:"accounts"`
		Statuses []Status  `json:"statuses"`
	}
	form := url.Values{"q": {q}, "resolve": {"true"}}
	if typ != "" {
		form.Set("type", typ)
	}
	err = u.call(http.MethodGet, "/api/v2/search", form, &res)
	return res.Accounts, res.Statuses, err
}

// FindAccount is Search for exactly one account.
func (u *GTSUser) FindAccount(q string) (*Account, error) {
	accs, _, err := u.Search(q, "accounts")
	if err != nil {
		return nil, err
	}
	if len(accs) != 1 {
		return nil, fmt.Errorf("search %q found %d accounts", q, len(accs))
	}
	return &accs[0], nil
}

// Account reads an account by its GoToSocial id.
func (u *GTSUser) Account(id string) (*Account, error) {
	var a Account
	return &a, u.call(http.MethodGet, "/api/v1/accounts/"+id, nil, &a)
}

// Follow, Unfollow follow and unfollow an account.
func (u *GTSUser) Follow(id string) (*Relationship, error) {
	var r Relationship
	return &r, u.call(http.MethodPost, "/api/v1/accounts/"+id+"/follow", url.Values{}, &r)
}

// Unfollow stops following an account.
func (u *GTSUser) Unfollow(id string) (*Relationship, error) {
	var r Relationship
	return &r, u.call(http.MethodPost, "/api/v1/accounts/"+id+"/unfollow", url.Values{}, &r)
}

// Relationship is how the user stands to the account now.
func (u *GTSUser) Relationship(id string) (*Relationship, error) {
	var rs []Relationship
	if err := u.call(http.MethodGet, "/api/v1/accounts/relationships", url.Values{"id[]": {id}}, &rs); err != nil {
		return nil, err
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("%d relationships for %s", len(rs), id)
	}
	return &rs[0], nil
}

// Home is the first page of the home timeline, newest first, as an app
// asks for it (GoToSocial's default of 20 entries), each entry once.
//
// GoToSocial serves the page from its timeline cache, which hides a boost
// of a post already shown; when the cache holds fewer entries than the
// page, it fills the page from its database without that filter and lists
// cached entries again (internal/cache/timeline/status.go, Load and
// loadStatusTimeline in its source; docs/interop.md). A fresh account with a short timeline sees that;
// the journey reads its counts once the timelines are longer than a page.
func (u *GTSUser) Home() ([]Status, error) {
	var ss []Status
	if err := u.call(http.MethodGet, "/api/v1/timelines/home", nil, &ss); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := ss[:0]
	for _, s := range ss {
		if !seen[s.ID] {
			seen[s.ID] = true
			out = append(out, s)
		}
	}
	return out, nil
}

// AccountStatuses is an account's posts as GoToSocial knows them.
func (u *GTSUser) AccountStatuses(id string) ([]Status, error) {
	var ss []Status
	return ss, u.call(http.MethodGet, "/api/v1/accounts/"+id+"/statuses", nil, &ss)
}

// Status reads one post.
func (u *GTSUser) Status(id string) (*Status, error) {
	var s Status
	return &s, u.call(http.MethodGet, "/api/v1/statuses/"+id, nil, &s)
}

// Post writes a post; inReplyTo is a GoToSocial status id or "".
func (u *GTSUser) Post(text, inReplyTo, visibility string) (*Status, error) {
	form := url.Values{"status": {text}}
	if inReplyTo != "" {
		form.Set("in_reply_to_id", inReplyTo)
	}
	if visibility != "" {
		form.Set("visibility", visibility)
	}
	var s Status
	return &s, u.call(http.MethodPost, "/api/v1/statuses", form, &s)
}

// Delete deletes one of the user's posts.
func (u *GTSUser) Delete(id string) error {
	return u.call(http.MethodDelete, "/api/v1/statuses/"+id, nil, nil)
}

// Act favourites, unfavourites, reblogs or unreblogs a post (action is
// "favourite", "unfavourite", "reblog", "unreblog").
func (u *GTSUser) Act(statusID, action string) error {
	return u.call(http.MethodPost, "/api/v1/statuses/"+statusID+"/"+action, url.Values{}, nil)
}
