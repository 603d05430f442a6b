package fedtest

// Every post's HTML must survive Mastodon's sanitizer unchanged: Mastodon
// keeps only p br span a del s pre blockquote code b strong u i em ul ol li
// ruby rt rp (docs/interop.md, "HTML allowlist") and drops everything else,
// silently; of attributes, the links' href, rel="tag" and the classes it
// keeps on a and span. These helpers check a fragment against that list.

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MastodonTags is Mastodon's allowlist of elements.
var MastodonTags = map[string]bool{
	"p": true, "br": true, "span": true, "a": true, "del": true, "s": true, "pre": true,
	"blockquote": true, "code": true, "b": true, "strong": true, "u": true, "i": true,
	"em": true, "ul": true, "ol": true, "li": true, "ruby": true, "rt": true, "rp": true,
}

// allowlistHTTPLink reports whether href is an absolute http(s) URL with a host.
func allowlistHTTPLink(href string) bool {
	u, err := url.Parse(href)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Opaque == ""
}

// AllowlistViolations lists what in s Mastodon would drop or what could be
// markup we did not mean. allowed narrows the element list further (nil:
// Mastodon's whole list). It checks the token stream (what we wrote) and the
// parsed tree (what a browser or Nokogiri makes of it).
func AllowlistViolations(s string, allowed map[string]bool) []string {
	if allowed == nil {
		allowed = MastodonTags
	}
	var bad []string
	// Tokens: every tag allowed, no comments or doctypes, a only with href,
	// other elements with no attributes at all; links balanced.
	z := xhtml.NewTokenizer(strings.NewReader(s))
	depth := map[string]int{}
tokens:
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			break tokens
		case xhtml.CommentToken, xhtml.DoctypeToken:
			bad = append(bad, fmt.Sprintf("%v token %q", tt, z.Raw()))
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			raw := string(z.Raw())
			name, hasAttr := z.TagName()
			tag := string(name)
			if !allowed[tag] {
				bad = append(bad, fmt.Sprintf("tag %q not allowed", raw))
			}
			var attrs []xhtml.Attribute
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				attrs = append(attrs, xhtml.Attribute{Key: string(k), Val: string(v)})
			}
			if tt == xhtml.EndTagToken {
				depth[tag]--
				if depth[tag] < 0 {
					bad = append(bad, fmt.Sprintf("stray end tag %q", raw))
				}
				continue
			}
			if tt == xhtml.StartTagToken && tag != "br" {
				depth[tag]++
			}
			bad = append(bad, allowlistAttrViolations(tag, attrs)...)
		}
	}
	for tag, d := range depth {
		if d != 0 {
			bad = append(bad, fmt.Sprintf("%d unclosed <%s>", d, tag))
		}
	}
	// Tree: the same rules after an HTML5 parser's repairs.
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return append(bad, "does not parse: "+err.Error())
	}
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch n.Type {
		case xhtml.ElementNode:
			if n.Namespace != "" {
				bad = append(bad, fmt.Sprintf("foreign element %s:%s", n.Namespace, n.Data))
			}
			if !allowed[n.Data] {
				bad = append(bad, fmt.Sprintf("element <%s> not allowed (tree)", n.Data))
			}
			bad = append(bad, allowlistAttrViolations(n.Data, n.Attr)...)
		case xhtml.CommentNode, xhtml.DoctypeNode:
			bad = append(bad, "comment or doctype node (tree)")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return bad
}

// mastodonClass reports whether Mastodon's sanitizer keeps a class:
// microformats (h-, p-, u-, dt-, e-) and its own mention, hashtag,
// ellipsis and invisible (docs/interop.md, "HTML allowlist").
func mastodonClass(c string) bool {
	switch c {
	case "mention", "hashtag", "ellipsis", "invisible":
		return true
	}
	for _, p := range []string{"h-", "p-", "u-", "dt-", "e-"} {
		if strings.HasPrefix(c, p) && len(c) > len(p) {
			return true
		}
	}
	return false
}

func allowlistAttrViolations(tag string, attrs []xhtml.Attribute) []string {
	var bad []string
	hrefs := 0
	for _, a := range attrs {
		switch {
		case tag == "a" && a.Key == "href" && a.Namespace == "":
			hrefs++
			if !allowlistHTTPLink(a.Val) {
				bad = append(bad, fmt.Sprintf("<a href=%q>: not an absolute http(s) URL", a.Val))
			}
		case (tag == "a" || tag == "span") && a.Key == "class" && a.Namespace == "":
			for _, c := range strings.Fields(a.Val) {
				if !mastodonClass(c) {
					bad = append(bad, fmt.Sprintf("<%s class=%q>: Mastodon drops class %q", tag, a.Val, c))
				}
			}
		case tag == "a" && a.Key == "rel" && a.Val == "tag" && a.Namespace == "":
		default:
			bad = append(bad, fmt.Sprintf("<%s> has attribute %s=%q", tag, a.Key, a.Val))
		}
	}
	if tag == "a" && hrefs != 1 {
		bad = append(bad, fmt.Sprintf("<a> with %d hrefs", hrefs))
	}
	return bad
}

// AllowlistText is the decoded text of an HTML fragment.
func AllowlistText(t testing.TB, s string) string {
	t.Helper()
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatalf("does not parse: %v", err)
	}
	var b strings.Builder
	for _, n := range nodes {
		b.WriteString(NodeText(n))
	}
	return b.String()
}

// NodeText is the text of a parsed node and its children, tags left out.
func NodeText(n *xhtml.Node) string {
	if n.Type == xhtml.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(NodeText(c))
	}
	return b.String()
}
