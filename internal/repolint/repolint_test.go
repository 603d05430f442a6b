package repolint

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the directory of go.mod above the test's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// TestCommentsCiteOnlyTheRepository reads every comment of every Go file
// and the READMEs, and fails on each citation of a file outside the
// repository and on each docs/ document or section that does not exist.
func TestCommentsCiteOnlyTheRepository(t *testing.T) {
	root := repoRoot(t)
	c := newChecker(root)
	var problems []problem
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		switch {
		case strings.HasSuffix(name, ".go"):
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			files++
			for _, cg := range f.Comments {
				problems = append(problems, c.check(rel, cg.Text())...)
			}
		case name == "README.md":
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			problems = append(problems, c.check(rel, string(b))...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("read only %d files under %s: is this the repository?", files, root)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestChecker shows that the checker finds what it must and lets the rest
// through, on a small repository of its own.
func TestChecker(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/interop.md", "# Interop\n\n## Trusting a key\n\ntext\n\n```\n# not a heading\n```\n\n## JSON-LD: one or many\n")
	write("deploy/README.md", "# Deploy\n")
	write("pkg/a.go", "package pkg\n")

	tests := []struct {
		name, text   string
		wantProblems int
	}{
		{"plain text", "Mastodon drops actors without a context.", 0},
		{"docs file", "See docs/interop.md.", 0},
		{"docs section", `See docs/interop.md, "Trusting a key".`, 0},
		{"docs section wrapped", "See docs/interop.md, \"Trusting a\n key\".", 0},
		{"docs section in parentheses", `(docs/interop.md ("JSON-LD: one or many"))`, 0},
		{"docs anchor", "docs/interop.md#trusting-a-key", 0},
		{"section case-insensitive", `docs/interop.md, "trusting a KEY"`, 0},
		{"other md in the repository", "see deploy/README.md", 0},
		{"URL", "https://example.org/shared/INTEROP.html and https://github.com/x/y/blob/main/docs/FAQ.md", 0},
		{"missing docs file", "see docs/architecture.md", 1},
		{"missing section", `docs/interop.md, "Handles"`, 1},
		{"missing anchor", "docs/interop.md#handles", 1},
		{"background note by name", "as INTEROP.md prescribes", 1},
		{"background note bare", "INTEROP's default window", 1},
		{"design note", "see DESIGN.md", 1},
		{"mediawiki note", "MEDIAWIKI.md says so", 1},
		{"shared path", "see shared/INTEROP.md", 2},
		{"absolute path", "/work/shared/INTEROP.md", 2},
		{"relative path out", "in ../shared/gotosocial", 1},
		{"relative path out, no shared", "the build in ../../gotosocial", 1},
		{"relative path inside", "see ../a.go", 0},
		{"md outside", "see notes/TODO.md", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newChecker(root).check("pkg/a.go", tt.text)
			if len(got) != tt.wantProblems {
				t.Errorf("check(%q) = %v, want %d problem(s)", tt.text, got, tt.wantProblems)
			}
		})
	}
}
