package wiki

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cgt.name/pkg/go-mwclient/params"
)

// ErrEditRefused marks an edit the wiki refused, or that AddTalkSection
// refused to make, for a reason that retrying will not change: a redirect,
// a protected page, a blocked account, a missing right, a spam or abuse
// filter, any API error that is not a passing one. The *APIError in the
// chain, when there is one, says which.
var ErrEditRefused = errors.New("the wiki refused the edit")

// passingEditCodes are the API errors of an edit that retrying later can
// cure: the wiki busy, lagging or read-only, a rate limit, a lost session,
// and the page created or deleted between AddTalkSection's check and its
// edit (createonly, nocreate), which the next try checks afresh. Every
// other API error is ErrEditRefused.
var passingEditCodes = map[string]bool{
	"maxlag": true, "ratelimited": true, "readonly": true, "editconflict": true,
	"articleexists": true, "missingtitle": true,
	"badtoken": true, "assertuserfailed": true, "assertbotfailed": true, "notloggedin": true,
	"internal_api_error_DBQueryError": true, "internal_api_error_DBConnectionError": true,
	"internal_api_error_DBQueryTimeoutError": true,
}

// maxSectionTitleRunes bounds a section title: a long heading would only
// crowd the talk page and its table of contents.
const maxSectionTitleRunes = 200

// AddTalkSection adds a new section to a page, normally an editor's talk
// page, and returns the new revision's id. The page is created when it does
// not exist yet.
//
// It writes to exactly the page named and to no other: right before each
// try it reads the page (TalkTarget) and refuses, with ErrEditRefused, a
// redirect (which is not followed: an IP edit can point any talk page at a
// page the bot may edit and the editor may not), a protected page, and a
// page the wiki would not let the bot edit now; and the edit itself is
// createonly or nocreate as the page was found, so a page that appears or
// goes in between is checked again rather than written blind.
//
// sectionTitle is plain text: it is escaped here (EscapeWikitextLine) and
// shortened to 200 runes. text is wikitext, saved as given: build it with
// WikitextFromHTML or EscapeWikitext from anything remote. summary is plain
// text made one line, its brackets escaped so it holds no link; give each
// call a distinct one (naming the reply, say), because it is how a retry
// after a lost answer recognises an edit the wiki did save, instead of
// posting the section twice. bot asks for the edit to be flagged as a bot
// edit; the wiki ignores that without the bot right (see HasRight).
//
// The client must be logged in: the edit asserts it, so it is never saved
// under an IP address. Refusals are ErrEditRefused, wrapping the *APIError
// when the wiki gave one; only passing failures (the wiki down, 5xx,
// maxlag, rate limits) come back without it.
func (c *Client) AddTalkSection(ctx context.Context, title, sectionTitle, text, summary string, bot bool) (int64, error) {
	fail := func(err error) (int64, error) {
		return 0, fmt.Errorf("wiki: adding a section to %q: %w", title, err)
	}
	if !c.LoggedIn() {
		return fail(errors.New("wikipub reads this wiki anonymously; writing needs a bot password (--bot-user)"))
	}
	heading, _ := CutText(cleanOneLine(sectionTitle), maxSectionTitleRunes)
	heading = EscapeWikitextLine(heading)
	if heading == "" {
		return fail(errors.New("empty section title"))
	}
	summary = editSummary(summary)
	p := params.Values{
		"action": "edit", "title": title, "section": "new", "sectiontitle": heading,
		"text": text, "summary": summary, "assert": "user", "watchlist": "nochange",
	}
	if bot {
		p.Set("bot", "1")
	}
	started := time.Now()
	relogged, unsure := false, false
	for attempt := 0; ; attempt++ {
		var err error
		if unsure {
			// The last edit got no answer and looking for it failed: look
			// again before posting it again.
			var id int64
			var found bool
			if id, found, err = c.findOwnEdit(ctx, title, summary, started); err == nil {
				if found {
					return id, nil
				}
				unsure = false
			}
		}
		if !unsure {
			var id int64
			if id, err = c.checkedEdit(ctx, p); err == nil {
				return id, nil
			}
			var apiErr *APIError
			var notSent *notSentError
			switch {
			case ctx.Err() != nil:
				return fail(ctx.Err())
			case errors.Is(err, ErrEditRefused):
				return fail(err)
			case errors.As(err, &apiErr) && apiErr.sessionLost() && !relogged:
				relogged = true
				if lerr := c.login(ctx); lerr != nil {
					return fail(lerr)
				}
				continue
			case errors.As(err, &apiErr) && !passingEditCodes[apiErr.Code]:
				return fail(fmt.Errorf("%w: %w", ErrEditRefused, err))
			case errors.As(err, &apiErr), errors.As(err, &notSent):
				// maxlag, readonly, rate limits, a page that came or went
				// since the check, or no check or token: not saved.
			default:
				// No answer, or not JSON: the wiki may have saved the
				// section and failed after. Look before posting it again.
				id, found, ferr := c.findOwnEdit(ctx, title, summary, started)
				if ferr == nil && found {
					return id, nil
				}
				unsure = ferr != nil
			}
		}
		if c.cfg.Retries < 0 || attempt >= c.cfg.Retries {
			if unsure {
				err = fmt.Errorf("%w (the section may have been saved: the wiki did not answer and its history could not be read)", err)
			}
			return fail(err)
		}
		delay := backoff(c.cfg.RetryBase, attempt, time.Minute)
		c.log.WarnContext(ctx, "adding a talk-page section failed, retrying", "title", title, "attempt", attempt+1, "retry_in", delay, "err", err)
		select {
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(delay):
		}
	}
}

// checkedEdit checks the page (TalkTarget) and, when it may be written,
// posts the edit, createonly or nocreate as the page was found.
func (c *Client) checkedEdit(ctx context.Context, p params.Values) (int64, error) {
	target, err := c.TalkTarget(ctx, p.Get("title"))
	if errors.Is(err, ErrEditRefused) {
		return 0, err
	}
	if err != nil {
		return 0, &notSentError{err}
	}
	if why := target.Writable(); why != "" {
		return 0, fmt.Errorf("%w: %s", ErrEditRefused, why)
	}
	q := params.Values{}
	for k, v := range p {
		q[k] = v
	}
	q.Set("title", target.Title)
	if target.Exists {
		q.Set("nocreate", "1")
	} else {
		q.Set("createonly", "1")
	}
	return c.editOnce(ctx, q)
}

// notSentError is a failure before the edit was sent (fetching the token),
// so retrying cannot post the section twice.
type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }

// editOnce posts one edit with a fresh token, without the client's retries:
// an edit is not idempotent, so AddTalkSection decides what to repeat.
func (c *Client) editOnce(ctx context.Context, p params.Values) (int64, error) {
	tok, err := c.CSRFToken(ctx)
	if err != nil {
		return 0, &notSentError{err}
	}
	q := params.Values{}
	for k, v := range p {
		q[k] = v
	}
	q.Set("token", tok)
	var resp struct {
		APIErrorField
		Edit struct {
			Result   string `json:"result"`
			NewRevID int64  `json:"newrevid"`
			// Filters and captchas answer with result "Failure" and a
			// key of their own instead of an error.
			SpamBlacklist string `json:"spamblacklist"`
			Info          string `json:"info"`
		} `json:"edit"`
	}
	if err := c.once(ctx, q, true, &resp); err != nil {
		return 0, err
	}
	if resp.Edit.Result != "Success" || resp.Edit.NewRevID == 0 {
		why := resp.Edit.Info
		if resp.Edit.SpamBlacklist != "" {
			why = "spam blacklist matched " + resp.Edit.SpamBlacklist
		}
		return 0, fmt.Errorf("%w: result %q, no new revision %s", ErrEditRefused, resp.Edit.Result, why)
	}
	return resp.Edit.NewRevID, nil
}

// findOwnEdit looks among the page's latest revisions for one by this
// client's user with this summary, saved since the edit was first sent
// (with ten minutes' slack for the wiki's clock).
func (c *Client) findOwnEdit(ctx context.Context, title, summary string, since time.Time) (int64, bool, error) {
	me, err := c.userInfo(ctx)
	if err != nil {
		return 0, false, err
	}
	var resp struct {
		APIErrorField
		Query struct {
			Pages []struct {
				Revisions []struct {
					RevID     int64     `json:"revid"`
					User      string    `json:"user"`
					Comment   string    `json:"comment"`
					Timestamp time.Time `json:"timestamp"`
				} `json:"revisions"`
			} `json:"pages"`
		} `json:"query"`
	}
	p := params.Values{
		"action": "query", "prop": "revisions", "titles": title,
		"rvprop": "ids|user|comment|timestamp", "rvlimit": "20",
	}
	if err := c.Get(ctx, p, &resp); err != nil {
		return 0, false, fmt.Errorf("looking for our own edit of %q: %w", title, err)
	}
	for _, pg := range resp.Query.Pages {
		for _, r := range pg.Revisions {
			if r.User == me.Name && r.Timestamp.After(since.Add(-10*time.Minute)) &&
				sameSummary(r.Comment, summary) {
				return r.RevID, true, nil
			}
		}
	}
	return 0, false, nil
}

// sameSummary compares a saved comment with the summary sent, which the
// wiki may have shortened to its limit of 500 characters with "...".
func sameSummary(saved, sent string) bool {
	saved = strings.TrimSpace(saved)
	if saved == sent || sent == "" {
		return true
	}
	short := strings.TrimSuffix(saved, "...")
	return short != saved && short != "" && strings.HasPrefix(sent, short)
}

// maxSummaryRunes keeps a summary well under the wiki's limit, so that it
// is saved whole.
const maxSummaryRunes = 250

// editSummary makes a summary one line, without bidi tricks, and escapes
// the brackets: links are the markup an edit summary renders.
func editSummary(s string) string {
	s, _ = CutText(cleanOneLine(s), maxSummaryRunes)
	return strings.NewReplacer("[", "&#91;", "]", "&#93;").Replace(s)
}

// cleanOneLine is cleanText on one line, spaces collapsed.
func cleanOneLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}
