package interop

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/wikipub/wikipub/internal/testenv"
)

// gts is the one GoToSocial all tests of the package share (it takes about
// half a minute to start); each test gets wikipub on a port, and so a
// domain, of its own, and people of its own on it.
var gts *testenv.GoToSocial

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
	data, err := os.MkdirTemp("", "wikipub-gts-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(data)
	port, err := testenv.FreePort()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	gts, err = testenv.StartGoToSocial(dir, data, port)
	if err != nil {
		fmt.Fprintf(os.Stderr, "starting GoToSocial: %v\n", err)
		return 1
	}
	defer gts.Stop()
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "--- the end of GoToSocial's log (%s):\n%s\n", gts.LogPath, gts.LogTail(60))
	}
	return code
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
