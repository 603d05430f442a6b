package wiki

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"cgt.name/pkg/go-mwclient/params"
)

// AddedText is the text an edit added, as plain text.
type AddedText struct {
	// Text is the added lines and inserted words, one line of the page a
	// line, with the commonest inline markup reduced to its text; at most
	// the asked number of characters (runes).
	Text string
	// Truncated says the added text was longer and Text ends with "…".
	Truncated bool
	// Hidden says the wiki hides the text of one of the two revisions from
	// its anonymous readers (revision deletion): Text is empty then.
	Hidden bool
}

// AddedText reads the wiki's own diff between two revisions of a page and
// returns the text the later one added, at most maxRunes characters
// (0: no limit). fromRev 0 means "the revision before toRev" (for a page
// creation, the whole text is added). A revision whose text the wiki hides
// gives Hidden and no text, whatever this client's rights; a revision of a
// deleted page, or none at all, is ErrNotFound.
//
// Cost: 1 request.
// See docs/mediawiki.md, "The text an edit added".
func (c *Client) AddedText(ctx context.Context, fromRev, toRev int64, maxRunes int) (AddedText, error) {
	if toRev <= 0 {
		return AddedText{}, fmt.Errorf("wiki: added text: revision %d is not a revision id", toRev)
	}
	p := params.Values{"action": "compare", "prop": "diff|ids"}
	if fromRev > 0 {
		p.Set("fromrev", strconv.FormatInt(fromRev, 10))
		p.Set("torev", strconv.FormatInt(toRev, 10))
	} else {
		// torelative=prev compares toRev with its parent, or with an empty
		// page when it is the first revision.
		p.Set("fromrev", strconv.FormatInt(toRev, 10))
		p.Set("torelative", "prev")
	}
	var resp struct {
		APIErrorField
		Compare struct {
			Body           string `json:"body"`
			FromTextHidden bool   `json:"fromtexthidden"`
			ToTextHidden   bool   `json:"totexthidden"`
			FromArchive    bool   `json:"fromarchive"`
			ToArchive      bool   `json:"toarchive"`
		} `json:"compare"`
	}
	err := c.Get(ctx, p, &resp)
	var apiErr *APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Code == "missingcontent":
		// What an anonymous reader is told of hidden text.
		return AddedText{Hidden: true}, nil
	case errors.As(err, &apiErr) && (apiErr.Code == "nosuchrevid" || apiErr.Code == "missingtitle" ||
		apiErr.Code == "compare-relative-to-deleted"):
		// The last is what a reader who may see deleted revisions is told
		// when asking for one's parent.
		return AddedText{}, fmt.Errorf("revisions %d..%d: %w", fromRev, toRev, ErrNotFound)
	case err != nil:
		return AddedText{}, fmt.Errorf("comparing revisions %d and %d: %w", fromRev, toRev, err)
	}
	cmp := resp.Compare
	// A privileged reader is given hidden text with the flag, and the
	// revisions of deleted pages from the archive: the public gets neither.
	if cmp.FromArchive || cmp.ToArchive {
		return AddedText{}, fmt.Errorf("revisions %d..%d: %w", fromRev, toRev, ErrNotFound)
	}
	if cmp.FromTextHidden || cmp.ToTextHidden {
		return AddedText{Hidden: true}, nil
	}
	lines, err := addedLines(cmp.Body)
	if err != nil {
		return AddedText{}, fmt.Errorf("reading the diff of revisions %d and %d: %w", fromRev, toRev, err)
	}
	text := plainWikitext(strings.Join(lines, "\n"), c.site)
	out := AddedText{Text: text}
	out.Text, out.Truncated = CutText(text, maxRunes)
	return out, nil
}
