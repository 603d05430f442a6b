package wiki

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafePlainTextFromHTML(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo"},
		{"br", "<p>one<br>two<br/>three</p>", "one\ntwo\nthree"},
		{"spaces collapse", "<p>  a \n\t b  </p>", "a b"},
		{"entities", "<p>&amp;lt; &amp;amp; &lt;b&gt; &quot;q&quot; &#123;&#123;x}} &nbsp;</p>", "&lt; &amp; <b> \"q\" {{x}} \u00a0"},
		{"mastodon link", `<p>see <a href="https://example.org/x" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="">example.org/x</span><span class="invisible"></span></a></p>`, "see https://example.org/x"},
		{"mastodon long link", `<a href="https://example.org/a/very/long/path"><span class="invisible">https://</span><span class="ellipsis">example.org/a/very/lo</span><span class="invisible">ng/path</span></a>`, "https://example.org/a/very/long/path"},
		{"link text differs", `<a href="https://example.org/y">click here</a>!`, "click here (https://example.org/y)!"},
		{"link without text", `<a href="https://example.org/y"></a>`, "https://example.org/y"},
		{"mention", `<span class="h-card"><a href="https://social.example/@bob" class="u-url mention">@<span>bob</span></a></span> hi`, "@bob (https://social.example/@bob) hi"},
		{"hashtag", `<a href="https://social.example/tags/wiki" class="mention hashtag" rel="tag">#<span>wiki</span></a>`, "#wiki"},
		{"javascript link", `<a href="javascript:alert(1)">x</a>`, "x"},
		{"script dropped", "<p>before<script>alert(1)</script>after<style>p{}</style></p>", "beforeafter"},
		{"img dropped", `<p>a<img src="x" alt="ALT">b</p>`, "ab"},
		{"comment dropped", "<p>a<!-- hidden -->b</p>", "ab"},
		{"lists", "<ul><li>one</li><li>two</li></ul><p>after</p>", "one\ntwo\n\nafter"},
		{"blockquote", "<p>a</p><blockquote><p>quoted</p></blockquote>", "a\n\nquoted"},
		{"pre keeps lines", "<pre>line 1\nline 2</pre>", "line 1\nline 2"},
		{"bidi stripped", "<p>good\u202egnp.exe\u2066x\u2069\u200f</p>", "goodgnp.exex"},
		{"controls stripped", "<p>a\x7fb\u0085c\ufffed</p>", "abcd"},
		{"blank lines collapse", "<p>a</p><p></p><p><br></p><div><p>b</p></div>", "a\n\nb"},
		{"plain text", "just text", "just text"},
		{"unclosed tags", "<p><b>bold <i>both", "bold both"},
		{"empty", "", ""},
		{"too deep", strings.Repeat("<div>", 600) + "x", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := PlainTextFromHTML(tc.in); got != tc.want {
				t.Errorf("PlainTextFromHTML(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestEscapeWikitext(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain words, fine. (yes) 100% $5 + \"q\" @bob/x?", "plain words, fine. (yes) 100% $5 + \"q\" @bob/x?"},
		{"{{subst:CURRENTYEAR}}", "&#123;&#123;subst&#58;CURRENTYEAR&#125;&#125;"},
		{"[[Category:X]]", "&#91;&#91;Category&#58;X&#93;&#93;"},
		{"~~~~", "&#126;&#126;&#126;&#126;"},
		{"'''b''' __NOTOC__", "&#39;&#39;&#39;b&#39;&#39;&#39; &#95;&#95;NOTOC&#95;&#95;"},
		{"<script>&amp;", "&#60;script&#62;&#38;amp&#59;"},
		{"https://example.org/x", "https&#58;//example.org/x"},
		{"* a\n# b\n: c\n; d\n= e =\n----\n{| f\n|- g\n! h", "&#42; a\n\n&#35; b\n\n&#58; c\n\n&#59; d\n\n&#61; e &#61;\n\n&#45;---\n\n&#123;&#124; f\n\n&#124;- g\n\n&#33; h"},
		{"well-known - mid-line", "well-known - mid-line"},
		{"ISBN 0-306-40615-2 RFC 1234 PMID 5", "&#73;SBN 0-306-40615-2 &#82;FC 1234 &#80;MID 5"},
		{"-{zh:a}-", "&#45;&#123;zh&#58;a&#125;-"},
		{"a\r\nb\rc\u2028d", "a\n\nb\n\nc\n\nd"},
		{"  indented\n\n\n\nafter  ", "indented\n\nafter"},
		{"\u202eevil", "evil"},
		{"Grüße — 日本語 🙂", "Grüße — 日本語 🙂"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := EscapeWikitext(tc.in); got != tc.want {
			t.Errorf("EscapeWikitext(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	if got, want := EscapeWikitextLine(" == a\nb == "), "&#61;&#61; a b &#61;&#61;"; got != want {
		t.Errorf("EscapeWikitextLine = %q, want %q", got, want)
	}
	if got, want := EscapeWikitextLine("- x"), "&#45; x"; got != want {
		t.Errorf("EscapeWikitextLine = %q, want %q", got, want)
	}
}

func TestSafeCutText(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
		cut  bool
	}{
		{"short", 10, "short", false},
		{"exactly10!", 10, "exactly10!", false},
		{"no limit at all", 0, "no limit at all", false},
		{"one two three four", 12, "one two…", true},
		{"abcdefghijklmnop", 5, "abcd…", true},
		{"ab", 1, "…", true},
		{"e\u0301e\u0301e\u0301", 4, "e\u0301…", true},
		{"para one\n\npara two", 12, "para one…", true},
	}
	for _, tc := range cases {
		got, cut := CutText(tc.in, tc.max)
		if got != tc.want || cut != tc.cut {
			t.Errorf("CutText(%q, %d) = %q, %v; want %q, %v", tc.in, tc.max, got, cut, tc.want, tc.cut)
		}
		if tc.max > 0 && utf8.RuneCountInString(got) > tc.max {
			t.Errorf("CutText(%q, %d) = %q: longer than the limit", tc.in, tc.max, got)
		}
	}
}

func TestSafeExternalLinkURL(t *testing.T) {
	good := []struct{ in, want string }{
		{"https://social.example/@bob/109", "https://social.example/@bob/109"},
		{"http://social.example:8080/x?a=1&b=2#f", "http://social.example:8080/x?a=1&#38;b=2#f"},
		{"https://social.example/__NOTOC__/~~~~/''x''", "https://social.example/%5F%5FNOTOC%5F%5F/%7E%7E%7E%7E/%27%27x%27%27"},
		{"https://social.example/a b]c[d|e{f}<g>\"h", "https://social.example/a%20b%5Dc%5Bd%7Ce%7Bf%7D%3Cg%3E%22h"},
		{"https://social.example/ünï", "https://social.example/%C3%BCn%C3%AF"},
		{" https://social.example/x ", "https://social.example/x"},
	}
	for _, tc := range good {
		got, err := ExternalLinkURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ExternalLinkURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	bad := []string{
		"", "javascript:alert(1)", "ftp://x.example/", "//social.example/x", "/relative",
		"https://user:pw@social.example/", "https://ünï.example/", "https://[::1]/", "mailto:a@b.example",
		"https:social.example", "https://bad host/", "data:text/html,x",
	}
	for _, in := range bad {
		if got, err := ExternalLinkURL(in); err == nil {
			t.Errorf("ExternalLinkURL(%q) = %q, want an error", in, got)
		}
	}
}

func TestWikitextFromHTML(t *testing.T) {
	in := "<p>" + strings.Repeat("word ", 100) + "</p>"
	got := WikitextFromHTML(in, 20, "https://social.example/@bob/1")
	want := "word word word word…\n\n[https://social.example/@bob/1 " + ReadMoreLabel + "]"
	if got != want {
		t.Errorf("cut reply:\n got %q\nwant %q", got, want)
	}
	if got := WikitextFromHTML(in, 20, "javascript:alert(1)"); got != "word word word word…" {
		t.Errorf("cut reply with a bad URL = %q, want no link", got)
	}
	short := WikitextFromHTML("<p>[[x]]</p>", 20, "https://social.example/1")
	if short != "&#91;&#91;x&#93;&#93;" {
		t.Errorf("short reply = %q, want no link", short)
	}
	checkLiteral(t, short, "[[x]]")
	checkLiteral(t, got, "word word word word…")
}

// entityRef matches the numeric references EscapeWikitext writes.
var entityRef = regexp.MustCompile(`&#[0-9]+;`)

// readMoreLink matches the one piece of markup allowed: the final link.
var readMoreLink = regexp.MustCompile(`\n\n\[(https?://(?:[A-Za-z0-9\-./?=%:@,+$()*;#]|&#38;)+) ` + regexp.QuoteMeta(ReadMoreLabel) + `\]$`)

// checkLiteral fails unless out is wikitext that renders as exactly want
// (with lines as paragraphs), holding no markup but the read-more link.
func checkLiteral(t *testing.T, out, want string) {
	t.Helper()
	if err := literalError(out, want); err != nil {
		t.Fatalf("%v\noutput: %q", err, out)
	}
}

func literalError(out, want string) error {
	body := out
	if m := readMoreLink.FindStringSubmatchIndex(out); m != nil {
		body = out[:m[0]]
		url := out[m[2]:m[3]]
		for _, bad := range []string{"__", "~", "'", "{{", "[", "]", "<", "|"} {
			if strings.Contains(url, bad) {
				return fmt.Errorf("read-more URL %q holds %q", url, bad)
			}
		}
		if !strings.HasSuffix(body, "…") {
			return fmt.Errorf("a read-more link without a cut")
		}
	}
	if !utf8.ValidString(body) {
		return fmt.Errorf("invalid UTF-8")
	}
	bare := entityRef.ReplaceAllString(body, "")
	if i := strings.IndexAny(bare, escapedAnywhere); i >= 0 {
		return fmt.Errorf("unescaped %q in %q", bare[i], bare)
	}
	for _, w := range magicLinkWords {
		if strings.Contains(body, w) {
			return fmt.Errorf("magic link word %q", w)
		}
	}
	for _, r := range body {
		if r != '\n' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)) || isBidiControl(r) || isNoncharacter(r) {
			return fmt.Errorf("invisible character %U", r)
		}
	}
	var lines []string
	if body != "" {
		lines = strings.Split(body, "\n\n")
	}
	for _, l := range lines {
		if l == "" || strings.Contains(l, "\n") {
			return fmt.Errorf("lines must be paragraphs: %q", l)
		}
		if strings.ContainsAny(l[:1], escapedAtLineStart) {
			return fmt.Errorf("line starts with %q", l[:1])
		}
		if strings.HasSuffix(l, " ") {
			return fmt.Errorf("line ends with a space: %q", l)
		}
	}
	var wantLines []string
	for l := range strings.SplitSeq(want, "\n") {
		if l = strings.Trim(l, " \t"); l != "" {
			wantLines = append(wantLines, l)
		}
	}
	if got, want := html.UnescapeString(body), strings.Join(wantLines, "\n\n"); got != want {
		return fmt.Errorf("renders as %q, want %q", got, want)
	}
	return nil
}

// FuzzWikitextFromHTML checks, for any HTML, limit and URL, that the output
// holds no markup but the read-more link after a cut, and that it decodes to
// exactly the reply's plain text.
func FuzzWikitextFromHTML(f *testing.F) {
	seeds := []string{
		"'''bold''' [[Main Page]] [[Category:Spam]] {{subst:CURRENTTIME}} {{Template}} {{#if:x|y}} __NOTOC__ ~~~~ <script>alert(1)</script> <ref>x</ref> {| table",
		"<p>&lt;nowiki&gt;&lt;/nowiki&gt; ~~~ ~~~~~ &amp;amp; &#123;{</p>",
		"<p>* a<br># b<br>: c<br>; d<br>= e =<br>----<br> f<br>{|<br>|}</p>",
		"\u202eevil\u2066x\u2069 \u200e\u200f",
		`<a href="https://x.example/__NOTOC__">t</a> https://example.org/x mailto:a@b.c ISBN 0306406152`,
		"<pre>\n  indented\n\tx</pre>-{a}- RFC 1 PMID 2",
		"\x00\x7f\r\n\ufeff\ufffe\xff",
	}
	for i, s := range seeds {
		f.Add(s, 10*i, "https://social.example/@bob/"+fmt.Sprint(i)+"?a=1&b=_~'")
	}
	f.Fuzz(func(t *testing.T, in string, maxRunes int, moreURL string) {
		maxRunes %= 1000
		out := WikitextFromHTML(in, maxRunes, moreURL)
		plain, _ := CutText(PlainTextFromHTML(in), maxRunes)
		checkLiteral(t, out, plain)
		// The same holds for plain text given straight to EscapeWikitext.
		checkLiteral(t, EscapeWikitext(in), cleanText(in))
		line := EscapeWikitextLine(in)
		if strings.Contains(line, "\n") {
			t.Fatalf("EscapeWikitextLine(%q) = %q: more than one line", in, line)
		}
		checkLiteral(t, line, strings.ReplaceAll(cleanText(in), "\n", " "))
		if u, err := ExternalLinkURL(moreURL); err == nil {
			if !readMoreLink.MatchString("\n\n[" + u + " " + ReadMoreLabel + "]") {
				t.Fatalf("ExternalLinkURL(%q) = %q: not a safe link", moreURL, u)
			}
		}
	})
}
