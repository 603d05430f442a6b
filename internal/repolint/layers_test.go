package repolint

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/wikipub/wikipub/"

// federationOrder is the federation side's packages, bottom to top, as
// docs/architecture.md lists them: a package may import only packages of
// an earlier layer (the base layer's packages, which know nothing of the
// others, may also import each other). A package not listed here fails the
// test until it is given its place.
var federationOrder = [][]string{
	{"federation/store", "federation/store/boltstore", "federation/store/redisstore", "federation/store/storetest",
		"federation/httpsig", "federation/handle", "federation/internal/ttlcache", "federation/internal/promreg",
		"federation/internal/httpjson", "federation/internal/fedtest"},
	{"federation/activity"},
	{"federation/avatar"},
	{"federation/actors"},
	{"federation/remote"},
	{"federation/delivery"},
	{"federation/talk"},
	{"federation/publish"},
	{"federation/inbox"},
	{"federation/web"},
	{"federation/integration"},
}

// goPackage is the part of `go list -json` the layer check reads.
type goPackage struct {
	ImportPath   string
	Deps         []string
	TestImports  []string
	XTestImports []string
}

// TestFederationLayers walks `go list -deps` of every federation package
// and fails on a back edge: an import, direct or not, of a package at or
// after its own layer. Tests may import lower layers only too, except the
// integration tests, which wire everything. The wiki package must import
// nothing of the federation side.
func TestFederationLayers(t *testing.T) {
	root := repoRoot(t)
	layer := map[string]int{}
	for i, group := range federationOrder {
		for _, p := range group {
			layer[p] = i
		}
	}
	cmd := exec.Command("go", "list", "-json", "-deps=false", "./federation/...", "./wiki/...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	seen := 0
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		name := strings.TrimPrefix(p.ImportPath, module)
		ours := func(deps []string) []string {
			var out []string
			for _, d := range deps {
				if strings.HasPrefix(d, module) {
					out = append(out, strings.TrimPrefix(d, module))
				}
			}
			return out
		}
		if name == "wiki" || strings.HasPrefix(name, "wiki/") {
			for _, d := range ours(p.Deps) {
				if strings.HasPrefix(d, "federation") {
					t.Errorf("%s imports %s: the wiki package must know nothing of the federation side", name, d)
				}
			}
			continue
		}
		mine, ok := layer[name]
		if !ok {
			t.Errorf("%s has no place in federationOrder (internal/repolint/layers_test.go): give it one, and say where in docs/architecture.md", name)
			continue
		}
		check := func(what string, deps []string) {
			for _, d := range ours(deps) {
				if d == name {
					continue
				}
				theirs, ok := layer[d]
				switch {
				case !strings.HasPrefix(d, "federation"):
					if strings.HasPrefix(d, "cmd/") || (strings.HasPrefix(d, "internal/") && what == "imports") {
						t.Errorf("%s %s %s, which is not a library", name, what, d)
					}
				case !ok:
					// Reported where that package itself is listed.
				case theirs > mine || (theirs == mine && mine != 0):
					t.Errorf("back edge: %s %s %s (layer %d imports layer %d)", name, what, d, mine, theirs)
				}
			}
		}
		check("imports", p.Deps)
		if name != "federation/integration" {
			check("tests import", append(append([]string{}, p.TestImports...), p.XTestImports...))
		}
	}
	if seen < len(layer) {
		t.Errorf("go list saw %d packages, fewer than the %d in the order: one was renamed or removed; update federationOrder", seen, len(layer))
	}
}
