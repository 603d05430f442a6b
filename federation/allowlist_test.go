package federation

// Every post's HTML must survive Mastodon's sanitizer unchanged: Mastodon
// keeps only p br span a del s pre blockquote code b strong u i em ul ol li
// ruby rt rp (docs/interop.md, "HTML allowlist") and drops everything else,
// silently. These tests check the posts of note_golden_test.go and
// summaryHTML, which turns the wiki's parsedcomment into post HTML, against
// that list, and that no text the reader needs is lost on the way.

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/wikipub/wikipub/wiki"
)

// allowlistMastodonTags is Mastodon's allowlist of elements.
var allowlistMastodonTags = map[string]bool{
	"p": true, "br": true, "span": true, "a": true, "del": true, "s": true, "pre": true,
	"blockquote": true, "code": true, "b": true, "strong": true, "u": true, "i": true,
	"em": true, "ul": true, "ol": true, "li": true, "ruby": true, "rt": true, "rp": true,
}

// allowlistHTTPLink reports whether href is an absolute http(s) URL with a host.
func allowlistHTTPLink(href string) bool {
	u, err := url.Parse(href)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Opaque == ""
}

// allowlistViolations lists what in s Mastodon would drop or what could be
// markup we did not mean. allowed narrows the element list further (nil:
// Mastodon's whole list). It checks the token stream (what we wrote) and the
// parsed tree (what a browser or Nokogiri makes of it).
func allowlistViolations(s string, allowed map[string]bool) []string {
	if allowed == nil {
		allowed = allowlistMastodonTags
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
		default:
			bad = append(bad, fmt.Sprintf("<%s> has attribute %s=%q", tag, a.Key, a.Val))
		}
	}
	if tag == "a" && hrefs != 1 {
		bad = append(bad, fmt.Sprintf("<a> with %d hrefs", hrefs))
	}
	return bad
}

// allowlistText is the decoded text of an HTML fragment.
func allowlistText(t testing.TB, s string) string {
	t.Helper()
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatalf("does not parse: %v", err)
	}
	var b strings.Builder
	for _, n := range nodes {
		b.WriteString(goldenNodeText(n))
	}
	return b.String()
}

func TestAllowlistPosts(t *testing.T) {
	_, posts := goldenPosts(t)
	for _, p := range posts {
		t.Run(p.name, func(t *testing.T) {
			content := p.note.Content
			for _, v := range allowlistViolations(content, nil) {
				t.Errorf("%s\nin %s", v, content)
			}
			text := allowlistText(t, content)
			c := p.c
			var want []string
			// The page (both titles of a move).
			want = append(want, c.Title)
			if c.Move != nil {
				want = append(want, c.Move.TargetTitle)
			}
			// The editor, when the wiki shows them and they have an
			// account. A categorize post names the page that joined, not
			// who added it (see categorize in publish_log.go).
			if !c.UserHidden && !c.Anonymous && c.User != "" && c.Kind != wiki.KindCategorize {
				want = append(want, c.User)
			}
			// The summary, as the wiki renders it, unless hidden.
			if !c.CommentHidden && c.ParsedComment != "" {
				want = append(want, strings.TrimSpace(allowlistText(t, c.ParsedComment)))
			}
			if c.Kind == wiki.KindNew || c.Kind == wiki.KindEdit {
				want = append(want, sizeText(c.SizeDelta()))
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("post text lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

// TestAllowlistSummaryHostile feeds summaryHTML what a hostile or odd
// parsedcomment could hold. Every output must be text and http(s) links
// only; where the right output is clear it is checked exactly.
func TestAllowlistSummaryHostile(t *testing.T) {
	onlyA := map[string]bool{"a": true}
	cases := []struct {
		name, in string
		// want is the exact output; "" with anyOut means only the generic
		// checks apply.
		want   string
		anyOut bool
		// text is the output's decoded text, when want is not given.
		text string
		// forbid must not appear in the output.
		forbid []string
	}{
		{name: "script", in: `<script>alert(1)</script>`, anyOut: true, forbid: []string{"<script"}},
		{name: "img onerror", in: `<img src=x onerror=alert(1)>`, want: ""},
		{name: "javascript link", in: `<a href="javascript:alert(1)">x</a>`, want: "x"},
		{name: "javascript mixed case", in: `<a href="JaVaScRiPt:alert(1)">x</a>`, want: "x"},
		{name: "javascript leading space", in: `<a href="  javascript:alert(1)">x</a>`, want: "x"},
		{name: "javascript with tab entity", in: `<a href="java&#x09;script:alert(1)">x</a>`, want: "x"},
		{name: "vbscript", in: `<a href="vbscript:msgbox(1)">x</a>`, want: "x"},
		{name: "protocol-relative", in: `<a href="//evil.example/x">x</a>`, want: `<a href="https://evil.example/x">x</a>`},
		{name: "data link", in: `<a href="data:text/html,<script>alert(1)</script>">x</a>`, want: "x"},
		{name: "data base64", in: `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`, want: "x"},
		{name: "scheme without host", in: `<a href="https:evil.example">x</a>`, want: "x"},
		{name: "nested links", in: `<a href="/wiki/A">a<a href="/wiki/B">b</a>c</a>`,
			want: `<a href="https://wiki.example/wiki/A">ab</a>c`},
		{name: "bare nested a", in: `<a><a>x</a></a>`, want: "x"},
		{name: "unclosed link", in: `<b>bold <a href="/wiki/X">link`, want: `bold <a href="https://wiki.example/wiki/X">link</a>`},
		{name: "unclosed tag", in: `<i>x <span class="y">z`, want: "x z"},
		{name: "stray end tags", in: `x</a></b></p>y`, want: "xy"},
		{name: "entities stay text", in: `&lt;b&gt;not bold&lt;/b&gt;`, want: `&lt;b&gt;not bold&lt;/b&gt;`, text: "<b>not bold</b>"},
		{name: "entity script stays text", in: `&lt;script&gt;alert(1)&lt;/script&gt;`, want: `&lt;script&gt;alert(1)&lt;/script&gt;`},
		{name: "section link", in: `<span class="autocomment"><a href="/wiki/X#Sec" title="X">→‎Sec</a>: </span>rest`,
			want: `<a href="https://wiki.example/wiki/X#Sec">→‎Sec</a>: rest`},
		{name: "rtl override", in: "abc\u202Edef<b>x</b>\u202C", want: "abc\u202Edefx\u202C"},
		{name: "event attributes dropped", in: `<a href="/wiki/X" onclick="alert(1)" style="x" title="t" class="c">x</a>`,
			want: `<a href="https://wiki.example/wiki/X">x</a>`},
		{name: "quote in href", in: `<a href="/wiki/A&quot; onmouseover=&quot;alert(1)">x</a>`, anyOut: true, forbid: []string{`" onmouseover`}},
		{name: "svg xlink", in: `<svg><a xlink:href="javascript:alert(1)">x</a></svg>`, want: "x"},
		{name: "comment", in: `a<!-- <a href="/wiki/X">x</a> -->b`, want: "ab"},
		{name: "textarea raw text", in: `<textarea><a href="/wiki/X">y</a></textarea>`, anyOut: true, forbid: []string{"<a"}},
		{name: "plaintext", in: `<plaintext><a href="/wiki/X">y</a>`, anyOut: true, forbid: []string{"<a"}},
		{name: "style", in: `<style>a{color:red}</style>x`, anyOut: true, forbid: []string{"<style"}},
		{name: "broken url", in: `<a href="http://[::1">x</a>`, want: "x"},
		{name: "self-closing a", in: `<a href="/wiki/X"/>x`, anyOut: true},
		{name: "ampersand in query", in: `<a href="/w/index.php?title=X&amp;diff=1">d</a>`,
			want: `<a href="https://wiki.example/w/index.php?title=X&amp;diff=1">d</a>`},
		{name: "external link", in: `<a rel="nofollow" class="external text" href="https://example.org/a?b=c">ref</a>`,
			want: `<a href="https://example.org/a?b=c">ref</a>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := summaryHTML(tc.in, goldenBase)
			t.Logf("%q → %q", tc.in, out)
			for _, v := range allowlistViolations(out, onlyA) {
				t.Errorf("%s\nin %q (from %q)", v, out, tc.in)
			}
			if !tc.anyOut && out != tc.want {
				t.Errorf("summaryHTML(%q)\n = %q\nwant %q", tc.in, out, tc.want)
			}
			if tc.text != "" {
				if got := allowlistText(t, out); got != tc.text {
					t.Errorf("text = %q, want %q", got, tc.text)
				}
			}
			for _, f := range tc.forbid {
				if strings.Contains(out, f) {
					t.Errorf("output %q contains %q", out, f)
				}
			}
		})
	}
}

// TestSummaryHTMLIdempotent: sanitized output sanitized again is the same,
// so nothing in it is read as markup a second time.
func TestSummaryHTMLIdempotent(t *testing.T) {
	for _, in := range allowlistSummarySeeds {
		out := summaryHTML(in, goldenBase)
		if again := summaryHTML(out, goldenBase); again != out {
			t.Errorf("summaryHTML not stable on %q:\n once  %q\n twice %q", in, out, again)
		}
	}
}

var allowlistSummarySeeds = []string{
	``,
	`plain text`,
	`fix <a href="/wiki/Ulm" title="Ulm">Ulm</a> birth place`,
	`<span class="autocomment"><a href="/wiki/X#Sec" title="X">→‎Sec</a>: </span>rest`,
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="//evil.example/x">x</a>`,
	`<a href="data:text/html,<script>alert(1)</script>">x</a>`,
	`<a><a href="/wiki/B">b</a></a>`,
	`<b>bold <a href="/wiki/X">link`,
	`&lt;b&gt;not bold&lt;/b&gt;`,
	"abc\u202Edef",
	`<a href="/w/index.php?title=X&amp;diff=1">d</a>`,
	`<textarea><a href="/wiki/X">y</a></textarea>`,
	`<svg><a xlink:href="javascript:alert(1)">x</a></svg>`,
	"a\x00b<a href=\"/wiki/\x00\">c</a>",
	`<a href="/wiki/A&quot; onmouseover=&quot;alert(1)">x</a>`,
}

func FuzzSummaryHTML(f *testing.F) {
	for _, s := range allowlistSummarySeeds {
		f.Add(s)
	}
	onlyA := map[string]bool{"a": true}
	f.Fuzz(func(t *testing.T, in string) {
		out := summaryHTML(in, goldenBase)
		if v := allowlistViolations(out, onlyA); len(v) > 0 {
			t.Fatalf("summaryHTML(%q) = %q:\n%s", in, out, strings.Join(v, "\n"))
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("valid UTF-8 in, invalid out: %q → %q", in, out)
		}
		// Inside a post it must stay inside its paragraph.
		post := "<p>" + out + "</p>"
		if v := allowlistViolations(post, nil); len(v) > 0 {
			t.Fatalf("in a post: %q:\n%s", post, strings.Join(v, "\n"))
		}
		if again := summaryHTML(out, goldenBase); again != out {
			t.Fatalf("not stable: %q → %q → %q", in, out, again)
		}
	})
}
