package wiki

import (
	"context"
	"fmt"
	"strings"

	"cgt.name/pkg/go-mwclient/params"
)

// SectionTarget is a page as the wiki describes it to this client right
// before a section is added to it: AddTalkSection writes only to a page
// that is neither a redirect nor protected and that the client's user may
// edit now.
type SectionTarget struct {
	// Title is the title as the wiki normalised it; Namespace its number.
	Title     string
	Namespace int
	Exists    bool
	Redirect  bool
	// Protections are the page's edit and create protections, cascading
	// ones included, as "edit=sysop" or "edit=autoconfirmed (cascading from
	// Main Page)"; move protection does not matter here.
	Protections []string
	// Refusals are the wiki's reasons (error codes) why this client may not
	// edit, or create, the page now: a block, missing rights, protection.
	// None means it may.
	Refusals []string
}

// Writable says why the section must not be written, "" when it may: a
// redirect would take the text somewhere else than the page named (an IP
// edit can make any talk page a redirect), a protected page is one the
// wiki's admins decided ordinary writers keep off, whatever rights the
// bot has.
func (t *SectionTarget) Writable() string {
	switch {
	case t.Redirect:
		return "the page is a redirect"
	case len(t.Protections) > 0:
		return "the page is protected (" + strings.Join(t.Protections, ", ") + ")"
	case len(t.Refusals) > 0:
		return "the wiki does not let the bot edit it (" + strings.Join(t.Refusals, ", ") + ")"
	}
	return ""
}

// TalkTarget reads what AddTalkSection checks of a page, with this
// client's rights: existence, redirect, protections and whether the wiki
// would let the client edit (or create) it. An invalid title is an
// ErrEditRefused.
func (c *Client) TalkTarget(ctx context.Context, title string) (SectionTarget, error) {
	type refusal struct {
		Code string `json:"code"`
	}
	var resp struct {
		APIErrorField
		Query struct {
			Pages []struct {
				NS          int    `json:"ns"`
				Title       string `json:"title"`
				Missing     bool   `json:"missing"`
				Invalid     bool   `json:"invalid"`
				InvalidWhy  string `json:"invalidreason"`
				Special     bool   `json:"special"`
				Redirect    bool   `json:"redirect"`
				Protections []struct {
					Type   string `json:"type"`
					Level  string `json:"level"`
					Source string `json:"source"`
				} `json:"protection"`
				Actions map[string][]refusal `json:"actions"`
			} `json:"pages"`
		} `json:"query"`
	}
	p := params.Values{
		"action": "query", "prop": "info", "titles": title, "inprop": "protection",
		"intestactions": "edit|create", "intestactionsdetail": "full",
	}
	if err := c.Get(ctx, p, &resp); err != nil {
		return SectionTarget{}, fmt.Errorf("wiki: checking %q before writing to it: %w", title, err)
	}
	if len(resp.Query.Pages) != 1 {
		return SectionTarget{}, fmt.Errorf("wiki: checking %q before writing to it: the wiki answered with %d pages", title, len(resp.Query.Pages))
	}
	pg := resp.Query.Pages[0]
	switch {
	case pg.Invalid:
		return SectionTarget{}, fmt.Errorf("wiki: %q: %w: invalid title: %s", title, ErrEditRefused, pg.InvalidWhy)
	case pg.Special || pg.NS < 0:
		return SectionTarget{}, fmt.Errorf("wiki: %q: %w: not a page that can be edited", title, ErrEditRefused)
	}
	t := SectionTarget{Title: pg.Title, Namespace: pg.NS, Exists: !pg.Missing, Redirect: pg.Redirect}
	for _, pr := range pg.Protections {
		if pr.Type != "edit" && pr.Type != "create" {
			continue
		}
		s := pr.Type + "=" + pr.Level
		if pr.Source != "" {
			s += " (cascading from " + pr.Source + ")"
		}
		t.Protections = append(t.Protections, s)
	}
	actions := []string{"edit"}
	if !t.Exists {
		actions = append(actions, "create")
	}
	for _, a := range actions {
		refusals, asked := pg.Actions[a]
		if !asked {
			t.Refusals = append(t.Refusals, a+": not answered")
		}
		for _, r := range refusals {
			t.Refusals = append(t.Refusals, r.Code)
		}
	}
	return t, nil
}
