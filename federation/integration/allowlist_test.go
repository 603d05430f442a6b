package integration

// Every post's HTML must survive Mastodon's sanitizer unchanged: Mastodon
// keeps only p br span a del s pre blockquote code b strong u i em ul ol li
// ruby rt rp (docs/interop.md, "HTML allowlist") and drops everything else,
// silently. These tests check the posts of note_golden_test.go against
// that list (summaryHTML has its own tests in federation/publish), and that
// no text the reader needs is lost on the way.

import (
	"strings"
	"testing"

	"github.com/wikipub/wikipub/federation/internal/fedtest"
	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/wiki"
)

func TestAllowlistPosts(t *testing.T) {
	_, posts := goldenPosts(t)
	for _, p := range posts {
		t.Run(p.name, func(t *testing.T) {
			content := p.note.Content
			for _, v := range fedtest.AllowlistViolations(content, nil) {
				t.Errorf("%s\nin %s", v, content)
			}
			text := fedtest.AllowlistText(t, content)
			c := p.c
			var want []string
			// The page (both titles of a move).
			want = append(want, c.Title)
			if c.Move != nil {
				want = append(want, c.Move.TargetTitle)
			}
			// The editor, when the wiki shows them and they have an
			// account. A categorize post names the page that joined, not
			// who added it (see categorize in publish/log.go).
			if !c.UserHidden && !c.Anonymous && c.User != "" && c.Kind != wiki.KindCategorize {
				want = append(want, c.User)
			}
			// The summary, as the wiki renders it, unless hidden.
			if !c.CommentHidden && c.ParsedComment != "" {
				want = append(want, strings.TrimSpace(fedtest.AllowlistText(t, c.ParsedComment)))
			}
			if c.Kind == wiki.KindNew || c.Kind == wiki.KindEdit {
				want = append(want, publish.SizeText(c.SizeDelta()))
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("post text lacks %q:\n%s", w, text)
				}
			}
		})
	}
}
