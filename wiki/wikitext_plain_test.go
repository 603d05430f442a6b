package wiki

import "testing"

func TestPlainWikitext(t *testing.T) {
	site := testSite(t)
	for _, tt := range []struct{ name, in, want string }{
		{"plain", "restarted nginx", "restarted nginx"},
		{"list and link with label", "* 12:00 jimbo: restarted [[nginx|the web server]]", "12:00 jimbo: restarted the web server"},
		{"link without label, leading colon", "see [[db1]] and [[:Category:Servers]]", "see db1 and Category:Servers"},
		{"pipe with empty label keeps the target", "[[Help:Contents|]]", "Help:Contents"},
		{"link trail", "three [[cat]]s", "three cats"},
		{"category and file links go", "text [[Category:Servers]][[File:X.png|thumb|A [[caption]]]] more", "text more"},
		{"local names and aliases of file namespaces", "[[Image:X.png]] [[file:Y.png|x]] ok", "ok"},
		{"external links", "see [https://phab.example/T1 T1] and [https://x.example]", "see T1 and https://x.example"},
		{"bare URL stays", "at https://x.example/a", "at https://x.example/a"},
		{"bold and italic", "'''bold''' and ''italic'' and '''''both'''''", "bold and italic and both"},
		{"apostrophe", "don't", "don't"},
		{"comment", "a <!-- secret --> b", "a b"},
		{"unclosed comment takes the rest", "a <!-- secret\nmore", "a"},
		{"lone closer takes what is before", "secret --> b", "b"},
		{"templates nested", "x {{done|{{inner}}}} y {{{param}}} z", "x y z"},
		{"unclosed template takes its line", "x {{cite web|url=a\nnext line", "x\nnext line"},
		{"templates over lines", "{{Infobox\n| name = x\n| born = {{date|1879}}\n}}\n'''Albert''' was", "Albert was"},
		{"an unclosed one after a closed one", "{{a}} b {{c\nd {{e}} f", "b\nd f"},
		{"references", "fact<ref name=a>source</ref> more<ref name=b/> end", "fact more end"},
		{"tags go, text stays", `<span class="x">in</span> <b>b</b> <br/>`, "in b"},
		{"less-than stays", "a < b > c", "a < b > c"},
		{"heading", "== 2024-05-01 ==", "2024-05-01"},
		{"indent and definition", ":: reply\n; term", "reply\nterm"},
		{"table lines", "{| class=x\n|-\n| cell one\n! head\n|}", "cell one\nhead"},
		{"rule and magic word", "----\n__NOTOC__ text", "text"},
		{"entities", "a&nbsp;b &amp; c &lt;d&gt;", "a b & c <d>"},
		{"spaces and empty lines", "a   b\n\n\n  c  ", "a b\nc"},
		{"unmatched brackets", "a [[b c", "a b c"},
		{"fragment joiner kept", "again … more", "again … more"},
	} {
		if got := plainWikitext(tt.in, site); got != tt.want {
			t.Errorf("%s: plainWikitext(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	if got := plainWikitext("[[Category:X]] y", nil); got != "y" {
		t.Errorf("without site information: %q", got)
	}
}
