package wiki

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text that comes from the Fediverse (a reply to an editor's post) is written
// to the wiki by wikipub's own account, so it must render as exactly the words
// the remote author wrote and never as wikitext: no template, parser
// function, magic word, signature, link, category, tag, table, list or
// heading may come out of it, not even on save (subst: and ~~~~ act in the
// pre-save transform, which <nowiki> alone does not fully stop).
//
// The method: every ASCII character that has a meaning in wikitext, or that
// starts one (":" starts URL schemes, "_" the __MAGIC__ words), is written as
// an HTML numeric character reference such as &#123; for "{". MediaWiki's
// preprocessor, pre-save transform and parser all look for the literal
// characters, and its sanitiser keeps a numeric reference as a reference, so
// no markup can form, while the reader sees the character. Unlike <nowiki>,
// this needs no closing tag that the text could forge, survives "&amp;"
// (which <nowiki> would decode), and works in section titles and at line
// starts alike. Letters, digits and ordinary punctuation stay as they are, so
// the saved wikitext stays readable.
//
// Lines become paragraphs (a blank line between them): a single newline in
// wikitext is only a space, and <br /> would be markup.

// escapedAnywhere are the characters escaped wherever they are.
const escapedAnywhere = "!#&'*:;<=>[]_{|}~"

// escapedAtLineStart are escaped only as a line's first character: a leading
// space makes preformatted text and "----" a horizontal rule.
const escapedAtLineStart = " -\t"

// magicLinkWords start magic links ("ISBN 0-306-40615-2", "RFC 1234",
// "PMID 123") on wikis that enable them; escaping the first letter breaks
// the word for MediaWiki's pattern but not for the reader.
var magicLinkWords = []string{"ISBN", "RFC", "PMID"}

// EscapeWikitext turns plain text into wikitext that renders as that text,
// literally: each non-empty line becomes a paragraph, blank lines and the
// spaces around lines are dropped, and invisible characters that could
// disguise the text (bidi overrides, controls) are removed.
func EscapeWikitext(text string) string {
	text = cleanText(text)
	var b strings.Builder
	b.Grow(len(text) + len(text)/4)
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.Trim(line, " \t")
		if line == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		escapeLine(&b, line)
	}
	return b.String()
}

// EscapeWikitextLine is EscapeWikitext for one line, such as a section
// title: line breaks become spaces.
func EscapeWikitextLine(text string) string {
	text = strings.ReplaceAll(cleanText(text), "\n", " ")
	var b strings.Builder
	escapeLine(&b, strings.Trim(text, " \t"))
	return b.String()
}

// escapeLine writes one line of cleaned text, without line breaks, as
// literal wikitext.
func escapeLine(b *strings.Builder, line string) {
	for i, r := range line {
		if needsEscape(r, i == 0) || startsMagicLink(line[i:]) {
			b.WriteString("&#")
			b.WriteString(strconv.Itoa(int(r)))
			b.WriteByte(';')
			continue
		}
		b.WriteRune(r)
	}
}

func needsEscape(r rune, lineStart bool) bool {
	if r >= utf8.RuneSelf {
		return false
	}
	return strings.ContainsRune(escapedAnywhere, r) || lineStart && strings.ContainsRune(escapedAtLineStart, r)
}

func startsMagicLink(s string) bool {
	for _, w := range magicLinkWords {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// cleanText makes text safe to escape: valid UTF-8, "\n" as the only line
// break, and without characters that are invisible yet change what the
// reader sees or what MediaWiki does: controls (DEL is the parser's own
// strip-marker character), Unicode noncharacters, and the bidi controls that
// let a reply display its words in another order than they are written.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\r', r == '\u2028', r == '\u2029':
			return '\n'
		case r == '\t':
			return ' '
		case unicode.IsControl(r), isBidiControl(r), isNoncharacter(r):
			return -1
		}
		return r
	}, s)
}

// isBidiControl reports the explicit directional formatting characters:
// embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and
// the marks (U+200E, U+200F, U+061C).
func isBidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' ||
		r == '\u200e' || r == '\u200f' || r == '\u061c'
}

// isNoncharacter reports the code points Unicode never assigns; MediaWiki
// replaces them with U+FFFD, so the text would not render as given.
func isNoncharacter(r rune) bool {
	return r >= '\ufdd0' && r <= '\ufdef' || r&0xfffe == 0xfffe
}
