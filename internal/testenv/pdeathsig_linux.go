package testenv

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill the child if the test binary dies without
// running its cleanups, so no redis-server outlives a crashed test.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
