package boltstore_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
)

// lockHolderEnv names the file TestLockHolderProcess holds open when the test
// binary is re-executed as a helper.
const lockHolderEnv = "BOLTSTORE_TEST_HOLD_LOCK"

// TestLockHolderProcess is not a test: re-executed with lockHolderEnv set, it
// opens the store, prints "locked", and holds the lock until stdin closes.
func TestLockHolderProcess(t *testing.T) {
	path := os.Getenv(lockHolderEnv)
	if path == "" {
		t.Skip("helper process for TestOpenLockedByAnotherProcess")
	}
	s, err := boltstore.Open(path)
	if err != nil {
		os.Stdout.WriteString("open failed: " + err.Error() + "\n")
		os.Exit(2)
	}
	os.Stdout.WriteString("locked\n")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = s.Close()
	os.Exit(0)
}

func TestOpenLockedByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wikipub.db")
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestLockHolderProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockHolderEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start helper: %v", err)
	}
	waited := false
	t.Cleanup(func() {
		if !waited {
			_ = stdin.Close()
			_ = cmd.Wait()
		}
	})

	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line := sc.Text(); line == "locked" || strings.HasPrefix(line, "open failed") {
				ready <- line
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		close(ready)
	}()
	select {
	case line := <-ready:
		if line != "locked" {
			t.Fatalf("helper did not take the lock: %q; stderr:\n%s", line, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("helper did not report the lock; stderr:\n%s", stderr.String())
	}

	start := time.Now()
	s, err := boltstore.Open(path)
	elapsed := time.Since(start)
	if err == nil {
		s.Close()
		t.Fatal("second Open of a file held by another process succeeded")
	}
	checkLockedError(t, err, path)
	if elapsed > 5*time.Second {
		t.Errorf("second Open took %v, want it to fail after about 1s", elapsed)
	}
	t.Logf("second Open failed after %v: %v", elapsed.Round(time.Millisecond), err)

	// Once the holder exits, the file opens.
	_ = stdin.Close()
	waited = true
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v; stderr:\n%s", err, stderr.String())
	}
	s, err = boltstore.Open(path)
	if err != nil {
		t.Fatalf("Open after the holder exited: %v", err)
	}
	s.Close()
}

// TestOpenLockedInSameProcess documents that flock locks belong to the open
// file, not the process, so a second Open in the same process is refused too.
func TestOpenLockedInSameProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wikipub.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	s2, err := boltstore.Open(path, boltstore.WithLockTimeout(200*time.Millisecond))
	if err == nil {
		s2.Close()
		t.Fatal("second Open in the same process succeeded")
	}
	checkLockedError(t, err, path)
}

// checkLockedError fails unless err is ErrLocked with a message an operator
// can act on.
func checkLockedError(t *testing.T, err error, path string) {
	t.Helper()
	if !errors.Is(err, store.ErrLocked) {
		t.Errorf("err = %v, want one wrapping store.ErrLocked", err)
	}
	for _, want := range []string{path, "single-process", "--redis"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}
