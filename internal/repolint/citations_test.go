package repolint

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// A problem is one citation that a reader of the repository cannot follow.
type problem struct {
	file string // relative to the repository root
	msg  string
}

func (p problem) String() string { return p.file + ": " + p.msg }

// outsideNames are the project's background notes, which live outside the
// repository: named bare as often as by file name.
var outsideNames = regexp.MustCompile(`\b(INTEROP|DESIGN\.md|MEDIAWIKI\.md)\b`)

// urls are web addresses, left out of the checks.
var urls = regexp.MustCompile(`https?://[^\s)>\]"'` + "`" + `]+`)

// pathToken is a run of characters that can make up a file path.
var pathToken = regexp.MustCompile(`[A-Za-z0-9_.~/+-]+`)

// docsCite is a citation of a document in the docs folder, optionally
// followed by the section it means: the heading in double quotes, after a
// comma or in parentheses, or a GitHub anchor after "#".
var docsCite = regexp.MustCompile(`docs/([A-Za-z0-9_.-]+\.md)(?:#([A-Za-z0-9_-]+)|,?\s*\(?\s*(?:section\s+)?"([^"]+)")?`)

// checker knows the repository's files and the headings of its documents.
type checker struct {
	root     string
	headings map[string]map[string]bool // docs file → heading text (lowercase) and anchors
}

func newChecker(root string) *checker {
	return &checker{root: root, headings: map[string]map[string]bool{}}
}

// check returns the problems of one text (a comment, a README) found in the
// file rel (relative to the root).
func (c *checker) check(rel, text string) []problem {
	var out []problem
	add := func(format string, args ...any) {
		out = append(out, problem{file: rel, msg: fmt.Sprintf(format, args...)})
	}
	// Comments wrap anywhere: a citation and its section may span lines.
	// URLs are fine: anyone can follow them.
	flat := strings.Join(strings.Fields(urls.ReplaceAllString(text, " ")), " ")
	for _, m := range outsideNames.FindAllString(flat, -1) {
		add("cites %s, a note outside the repository: cite docs/interop.md, docs/mediawiki.md or docs/architecture.md instead", m)
	}
	for _, tok := range pathToken.FindAllString(flat, -1) {
		t := strings.TrimRight(tok, ".,")
		switch {
		case strings.Contains(t, "shared/"):
			add("cites %s, outside the repository", t)
		case strings.HasPrefix(t, "/work/") || strings.HasPrefix(t, "~/"):
			add("cites %s, outside the repository", t)
		case strings.HasPrefix(t, "../") && c.escapes(rel, t):
			add("cites %s, which leads out of the repository", t)
		case strings.HasSuffix(t, ".md") && strings.Contains(t, "/") && !c.exists(rel, t):
			add("cites %s, which is not in the repository", t)
		}
	}
	for _, m := range docsCite.FindAllStringSubmatch(flat, -1) {
		doc := "docs/" + m[1]
		if !c.exists("", doc) {
			continue // reported above as a missing file
		}
		hs, err := c.docHeadings(doc)
		if err != nil {
			add("reading %s: %v", doc, err)
			continue
		}
		if anchor := m[2]; anchor != "" && !hs["#"+anchor] {
			add("cites %s#%s, but %s has no heading with that anchor", doc, anchor, doc)
		}
		if section := m[3]; section != "" && !hs[strings.ToLower(section)] {
			add("cites %s, %q, but %s has no such heading", doc, section, doc)
		}
	}
	return out
}

// exists reports whether path p, relative to the root or to the directory
// of the file rel, is a file of the repository.
func (c *checker) exists(rel, p string) bool {
	candidates := []string{filepath.Join(c.root, p)}
	if rel != "" {
		candidates = append(candidates, filepath.Join(c.root, filepath.Dir(rel), p))
	}
	for _, f := range candidates {
		if st, err := os.Stat(f); err == nil && !st.IsDir() && c.inside(f) {
			return true
		}
	}
	return false
}

// escapes reports whether the relative path p, taken from the directory of
// the file rel, leads outside the root.
func (c *checker) escapes(rel, p string) bool {
	return !c.inside(filepath.Join(c.root, filepath.Dir(rel), p))
}

func (c *checker) inside(abs string) bool {
	r, err := filepath.Rel(c.root, abs)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// docHeadings reads the Markdown headings of a document: their text,
// lowercase, and their GitHub-style anchors, prefixed with "#".
func (c *checker) docHeadings(doc string) (map[string]bool, error) {
	if hs, ok := c.headings[doc]; ok {
		return hs, nil
	}
	b, err := os.ReadFile(filepath.Join(c.root, doc))
	if err != nil {
		return nil, err
	}
	hs := map[string]bool{}
	inFence := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence || !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimSpace(strings.TrimLeft(line, "#"))
		if text == "" {
			continue
		}
		hs[strings.ToLower(text)] = true
		hs["#"+anchor(text)] = true
	}
	c.headings[doc] = hs
	return hs, nil
}

// anchor is the id GitHub gives a heading: lowercase, punctuation dropped,
// spaces as hyphens.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}
