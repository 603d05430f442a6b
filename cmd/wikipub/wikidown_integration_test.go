package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
)

// TestWatcherWikiDown stops the wiki's web server for 30 s while edits keep
// being saved behind it (maintenance scripts write to its database), and
// checks that wikipub logs clear errors with growing backoff, then catches
// up without losing a change when the wiki is back.
func TestWatcherWikiDown(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	time.Sleep(1100 * time.Millisecond)
	d := startDaemon(t, filepath.Join(t.TempDir(), "run.log"),
		"--wiki", w.API, "--listen", "127.0.0.1:0", "--poll", "200ms", "--include-bots",
		"--data", filepath.Join(t.TempDir(), "wikipub.db"), "--log-format", "json", "--log-level", "debug")

	for i := 0; i < 5; i++ {
		admin.Edit(t, fmt.Sprintf("Before %d", i), "text", "before the outage")
	}
	waitReported(t, d, 5, 20*time.Second)

	w.Stop(t)
	for i := 0; i < 10; i++ {
		w.MaintInput(t, fmt.Sprintf("Saved while the API was down, %d.", i), "edit.php",
			"-u", w.AdminUser, "-s", "during the outage", fmt.Sprintf("During %d", i))
	}
	time.Sleep(30 * time.Second)

	var retries []int64
	for _, l := range readLog(t, d.logPath) {
		if l.str("msg") == "reading recent changes failed" {
			if !strings.Contains(l.str("err"), "connection refused") {
				t.Errorf("the error does not say what failed: %q", l.str("err"))
			}
			retries = append(retries, l.num("retry_in"))
		}
	}
	if len(retries) < 3 {
		t.Fatalf("only %d failed-read errors logged during a 30 s outage", len(retries))
	}
	if retries[len(retries)-1] <= retries[0] {
		t.Errorf("no backoff: retry delays %v", retries)
	}

	w.Start(t)
	waitReported(t, d, 15, 90*time.Second)
	seen := changesByRCID(t, []*daemon{d})
	titles := map[string]int{}
	for _, occ := range seen {
		titles[occ[0].line.str("title")]++
		if len(occ) != 1 {
			t.Errorf("rcid %d reported %d times", occ[0].line.num("rcid"), len(occ))
		}
	}
	for i := 0; i < 10; i++ {
		if titles[fmt.Sprintf("During %d", i)] != 1 {
			t.Errorf("the edit of During %d, saved while the API was down, was not reported once", i)
		}
	}
	if err := d.term(t); err != nil {
		t.Fatalf("wikipub did not exit cleanly: %v", err)
	}
}

func waitReported(t *testing.T, d *daemon, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if got := len(changesByRCID(t, []*daemon{d})); got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("wikipub reported fewer than %d changes within %s; its log:\n%s", n, within, tail(d.logPath))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
