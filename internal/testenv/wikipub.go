package testenv

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Wikipub is one `wikipub serve` process started by a test, with its log
// in a file of its own.
type Wikipub struct {
	// URL is where it listens (http://127.0.0.1:PORT), for the test's own
	// requests; Public is its --public-url when the test gave one.
	URL, Public string
	// LogPath is its combined output (use --log-format json to read it).
	LogPath string
	proc    *process
	log     *os.File
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// WikipubBinary builds cmd/wikipub once per test binary and returns its
// path: tests that run wikipub as its users do (a process with flags).
// WIKIPUB_TEST_BINARY names a binary to use instead, e.g. one built from an
// older commit to show that a test fails without its fix.
func WikipubBinary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("WIKIPUB_TEST_BINARY"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		root, err := repoFile("go.mod")
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "wikipub-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "wikipub")
		cmd := exec.Command("go", "build", "-o", builtBin, "./cmd/wikipub")
		cmd.Dir = filepath.Dir(root)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("building wikipub: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// StartWikipub runs `wikipub serve` with args plus --listen on a free
// loopback port, waits until /healthz answers, and kills it when the test
// ends. The process dies with the test binary too.
func StartWikipub(t testing.TB, port int, args ...string) *Wikipub {
	t.Helper()
	bin := WikipubBinary(t)
	if port == 0 {
		var err error
		if port, err = FreePort(); err != nil {
			t.Fatal(err)
		}
	}
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	logPath := filepath.Join(t.TempDir(), "wikipub.log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--listen", listen}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	cmd.Stdout, cmd.Stderr = f, f
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	w := &Wikipub{URL: "http://" + listen, LogPath: logPath, proc: p, log: f}
	for i, a := range args {
		if a == "--public-url" && i+1 < len(args) {
			w.Public = args[i+1]
		}
	}
	t.Cleanup(w.Stop)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(w.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return w
			}
		}
		if p.exited() {
			t.Fatalf("wikipub exited at start:\n%s", w.Tail(40))
		}
		if time.Now().After(deadline) {
			t.Fatalf("wikipub did not answer /healthz within 60s:\n%s", w.Tail(40))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop kills the process (SIGKILL: a test wants no slow shutdown) and
// waits for it.
func (w *Wikipub) Stop() {
	if w.proc.exited() {
		return
	}
	_ = w.proc.cmd.Process.Kill()
	<-w.proc.done
	w.log.Close()
}

// PID is the process id, for measuring what the process costs (its CPU
// time in /proc/PID/stat).
func (w *Wikipub) PID() int { return w.proc.cmd.Process.Pid }

// Log is everything the process wrote so far.
func (w *Wikipub) Log() string {
	b, _ := os.ReadFile(w.LogPath)
	return string(b)
}

// Tail is the last n lines of its log, for failure messages.
func (w *Wikipub) Tail(n int) string {
	lines := strings.Split(strings.TrimRight(w.Log(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
