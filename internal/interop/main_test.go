package interop

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/wikipub/wikipub/internal/testenv"
)

// gts and gts2 are the two GoToSocial servers all tests of the package
// share (each takes about half a minute to start); each test gets wikipub
// on a port, and so a domain, of its own, and people of its own on them.
// Two servers, because what one server shows depends on who else on it
// follows what.
var gts, gts2 *testenv.GoToSocial

// gtsMissing says why there is no GoToSocial, for the tests' SKIP.
var gtsMissing error

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	dir, err := testenv.GoToSocialDir()
	if err != nil {
		gtsMissing = err
		fmt.Fprintf(os.Stderr, "\n*** SKIP internal/interop: %v ***\n\n", err)
		return m.Run()
	}
	// One after the other: the second reuses the WebAssembly the first
	// compiled, which is most of a start.
	servers := make([]*testenv.GoToSocial, 2)
	errs := make([]error, 2)
	for i := range servers {
		servers[i], errs[i] = startGoToSocial(dir)
	}
	for _, g := range servers {
		if g != nil {
			defer os.RemoveAll(g.Dir())
			defer g.Stop()
		}
	}
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintf(os.Stderr, "starting GoToSocial: %v\n", err)
		return 1
	}
	gts, gts2 = servers[0], servers[1]
	code := m.Run()
	if code != 0 {
		for _, g := range servers {
			fmt.Fprintf(os.Stderr, "--- the end of GoToSocial's log (%s):\n%s\n", g.LogPath, g.LogTail(40))
		}
	}
	return code
}

func startGoToSocial(dir string) (*testenv.GoToSocial, error) {
	data, err := os.MkdirTemp("", "wikipub-gts-")
	if err != nil {
		return nil, err
	}
	port, err := testenv.FreePort()
	if err != nil {
		return nil, err
	}
	return testenv.StartGoToSocial(dir, data, port)
}

// needGoToSocial skips a test, loudly, when there is no GoToSocial.
func needGoToSocial(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real GoToSocial; skipped with -short")
	}
	if gts == nil {
		t.Skipf("SKIP: %v", gtsMissing)
	}
}
