package testenv

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Wiki is a throw-away MediaWiki started by scripts/testwiki.sh.
type Wiki struct {
	// Dir is the wiki's data directory (settings, sqlite, logs).
	Dir string
	// API is the api.php URL.
	API string
	// Base is the server URL without a path.
	Base string
	// AdminUser and AdminPass log in to the sysop account.
	AdminUser, AdminPass string
	// BotUser and BotPass are a bot password of the sysop account with every
	// grant a test needs.
	BotUser, BotPass string

	port   int
	id     string // siteinfo's wikiid, to know the answers are ours
	script string
	proc   *process
}

// MediaWiki creates and starts a fresh wiki for the test and stops it when
// the test ends. Without PHP or MediaWiki it fails (skips under -short) and
// says how to install them.
func MediaWiki(t testing.TB) *Wiki {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real MediaWiki; skipped with -short")
	}
	script, err := repoFile("scripts/testwiki.sh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/usr/share/mediawiki/maintenance/install.php"); err != nil {
		if testing.Short() {
			t.Skip("MediaWiki is not installed; run scripts/test.sh")
		}
		t.Fatalf("Debian's mediawiki package is not installed; run scripts/test.sh (or %s install)", script)
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	w := &Wiki{Dir: t.TempDir(), port: port, script: script}
	w.start(t)
	t.Cleanup(func() { w.Stop(t) })
	return w
}

func (w *Wiki) start(t testing.TB) {
	t.Helper()
	if w.API == "" {
		w.create(t)
	}
	// The server runs as our child and dies with the test binary, so no
	// wiki outlives a crashed test.
	p, err := startProcess(exec.Command("bash", w.script, "run", w.Dir))
	if err != nil {
		t.Fatalf("starting MediaWiki's web server: %v", err)
	}
	w.proc = p
	deadline := time.Now().Add(30 * time.Second)
	for {
		// The answer must come from this wiki: when another test's server
		// holds the port, ours cannot listen, and its answers would be
		// taken for ours.
		id, err := siteID(w.API)
		if err == nil && (w.id == "" || id == w.id) {
			return
		}
		if err == nil {
			err = fmt.Errorf("port %d answers as wiki %q, not %q (taken by another server)", w.port, id, w.id)
		}
		if p.exited() || time.Now().After(deadline) {
			t.Fatalf("MediaWiki's web server did not come up on %s: %v\n%s", w.API, err, p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (w *Wiki) create(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", w.script, "create", w.Dir, strconv.Itoa(w.port))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("creating a MediaWiki in %s: %v\n%s", w.Dir, err, stderr.String())
	}
	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			vars[k] = v
		}
	}
	w.API = vars["WIKI_API"]
	w.id = vars["WIKI_ID"]
	w.Base = strings.TrimSuffix(w.API, "/api.php")
	w.AdminUser, w.AdminPass = vars["WIKI_ADMIN_USER"], vars["WIKI_ADMIN_PASS"]
	w.BotUser, w.BotPass = vars["WIKI_BOT_USER"], vars["WIKI_BOT_PASS"]
	if w.API == "" {
		t.Fatalf("testwiki.sh printed no WIKI_API: %s", out)
	}
}

// siteID is the wikiid that the API at api reports.
func siteID(api string) (string, error) {
	var si struct {
		Query struct {
			General struct {
				WikiID string `json:"wikiid"`
			} `json:"general"`
		} `json:"query"`
	}
	err := siteinfo(api, "general", &si)
	return si.Query.General.WikiID, err
}

// Start starts the wiki again after Stop, on the same port and data.
func (w *Wiki) Start(t testing.TB) { w.start(t) }

// Stop stops the wiki's web server (our child only); the data stays, and
// maintenance scripts still work, so changes can pile up while it is down.
func (w *Wiki) Stop(t testing.TB) {
	t.Helper()
	if w.proc == nil {
		return
	}
	_ = w.proc.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.proc.done:
	case <-time.After(5 * time.Second):
		_ = w.proc.cmd.Process.Kill()
		<-w.proc.done
	}
	w.proc = nil
}

// Maint runs a maintenance script against this wiki's settings, even while
// its web server is stopped, and returns the script's output.
func (w *Wiki) Maint(t testing.TB, script string, args ...string) string {
	t.Helper()
	return w.MaintInput(t, "", script, args...)
}

// MaintInput is Maint with text on the script's standard input (edit.php
// reads the new page text from there).
func (w *Wiki) MaintInput(t testing.TB, stdin, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command("php", append([]string{"/usr/share/mediawiki/maintenance/" + script}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "MW_CONFIG_FILE="+filepath.Join(w.Dir, "LocalSettings.php"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("maintenance/%s %v: %v\n%s", script, args, err, out)
	}
	return string(out)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
//
// It is taken below the kernel's ephemeral range, so that the listeners a
// test opens on port 0 (hundreds of test peers) cannot be handed the same
// port between now and when a server binds it; a port is only ever given
// once per test process.
func FreePort() (int, error) {
	low := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				low = n
			}
		}
	}
	const first = 10000
	if low <= first+1000 {
		return ephemeralPort()
	}
	for tries := 0; tries < 200; tries++ {
		port := first + int(portCounter.Add(1)+uint64(os.Getpid()*7919))%(low-first)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return ephemeralPort()
}

// portCounter spreads FreePort's picks, so two picks in one process differ.
var portCounter atomic.Uint64

func ephemeralPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// repoFile finds a file relative to the module root, from a test's working
// directory anywhere below it.
func repoFile(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, rel), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("testenv: no go.mod above the working directory, cannot find %s", rel)
		}
		dir = parent
	}
}

// Kill sends SIGKILL to a process the test started and reaps it.
func Kill(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
}

// Backlog makes n ordinary edits in one PHP process (scripts/backlog.php),
// far faster than through the API, for benchmarks that need a long backlog.
// Edit i goes to "Backlog page (i % 500)".
func (w *Wiki) Backlog(t testing.TB, n int) { w.BacklogPages(t, n, 500) }

// BacklogPages is Backlog over that many distinct pages ("Backlog page 0"
// … "Backlog page pages-1").
func (w *Wiki) BacklogPages(t testing.TB, n, pages int) {
	t.Helper()
	script, err := repoFile("scripts/backlog.php")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("php", script, "--count", strconv.Itoa(n), "--pages", strconv.Itoa(pages))
	cmd.Env = append(os.Environ(), "MW_CONFIG_FILE="+filepath.Join(w.Dir, "LocalSettings.php"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("making a backlog of %d edits: %v\n%s", n, err, out)
	}
}

// AddSettings appends PHP to the wiki's LocalSettings.php and waits until
// the wiki runs it: the PHP comes with a mark that siteinfo shows, and this
// returns once it does.
func (w *Wiki) AddSettings(t testing.TB, php string) {
	t.Helper()
	mark := strconv.FormatInt(time.Now().UnixNano(), 36)
	f, err := os.OpenFile(filepath.Join(w.Dir, "LocalSettings.php"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hook := "$wgHooks['APIQuerySiteInfoGeneralInfo'][] = static function ( $module, &$data ) { $data['wikipubsettings'] = '" + mark + "'; };"
	if _, err := f.WriteString("\n" + php + "\n" + hook + "\n"); err != nil {
		t.Fatal(err)
	}
	waitForWiki(t, "the settings just added", func() (bool, string) {
		var si struct {
			Query struct {
				General struct {
					Mark string `json:"wikipubsettings"`
				} `json:"general"`
			} `json:"query"`
		}
		err := siteinfo(w.API, "general", &si)
		return err == nil && si.Query.General.Mark == mark, fmt.Sprintf("mark %q, want %q, %v", si.Query.General.Mark, mark, err)
	})
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func FreeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free UDP port: %w", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// FreePorts returns n distinct free ports (see FreePort).
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	seen := map[int]bool{}
	var ports []int
	for len(ports) < n {
		p, err := FreePort()
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		if !seen[p] {
			seen[p] = true
			ports = append(ports, p)
		}
	}
	return ports
}

// SetServer makes the wiki name server (a proxy in front of it) as its
// own URL ($wgServer); AddSettings waits until the wiki runs it, since
// wikipub reads the server at start.
func (w *Wiki) SetServer(t testing.TB, server string, morePHP ...string) {
	t.Helper()
	w.AddSettings(t, strings.Join(append([]string{fmt.Sprintf(`$wgServer = %q;`, server)}, morePHP...), "\n"))
}
