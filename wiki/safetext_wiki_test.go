package wiki_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"cgt.name/pkg/go-mwclient/params"
	"golang.org/x/net/html"

	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// hostileInjection is wikitext of every kind, as a remote author would type
// it (so it reaches us HTML-escaped inside a Mastodon reply's content).
const hostileInjection = `'''bold''' [[Main Page]] [[Category:Spam]] {{subst:CURRENTTIME}} {{Template}} {{#if:x|y}} __NOTOC__ ~~~~ <script>alert(1)</script> <ref>x</ref> {| table`

// literalCase is one hostile reply: its content (HTML, or plain text for
// EscapeWikitext when plain is set) and the text it must render as.
type literalCase struct {
	name     string
	in       string
	plain    bool
	maxRunes int
	moreURL  string
	want     string
	// wantLink is the read-more link's address as the wiki records it.
	wantLink string
}

func literalCases() []literalCase {
	long := strings.Repeat("lorem ipsum [[x]] {{y}} ~~~~ ", 3500) // ~100 KB
	return []literalCase{
		{name: "injection", in: "<p>" + html.EscapeString(hostileInjection) + "</p>", want: hostileInjection},
		{name: "subst alone", in: "{{subst:CURRENTYEAR}}", want: "{{subst:CURRENTYEAR}}"},
		{name: "subst in HTML", in: "<p>{{subst:CURRENTYEAR}}{{subst:REVISIONUSER}}</p>", want: "{{subst:CURRENTYEAR}}{{subst:REVISIONUSER}}"},
		{name: "category alone", in: "[[Category:X]]", want: "[[Category:X]]"},
		{name: "signatures", in: "<p>~~~~</p><p>~~~</p><p>~~~~~</p>", want: "~~~~\n\n~~~\n\n~~~~~"},
		{name: "script tag dropped", in: "<p>before<script>alert(1)</script>after</p>", want: "beforeafter"},
		{name: "script as text", in: "&lt;script&gt;alert(1)&lt;/script&gt;", want: "<script>alert(1)</script>"},
		{name: "extension tags", in: html.EscapeString("<ref>r</ref><gallery>File:X.png</gallery><nowiki>n</nowiki></nowiki><pre>p</pre><!-- c --><references/>"),
			want: "<ref>r</ref><gallery>File:X.png</gallery><nowiki>n</nowiki></nowiki><pre>p</pre><!-- c --><references/>"},
		{name: "long text cut", in: "<p>" + long + "</p>", maxRunes: 500,
			moreURL: "https://social.example/@bob_x/109?a=1&b=~'", want: "",
			// The wiki records the address decoded: the escapes change nothing.
			wantLink: "https://social.example/@bob_x/109?a=1&b=~'"},
		{name: "rtl override", in: "<p>\u202eevil</p><p>good\u202egnp.exe\u2066\u200e\u200f</p>", want: "evil\ngoodgnp.exe"},
		{name: "bare URL", in: "<p>see https://example.org/x and mailto:a@b.example or //example.org/y</p>",
			want: "see https://example.org/x and mailto:a@b.example or //example.org/y"},
		{name: "mastodon link", in: `<p><a href="https://example.org/x"><span class="invisible">https://</span>example.org/x</a> <a href="https://example.org/y">why</a></p>`,
			want: "https://example.org/x why (https://example.org/y)"},
		{name: "bracketed links", in: "<p>[https://example.org/x text] [//example.org/y z] [[:Category:A|a]]</p>",
			want: "[https://example.org/x text] [//example.org/y z] [[:Category:A|a]]"},
		{name: "entities", in: "<p>&amp;lt; &amp;amp; &amp;#123; &amp;nbsp;</p>", want: "&lt; &amp; &#123; &nbsp;"},
		{name: "line starts", in: "<p>* star<br># hash<br>: colon<br>; semi<br>= eq =<br>== h2 ==<br>----<br>{| t<br>|- r<br>|} e<br>! h<br>#REDIRECT [[Main Page]]</p>",
			want: "* star\n# hash\n: colon\n; semi\n= eq =\n== h2 ==\n----\n{| t\n|- r\n|} e\n! h\n#REDIRECT [[Main Page]]"},
		{name: "plain line starts", plain: true, in: " leading space\n  two\n\tThree\n----\n*x",
			want: "leading space\ntwo\nThree\n----\n*x"},
		{name: "redirect first", plain: true, in: "#REDIRECT [[Main Page]]", want: "#REDIRECT [[Main Page]]"},
		{name: "quotes", in: "<p>''italic'' '''bold''' '''''both''''' don't</p>", want: "''italic'' '''bold''' '''''both''''' don't"},
		{name: "magic words", in: "<p>__TOC__ __NOEDITSECTION__ __INDEX__ __NOINDEX__ __HIDDENCAT__ {{DISPLAYTITLE:x}} {{DEFAULTSORT:y}} {{PAGENAME}}</p>",
			want: "__TOC__ __NOEDITSECTION__ __INDEX__ __NOINDEX__ __HIDDENCAT__ {{DISPLAYTITLE:x}} {{DEFAULTSORT:y}} {{PAGENAME}}"},
		{name: "magic links", in: "<p>ISBN 0-306-40615-2 RFC 1234 PMID 123456 ISBN&nbsp;9780306406157</p>",
			want: "ISBN 0-306-40615-2 RFC 1234 PMID 123456 ISBN\u00a09780306406157"},
		{name: "language converter", in: "<p>-{zh-hans:a; zh-hant:b}- -{R|raw}-</p>", want: "-{zh-hans:a; zh-hant:b}- -{R|raw}-"},
		{name: "parser functions", in: "<p>{{#invoke:M|f}} {{#tag:ref|x}} {{{1|default}}} {{!}} {{=}}</p>", want: "{{#invoke:M|f}} {{#tag:ref|x}} {{{1|default}}} {{!}} {{=}}"},
		{name: "unicode", in: "<p>Grüße — 日本語 🙂 العربية</p>", want: "Grüße — 日本語 🙂 العربية"},
		{name: "controls", in: "<p>a\x7fb\u0085c</p>", want: "abc"},
	}
}

// TestWikitextFromHTMLOnRealWiki proves on a real MediaWiki that the output
// renders as its text and nothing else: no link, template, category or page
// property comes out of it, and the HTML holds only paragraphs (and the
// read-more link after a cut), with the pre-save transform applied as on
// save. Magic links (ISBN, RFC, PMID) are switched on to be tested too.
func TestWikitextFromHTMLOnRealWiki(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	enableMagicLinks(t, w)
	s := w.Login(t)
	t.Run("control: unescaped markup is seen", func(t *testing.T) {
		// The checks below mean something only if the same wiki reports
		// markup when there is some.
		got := parseWikitext(t, s, params.Values{"contentmodel": "wikitext", "pst": "1",
			"text": hostileInjection + " __NOINDEX__ https://example.org/x ISBN 0-306-40615-2\n* list"})
		if len(got.Links) == 0 || len(got.Templates) == 0 || len(got.Categories) == 0 ||
			len(got.ExternalLinks) == 0 || strings.TrimSpace(string(got.Properties)) == "[]" {
			t.Errorf("raw markup reported no links, templates, categories, external links or properties: %+v", got)
		}
		if _, tags := renderedText(t, got.Text); !slices.Contains(tags, "ul") || !slices.Contains(tags, "b") {
			t.Errorf("raw markup rendered only %v", tags)
		}
		// Magic links are not listed in links or externallinks: only the
		// <a> in the HTML shows them, which checkRendered catches.
		magic := parseWikitext(t, s, params.Values{"contentmodel": "wikitext", "text": "ISBN 0-306-40615-2 RFC 1234 PMID 123"})
		if !strings.Contains(magic.Text, "mw-magiclink-isbn") || !strings.Contains(magic.Text, "mw-magiclink-rfc") || !strings.Contains(magic.Text, "mw-magiclink-pmid") {
			t.Errorf("magic links are not on: %s", magic.Text)
		}
	})
	for _, tc := range literalCases() {
		t.Run(tc.name, func(t *testing.T) {
			var text, want string
			if tc.plain {
				text, want = wiki.EscapeWikitext(tc.in), tc.want
			} else {
				text = wiki.WikitextFromHTML(tc.in, tc.maxRunes, tc.moreURL)
				want = tc.want
				if want == "" {
					want, _ = wiki.CutText(wiki.PlainTextFromHTML(tc.in), tc.maxRunes)
				}
			}
			cut := tc.wantLink != ""
			if cut {
				want += "\n" + wiki.ReadMoreLabel
			}
			got := parseWikitext(t, s, params.Values{"text": text, "contentmodel": "wikitext", "pst": "1"})
			checkRendered(t, got, want, tc.wantLink, "div", "p")
		})
	}
}

// enableMagicLinks switches on the ISBN, RFC and PMID magic links, off by
// default since MediaWiki 1.28 but on in many wikis. It waits for the web
// server to notice (AddSettings): a parse right after the change may be
// answered with the settings compiled before it.
func enableMagicLinks(t *testing.T, w *testenv.Wiki) {
	t.Helper()
	w.AddSettings(t, "$wgEnableMagicLinks = [ 'ISBN' => true, 'PMID' => true, 'RFC' => true ];")
}

// parseResult is what action=parse says of some wikitext.
type parseResult struct {
	Title         string            `json:"title"`
	Text          string            `json:"text"`
	Links         []json.RawMessage `json:"links"`
	ExternalLinks []string          `json:"externallinks"`
	Templates     []json.RawMessage `json:"templates"`
	Categories    []json.RawMessage `json:"categories"`
	// Properties is [] when empty (a PHP list), an object otherwise.
	Properties json.RawMessage `json:"properties"`
}

// parseWikitext calls action=parse with p (text= or page=) and every
// property the checks need.
func parseWikitext(t *testing.T, s *testenv.Session, p params.Values) parseResult {
	t.Helper()
	p.Set("action", "parse")
	p.Set("prop", "text|links|externallinks|templates|categories|properties")
	p.Set("disablelimitreport", "1")
	p.Set("disableeditsection", "1")
	var resp struct {
		Parse parseResult `json:"parse"`
	}
	if err := s.C.Post(context.Background(), p, &resp); err != nil {
		t.Fatalf("action=parse: %v", err)
	}
	return resp.Parse
}

// checkRendered asserts that parseResult wikitext made no link but wantLink (if
// any), no template, category or page property, used only the allowed HTML
// elements (plus <a> for wantLink), and reads as want, whitespace aside.
func checkRendered(t *testing.T, got parseResult, want, wantLink string, elements ...string) {
	t.Helper()
	if len(got.Links) != 0 || len(got.Templates) != 0 || len(got.Categories) != 0 {
		t.Errorf("links %s, templates %s, categories %s: want none", got.Links, got.Templates, got.Categories)
	}
	if p := strings.TrimSpace(string(got.Properties)); p != "[]" && p != "{}" && p != "" {
		t.Errorf("page properties %s: want none", p)
	}
	var wantExt []string
	if wantLink != "" {
		wantExt = []string{wantLink}
		elements = append(elements, "a")
	}
	if !slices.Equal(got.ExternalLinks, wantExt) {
		t.Errorf("external links %q, want %q", got.ExternalLinks, wantExt)
	}
	text, tags := renderedText(t, got.Text)
	for _, tag := range tags {
		if !slices.Contains(elements, tag) {
			t.Errorf("rendered HTML holds <%s>, want only %v:\n%s", tag, elements, snipHTML(got.Text))
		}
	}
	if normSpace(text) != normSpace(want) {
		t.Errorf("rendered text:\n got %q\nwant %q\nHTML: %s", snipHTML(normSpace(text)), snipHTML(normSpace(want)), snipHTML(got.Text))
	}
}

// renderedText is the text a reader sees in the parser's HTML, entities
// decoded and comments dropped, and the elements it uses.
func renderedText(t *testing.T, h string) (string, []string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(h))
	if err != nil {
		t.Fatalf("parsing the wiki's HTML: %v", err)
	}
	var b strings.Builder
	var tags []string
	var walk func(n *html.Node, inBody bool)
	walk = func(n *html.Node, inBody bool) {
		// Blocks separate words; inline elements (a link, a heading's
		// span) do not.
		block := n.Type == html.ElementNode && n.Data != "a" && n.Data != "span"
		switch {
		case n.Type == html.TextNode && inBody:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && inBody && !slices.Contains(tags, n.Data):
			tags = append(tags, n.Data)
		}
		if block {
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inBody || n.Type == html.ElementNode && n.Data == "body")
		}
		if block {
			b.WriteString(" ")
		}
	}
	walk(doc, false)
	return b.String(), tags
}

func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func snipHTML(s string) string {
	if len(s) > 600 {
		return s[:300] + " … " + s[len(s)-300:]
	}
	return s
}
