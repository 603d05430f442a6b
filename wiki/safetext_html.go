package wiki

import (
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PlainTextFromHTML reads remote HTML, such as the content of a Mastodon
// reply, as the plain text a reader sees: paragraphs are separated by a
// blank line, <br> and list items start a new line, links read as their
// text followed by the URL in parentheses when the text is not the URL
// itself, entities are decoded, runs of spaces collapse as in a browser, and
// everything else (tags, attributes, scripts, styles, images) is dropped.
// Bidi controls and other invisible characters are removed (see
// EscapeWikitext). HTML nested more than 512 elements deep gives "". The
// result is plain text, not yet safe for wikitext.
func PlainTextFromHTML(s string) string {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		// A string cannot fail to read, so this is HTML nested deeper than
		// the parser accepts (512 elements): no reply looks like that, and
		// nothing of it is kept.
		return ""
	}
	var t textWriter
	for _, n := range nodes {
		t.node(n)
	}
	return t.finish()
}

// textWriter collects text with "\n" for a line break and "\n\n" for a
// paragraph break; finish tidies spaces and breaks.
type textWriter struct {
	b   strings.Builder
	pre int // depth of <pre>, where newlines are line breaks
	// brk is the break owed before the next text: 1 a line, 2 a paragraph.
	// Breaks are owed rather than written so that nested and adjacent
	// blocks (</li><li>, <div><p>) make one break, not several.
	brk int
}

// dropped elements contribute nothing, not even their text: scripts and
// styles hold code, the others embedded content or form controls.
var dropped = []atom.Atom{
	atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Iframe, atom.Object,
	atom.Embed, atom.Svg, atom.Math, atom.Head, atom.Title, atom.Textarea, atom.Select,
	atom.Button, atom.Audio, atom.Video, atom.Canvas, atom.Img, atom.Picture,
}

// blocks are set off as paragraphs; lines start a new line.
var (
	blocks = []atom.Atom{
		atom.P, atom.Div, atom.Blockquote, atom.Pre, atom.H1, atom.H2, atom.H3, atom.H4,
		atom.H5, atom.H6, atom.Ul, atom.Ol, atom.Dl, atom.Table, atom.Section, atom.Article,
		atom.Header, atom.Footer, atom.Aside, atom.Figure, atom.Hr, atom.Details,
	}
	lines = []atom.Atom{atom.Li, atom.Tr, atom.Dt, atom.Dd, atom.Figcaption, atom.Summary}
)

func (t *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		t.text(n.Data)
		return
	case html.ElementNode:
	default:
		// Comments and doctypes are not text.
		return
	}
	switch {
	case slices.Contains(dropped, n.DataAtom):
		return
	case n.DataAtom == atom.Br:
		t.flush()
		t.b.WriteString("\n")
		return
	case n.DataAtom == atom.A:
		t.link(n)
		return
	}
	brk := 0
	if slices.Contains(blocks, n.DataAtom) {
		brk = 2
	} else if slices.Contains(lines, n.DataAtom) {
		brk = 1
	}
	if n.DataAtom == atom.Pre {
		t.pre++
		defer func() { t.pre-- }()
	}
	t.brk = max(t.brk, brk)
	t.children(n)
	t.brk = max(t.brk, brk)
}

// flush writes the break owed.
func (t *textWriter) flush() {
	t.b.WriteString("\n\n"[:t.brk])
	t.brk = 0
}

func (t *textWriter) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.node(c)
	}
}

// text writes a text node; in HTML a newline or tab is a space, except in
// <pre>.
func (t *textWriter) text(s string) {
	if t.pre > 0 {
		s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ", "\f", " ").Replace(s)
	} else {
		s = strings.NewReplacer("\r", " ", "\n", " ", "\t", " ", "\f", " ").Replace(s)
	}
	if strings.Trim(s, " \n") == "" && t.brk > 0 {
		// Spaces between blocks are not text.
		return
	}
	t.flush()
	t.b.WriteString(s)
}

// link writes a link's text and, when the text does not already say it, its
// URL in parentheses: a reader of the wiki cannot follow the link, so the
// URL must be in the words. Hashtag links are only their "#tag": the URL of
// a server's tag timeline adds nothing. Only http and https URLs are shown;
// a javascript: or data: URL is not a place anyone should go.
func (t *textWriter) link(n *html.Node) {
	mark := t.b.Len()
	t.children(n)
	text := collapseSpaces(t.b.String()[mark:])
	href := strings.TrimSpace(attr(n, "href"))
	u, err := url.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || isHashtag(n) {
		return
	}
	switch {
	case text == "":
		t.flush()
		t.b.WriteString(href)
	case !sameURL(text, href):
		t.b.WriteString(" (" + href + ")")
	}
}

// sameURL reports whether a link's text is its URL, as Mastodon writes
// links (the full URL, parts of it in invisible spans), allowing for a
// missing scheme or trailing slash.
func sameURL(text, href string) bool {
	norm := func(s string) string {
		s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
		return strings.TrimSuffix(s, "/")
	}
	return norm(text) == norm(href)
}

func isHashtag(n *html.Node) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), "hashtag") ||
		slices.Contains(strings.Fields(attr(n, "rel")), "tag")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

// finish collapses spaces within lines, trims them, and keeps at most one
// blank line between lines.
func (t *textWriter) finish() string {
	var out []string
	blank := false
	for line := range strings.SplitSeq(cleanText(t.b.String()), "\n") {
		line = collapseSpaces(line)
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// collapseSpaces turns runs of ASCII spaces into one and trims the ends, as
// a browser displays HTML text; other Unicode spaces are the author's.
func collapseSpaces(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\n' }), " ")
}
