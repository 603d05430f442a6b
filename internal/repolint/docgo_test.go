package repolint

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryPackageHasDocGo: each package says in a doc.go what it owns
// and what it must not know, so a newcomer finds it in one place.
func TestEveryPackageHasDocGo(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", "{{.Dir}}", "./...")
	cmd.Dir = repoRoot(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	dirs := strings.Fields(string(out))
	if len(dirs) < 10 {
		t.Fatalf("go list found %d packages: %q", len(dirs), dirs)
	}
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "doc.go"))
		if err != nil {
			t.Errorf("%s: no doc.go", dir)
			continue
		}
		if !bytes.HasPrefix(b, []byte("// Package ")) && !bytes.HasPrefix(b, []byte("// Command ")) {
			t.Errorf("%s/doc.go does not begin with the package's comment", dir)
		}
	}
}
