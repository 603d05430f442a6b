package main

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
)

// TestUDPWakeUp configures the real wiki's $wgRCFeeds to send each change
// as UDP JSON to wikipub, polls only once a minute, and checks that an edit
// is reported long before the next poll would have read it.
func TestUDPWakeUp(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	port, err := testenv.FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	w.AddSettings(t, fmt.Sprintf(`$wgRCFeeds['wikipub'] = [ 'formatter' => 'JSONRCFeedFormatter', 'uri' => 'udp://127.0.0.1:%d' ];`, port))
	admin := w.Login(t)
	time.Sleep(1100 * time.Millisecond)
	d := startDaemon(t, filepath.Join(t.TempDir(), "run.log"),
		"--wiki", w.API, "--listen", "127.0.0.1:0", "--poll", "1m", "--include-bots",
		"--rc-udp", fmt.Sprintf("127.0.0.1:%d", port),
		"--data", filepath.Join(t.TempDir(), "wikipub.db"), "--log-format", "json", "--log-level", "debug")
	waitLogged(t, d, "watching recent changes", 20*time.Second)
	time.Sleep(2 * time.Second) // well inside the first minute-long wait

	start := time.Now()
	admin.Edit(t, "Woken page", "text", "should wake wikipub")
	waitReported(t, d, 1, 30*time.Second)
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("the change was reported after %s; the UDP packet did not wake the watcher", took)
	}
}

func waitLogged(t *testing.T, d *daemon, msg string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		for _, l := range readLog(t, d.logPath) {
			if l.str("msg") == msg {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("wikipub did not log %q within %s; its log:\n%s", msg, within, tail(d.logPath))
}
