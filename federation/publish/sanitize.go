package publish

import (
	"html"
	"net/url"
	"strings"

	xhtml "golang.org/x/net/html"
)

// summaryHTML turns the wiki's rendered edit summary (parsedcomment) into
// HTML inside Mastodon's allowlist: text, escaped, and links to absolute
// http(s) URLs. Every other tag is dropped with its attributes; nothing of
// the input is trusted as markup.
// See docs/interop.md, "HTML allowlist".
func summaryHTML(parsed, server string) string {
	base, _ := url.Parse(server)
	z := xhtml.NewTokenizer(strings.NewReader(parsed))
	var b strings.Builder
	openLinks := 0
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			for ; openLinks > 0; openLinks-- {
				b.WriteString("</a>")
			}
			return strings.TrimSpace(b.String())
		case xhtml.TextToken:
			b.WriteString(html.EscapeString(string(z.Text())))
		case xhtml.StartTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "a" || openLinks > 0 {
				continue
			}
			href := ""
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if string(k) == "href" {
					href = string(v)
				}
			}
			if u := absoluteHTTP(base, href); u != "" {
				b.WriteString(`<a href="` + html.EscapeString(u) + `">`)
				openLinks++
			}
		case xhtml.EndTagToken:
			if name, _ := z.TagName(); string(name) == "a" && openLinks > 0 {
				b.WriteString("</a>")
				openLinks--
			}
		}
	}
}

// absoluteHTTP resolves href against base and keeps it only if it is an
// http(s) URL: no javascript:, data: or protocol tricks.
func absoluteHTTP(base *url.URL, href string) string {
	if href == "" {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	return u.String()
}

// escapeText is for plain text (titles, user names) placed in post HTML.
func escapeText(s string) string { return html.EscapeString(s) }

// PlainText is the text of an HTML fragment, for alt text.
func PlainText(fragment string) string {
	z := xhtml.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return strings.TrimSpace(b.String())
		case xhtml.TextToken:
			b.Write(z.Text())
		}
	}
}
