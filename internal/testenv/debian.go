package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Program finds one of the named programs (on PATH, or an absolute path),
// and installs the Debian packages when none is there (scripts/test.sh
// usually has), so that a test never depends on what a machine happens to
// have. It skips under -short. The packages' services are kept from
// starting during the install (a policy-rc.d that says no, only when the
// machine has none of its own): tests run their own servers on 127.0.0.1.
func Program(t testing.TB, names []string, packages ...string) string {
	t.Helper()
	find := func() string {
		for _, n := range names {
			if strings.HasPrefix(n, "/") {
				if _, err := os.Stat(n); err == nil {
					return n
				}
			} else if p, err := exec.LookPath(n); err == nil {
				return p
			}
		}
		return ""
	}
	if p := find(); p != "" {
		return p
	}
	what := strings.Join(packages, " ")
	if testing.Short() {
		t.Skipf("%s is not installed (apt-get install %s); skipped under -short", names[0], what)
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Fatalf("%s is not installed and there is no apt-get to install it: install %s and run the test again", names[0], what)
	}
	var sudo []string
	if os.Geteuid() != 0 {
		if _, err := exec.LookPath("sudo"); err != nil {
			t.Fatalf("%s is not installed, and installing it needs root: run `sudo apt-get install %s` and the test again", names[0], what)
		}
		sudo = []string{"sudo", "-n"}
	}
	const policy = "/usr/sbin/policy-rc.d"
	if _, err := os.Stat(policy); os.IsNotExist(err) && os.Geteuid() == 0 {
		if err := os.WriteFile(policy, []byte("#!/bin/sh\n# written by wikipub's tests while they install packages\nexit 101\n"), 0o755); err == nil {
			defer os.Remove(policy)
		}
	}
	apt := func(args ...string) ([]byte, error) {
		argv := append(append(append([]string{}, sudo...), "apt-get", "-o", "DPkg::Lock::Timeout=300"), args...)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.CombinedOutput()
	}
	t.Logf("%s is missing: installing Debian's %s", names[0], what)
	install := append([]string{"install", "-y", "-q", "--no-install-recommends"}, packages...)
	out, err := apt(install...)
	if err != nil {
		// The package lists may be missing or stale.
		if out2, err2 := apt("update", "-q"); err2 != nil {
			t.Fatalf("%s is not installed and apt-get update failed: %v\n%s\n%s", names[0], err2, out, out2)
		}
		if out, err = apt(install...); err != nil {
			t.Fatalf("%s is not installed and `apt-get install %s` failed: %v\n%s", names[0], what, err, out)
		}
	}
	p := find()
	if p == "" {
		t.Fatalf("apt-get installed %s but %s is still not found:\n%s", what, names[0], out)
	}
	return p
}
