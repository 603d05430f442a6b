package handle

import (
	"strings"
	"testing"
)

// FuzzForPage checks the promise every caller relies on: whatever the title,
// the handle is "" or one that Mastodon and Misskey accept, it parses back to
// the title's namespace, and its candidates map back to it.
func FuzzForPage(f *testing.F) {
	for _, c := range pageCases {
		f.Add(c.title)
	}
	for _, c := range userCases {
		f.Add(c.name)
	}
	f.Add("Talk:\x00\xff")
	f.Add("Help:" + strings.Repeat("ü", 200))
	f.Add("\u0301\u0301:x")
	site := testSite("Testwiki", true)
	f.Fuzz(func(t *testing.T, title string) {
		h := ForPage(site, title)
		if h != "" {
			assertValid(t, "ForPage", h)
			ns, _ := splitTitle(site, title)
			if ref := Parse(site, h); ref.Kind != Page || ref.Namespace != ns {
				t.Fatalf("Parse(%q) = %+v, want Page in namespace %d (title %q)", h, ref, ns, title)
			}
			cands := Candidates(site, h)
			if len(cands) == 0 || len(cands) > 10 {
				t.Fatalf("Candidates(%q) = %q", h, cands)
			}
			for _, c := range cands {
				if back := ForPage(site, c); back != h {
					t.Fatalf("Candidates(%q) has %q, which maps to %q (title %q)", h, c, back, title)
				}
			}
		}
		if u := ForUser(title); u != "" {
			assertValid(t, "ForUser", u)
			if ref := Parse(site, u); ref.Kind != User {
				t.Fatalf("Parse(%q) = %+v, want User (name %q)", u, ref, title)
			}
		}
		// Parse and Candidates must survive any typed handle.
		_ = Candidates(site, title)
	})
}
