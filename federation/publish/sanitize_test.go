package publish

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wikipub/wikipub/federation/internal/fedtest"
)

// testBase is the wiki every summary is read against.
const testBase = "https://wiki.example"

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
			out := summaryHTML(tc.in, testBase)
			t.Logf("%q → %q", tc.in, out)
			for _, v := range fedtest.AllowlistViolations(out, onlyA) {
				t.Errorf("%s\nin %q (from %q)", v, out, tc.in)
			}
			if !tc.anyOut && out != tc.want {
				t.Errorf("summaryHTML(%q)\n = %q\nwant %q", tc.in, out, tc.want)
			}
			if tc.text != "" {
				if got := fedtest.AllowlistText(t, out); got != tc.text {
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
		out := summaryHTML(in, testBase)
		if again := summaryHTML(out, testBase); again != out {
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
		out := summaryHTML(in, testBase)
		if v := fedtest.AllowlistViolations(out, onlyA); len(v) > 0 {
			t.Fatalf("summaryHTML(%q) = %q:\n%s", in, out, strings.Join(v, "\n"))
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("valid UTF-8 in, invalid out: %q → %q", in, out)
		}
		// Inside a post it must stay inside its paragraph.
		post := "<p>" + out + "</p>"
		if v := fedtest.AllowlistViolations(post, nil); len(v) > 0 {
			t.Fatalf("in a post: %q:\n%s", post, strings.Join(v, "\n"))
		}
		if again := summaryHTML(out, testBase); again != out {
			t.Fatalf("not stable: %q → %q → %q", in, out, again)
		}
	})
}
