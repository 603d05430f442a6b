package wiki

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ReadMoreLabel is the text of the link to the whole reply that
// WikitextFromHTML adds when it cuts a long one.
const ReadMoreLabel = "read the whole reply"

// WikitextFromHTML turns remote HTML (a Fediverse reply's content) into
// wikitext that renders as its plain text, literally (PlainTextFromHTML,
// then EscapeWikitext). Text longer than maxRunes runes (zero or less: no
// limit) is cut to at most maxRunes runes, an ellipsis included, preferably
// at a space, and followed by a paragraph with the one piece of markup the
// result can hold, an external link to moreURL labelled ReadMoreLabel.
// moreURL must be an absolute http or https URL; one that is not (or whose
// host is not plain ASCII) is left out, the ellipsis alone marking the cut.
func WikitextFromHTML(html string, maxRunes int, moreURL string) string {
	text, cut := CutText(PlainTextFromHTML(html), maxRunes)
	out := EscapeWikitext(text)
	if !cut {
		return out
	}
	if link, err := ExternalLinkURL(moreURL); err == nil {
		out += "\n\n[" + link + " " + ReadMoreLabel + "]"
	}
	return out
}

// CutText shortens text to at most maxRunes runes, "…" included, and
// reports whether it did. It cuts after the last space of the final 30 runes
// when there is one, so that words stay whole, and never between a
// character and the combining marks or joiners that follow it.
func CutText(text string, maxRunes int) (string, bool) {
	if maxRunes <= 0 || utf8.RuneCountInString(text) <= maxRunes {
		return text, false
	}
	runes := []rune(text)
	keep := maxRunes - 1 // room for the ellipsis
	for keep > 0 && joinsPrevious(runes[keep]) {
		keep--
	}
	for i := keep; i > 0 && i > keep-30; i-- {
		if runes[i] == ' ' || runes[i] == '\n' {
			keep = i
			break
		}
	}
	return strings.TrimRight(string(runes[:keep]), " \n") + "…", true
}

// joinsPrevious reports runes that belong to the character before them:
// combining marks, variation selectors, zero-width joiners, emoji modifiers.
func joinsPrevious(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) || r == '\u200d' ||
		r >= '\U0001f3fb' && r <= '\U0001f3ff' || r >= '\U000e0020' && r <= '\U000e007f'
}

// ExternalLinkURL checks that raw is an absolute http or https URL with a
// plain ASCII host and no user info, and returns it in a form that is safe
// inside wikitext's [URL text] link: characters that would end the link or
// form markup ("_" of __MAGIC__ words, "~" of signatures, "'" of bold,
// brackets, spaces, quotes, non-ASCII) are percent-encoded, which leaves the
// URL's meaning unchanged, and "&" is written as &#38;, which MediaWiki
// decodes back into the link's address.
func ExternalLinkURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("link URL %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Opaque != "" || u.User != nil {
		return "", fmt.Errorf("link URL %q: not an absolute http or https URL", raw)
	}
	host := u.Host
	if host == "" || strings.Trim(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") != "" {
		return "", fmt.Errorf("link URL %q: host %q is not a plain ASCII name (punycode it)", raw, host)
	}
	s := u.String()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '&':
			b.WriteString("&#38;")
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-./?=%:@,+$()*;#", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String(), nil
}
