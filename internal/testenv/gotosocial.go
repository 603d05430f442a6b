package testenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// GoToSocialEnv names the directory of a GoToSocial build (bin/gotosocial
// and web/) for the tests that need a real Fediverse server. Without it the
// tests look in the gotosocial folder of the project's shared directory
// beside the repository (GoToSocialDir).
const GoToSocialEnv = "WIKIPUB_GOTOSOCIAL"

// GoToSocial is a real GoToSocial server started by a test on 127.0.0.1:
// the proof that wikipub works with the Fediverse is that such a server
// does what its users expect.
type GoToSocial struct {
	// URL is its base URL (http://gts.test:PORT); Host is its host:port,
	// the domain of its accounts.
	URL, Host string
	// LogPath is its log: what it thought of each of our answers.
	LogPath string
	dir     string
	bin     string
	config  string
	proc    *process

	mu    sync.Mutex
	users map[string]*GTSUser
}

// GoToSocialDir finds the GoToSocial build, or says where to put one.
func GoToSocialDir() (string, error) {
	dir := os.Getenv(GoToSocialEnv)
	if dir == "" {
		root, err := repoFile("")
		if err != nil {
			return "", err
		}
		dir = filepath.Join(filepath.Dir(filepath.Clean(root)), "shared", "gotosocial")
	}
	for _, need := range []string{"bin/gotosocial", "web/template", "web/assets"} {
		if _, err := os.Stat(filepath.Join(dir, need)); err != nil {
			return "", fmt.Errorf("no GoToSocial build at %s (%s missing): set %s to a directory with bin/gotosocial and web/ (see the README, \"Tested with\")", dir, need, GoToSocialEnv)
		}
	}
	return dir, nil
}

// SkipWithoutGoToSocial skips the test, loudly, when there is no
// GoToSocial build, naming the variable that points at one.
func SkipWithoutGoToSocial(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real GoToSocial; skipped with -short")
	}
	dir, err := GoToSocialDir()
	if err != nil {
		fmt.Fprintf(os.Stderr, "\n*** SKIP %s: %v ***\n\n", t.Name(), err)
		t.Skipf("SKIP: %v", err)
	}
	return dir
}

// MapHost makes name resolve to 127.0.0.1 through /etc/hosts (GoToSocial
// wants host names, not addresses). It needs root when the line is
// missing, as on the project's machines and CI.
func MapHost(name string) error {
	b, err := os.ReadFile("/etc/hosts")
	if err != nil {
		return err
	}
	re := regexp.MustCompile(`(?m)^127\.0\.0\.1\s(.*\s)?` + regexp.QuoteMeta(name) + `(\s|$)`)
	if re.Match(b) {
		return nil
	}
	f, err := os.OpenFile("/etc/hosts", os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("add '127.0.0.1 %s' to /etc/hosts (it needs root): %w", name, err)
	}
	defer f.Close()
	_, err = fmt.Fprintf(f, "127.0.0.1 %s\n", name)
	return err
}

// StartGoToSocial starts GoToSocial from the build in dir on 127.0.0.1 with
// a fresh sqlite database in dataDir, as the build's own start script does:
// plain http (handles carry the port), outgoing requests allowed to
// 127.0.0.0/8, rate limits off. It runs as our child and dies with the
// test binary; call Stop when done.
func StartGoToSocial(dir, dataDir string, port int) (*GoToSocial, error) {
	const name = "gts.test"
	if err := MapHost(name); err != nil {
		return nil, err
	}
	g := &GoToSocial{URL: fmt.Sprintf("http://%s:%d", name, port), Host: fmt.Sprintf("%s:%d", name, port),
		LogPath: filepath.Join(dataDir, "gts.log"), dir: dataDir, users: map[string]*GTSUser{}}
	if err := os.MkdirAll(filepath.Join(dataDir, "storage"), 0o755); err != nil {
		return nil, err
	}
	// A copy of the binary: the shared folder is read-only and may lose
	// the run bit.
	g.bin = filepath.Join(dataDir, "gotosocial")
	if err := copyFile(filepath.Join(dir, "bin", "gotosocial"), g.bin, 0o755); err != nil {
		return nil, err
	}
	g.config = filepath.Join(dataDir, "config.yaml")
	conf := fmt.Sprintf(`# written by wikipub's tests: a throw-away instance
log-level: "info"
application-name: "gotosocial-test"
host: %q
protocol: "http"
bind-address: "127.0.0.1"
port: %d
trusted-proxies: ["127.0.0.1/32"]
db-type: "sqlite"
db-address: %q
db-sqlite-synchronous: "OFF"
storage-backend: "local"
storage-local-base-path: %q
web-template-base-dir: %q
web-asset-base-dir: %q
letsencrypt-enabled: false
accounts-registration-open: false
instance-expose-public-timeline: true
instance-deliver-to-shared-inboxes: true
http-client:
  timeout: "30s"
  allow-ips: ["127.0.0.0/8"]
  insecure-outgoing: true
advanced-rate-limit-requests: 0
advanced-throttling-multiplier: 0
`, g.Host, port, filepath.Join(dataDir, "db.sqlite"), filepath.Join(dataDir, "storage"),
		filepath.Join(dir, "web", "template")+"/", filepath.Join(dir, "web", "assets")+"/")
	if err := os.WriteFile(g.config, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	logf, err := os.Create(g.LogPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(g.bin, "--config-path", g.config, "server", "start")
	// Compiling its WebAssembly (ffmpeg, sqlite) is most of its start-up;
	// the compiled code is kept for the next start, of this run or the
	// next.
	cmd.Env = append(os.Environ(), "GTS_WAZERO_COMPILATION_CACHE="+wazeroCache())
	cmd.Stdout, cmd.Stderr = logf, logf
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting GoToSocial: %w", err)
	}
	g.proc = &process{cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(g.proc.done) }()
	deadline := time.Now().Add(300 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, g.URL+"/api/v1/instance", nil)
		req.Header.Set("User-Agent", "wikipub-test")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return g, nil
			}
		}
		if g.proc.exited() {
			return nil, fmt.Errorf("GoToSocial exited at start:\n%s", g.LogTail(30))
		}
		if time.Now().After(deadline) {
			g.Stop()
			return nil, fmt.Errorf("GoToSocial did not answer within 300s:\n%s", g.LogTail(30))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// wazeroCache is where GoToSocial keeps its compiled WebAssembly between
// starts: the user's cache directory, or the temporary one.
func wazeroCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "wikipub-tests", "gotosocial-wazero")
	_ = os.MkdirAll(dir, 0o755)
	return dir
}

// Stop stops the server by its PID and waits for it.
func (g *GoToSocial) Stop() {
	if g == nil || g.proc == nil || g.proc.exited() {
		return
	}
	_ = g.proc.cmd.Process.Signal(os.Interrupt)
	select {
	case <-g.proc.done:
	case <-time.After(10 * time.Second):
		_ = g.proc.cmd.Process.Kill()
		<-g.proc.done
	}
}

// Dir is its data directory.
func (g *GoToSocial) Dir() string { return g.dir }

// Log is its whole log so far.
func (g *GoToSocial) Log() string {
	b, _ := os.ReadFile(g.LogPath)
	return string(b)
}

// LogTail is the last n lines of its log.
func (g *GoToSocial) LogTail(n int) string {
	lines := strings.Split(strings.TrimRight(g.Log(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// LogProblems are the log lines at WARN or ERROR that name host, from
// byte offset from on (see LogSize): what GoToSocial disliked about us.
func (g *GoToSocial) LogProblems(host string, from int) []string {
	log := g.Log()
	if from > len(log) {
		from = len(log)
	}
	var out []string
	for _, l := range strings.Split(log[from:], "\n") {
		if (strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR")) && strings.Contains(l, host) {
			out = append(out, l)
		}
	}
	return out
}

// LogSize is the log's length now, for LogProblems.
func (g *GoToSocial) LogSize() int { return len(g.Log()) }

// User returns a local account, created (and confirmed, with an OAuth token
// for the client API) the first time it is asked for.
func (g *GoToSocial) User(name string) (*GTSUser, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if u, ok := g.users[name]; ok {
		return u, nil
	}
	email := name + "@" + strings.Split(g.Host, ":")[0]
	pass := "Passw0rd-long-enough-" + name
	for _, args := range [][]string{
		{"admin", "account", "create", "--username", name, "--email", email, "--password", pass},
		{"admin", "account", "confirm", "--username", name},
	} {
		out, err := exec.Command(g.bin, append([]string{"--config-path", g.config}, args...)...).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("gotosocial %s: %w\n%s", strings.Join(args[:3], " "), err, out)
		}
	}
	tok, err := g.token(email, pass)
	if err != nil {
		return nil, fmt.Errorf("token for %s: %w", name, err)
	}
	u := &GTSUser{Name: name, Token: tok, g: g}
	// Accounts accept follows without approval, as most people's do.
	if err := u.call(http.MethodPatch, "/api/v1/accounts/update_credentials", url.Values{"locked": {"false"}}, nil); err != nil {
		return nil, err
	}
	g.users[name] = u
	return u, nil
}

// token runs GoToSocial's authorization-code flow (it has no password
// grant) with a cookie jar, as a person signing in would.
func (g *GoToSocial) token(email, pass string) (string, error) {
	const oob = "urn:ietf:wg:oauth:2.0:oob"
	const scopes = "read write follow push"
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values) (*http.Response, []byte, error) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, g.URL+path, body)
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("User-Agent", "wikipub-test")
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	_, appJSON, err := do(http.MethodPost, "/api/v1/apps", url.Values{"client_name": {"wikipub-test"}, "redirect_uris": {oob}, "scopes": {scopes}})
	if err != nil {
		return "", err
	}
	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := jsonUnmarshal(appJSON, &app); err != nil || app.ClientID == "" {
		return "", fmt.Errorf("registering an app: %s", appJSON)
	}
	authorize := "/oauth/authorize?" + url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {oob}, "scope": {scopes}}.Encode()
	if _, _, err := do(http.MethodGet, authorize, nil); err != nil {
		return "", err
	}
	resp, _, err := do(http.MethodPost, "/auth/sign_in", url.Values{"username": {email}, "password": {pass}})
	if err != nil {
		return "", err
	}
	// Signing in redirects back to the authorization page.
	for i := 0; i < 5 && resp.StatusCode/100 == 3; i++ {
		loc := resp.Header.Get("Location")
		if strings.Contains(loc, "/oauth/authorize") {
			break
		}
		if resp, _, err = do(http.MethodGet, strings.TrimPrefix(loc, g.URL), nil); err != nil {
			return "", err
		}
	}
	resp, page, err := do(http.MethodPost, "/oauth/authorize", url.Values{})
	if err != nil {
		return "", err
	}
	loc := resp.Header.Get("Location")
	code := ""
	if u, err := url.Parse(loc); err == nil {
		code = u.Query().Get("code")
	}
	if code == "" && loc != "" {
		_, page, _ = do(http.MethodGet, strings.TrimPrefix(loc, g.URL), nil)
	}
	if code == "" {
		code = string(regexp.MustCompile(`[A-Z0-9]{20,}`).Find(page))
	}
	if code == "" {
		return "", fmt.Errorf("no authorization code (redirect %q)", loc)
	}
	_, tokJSON, err := do(http.MethodPost, "/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "redirect_uri": {oob}, "scope": {scopes}})
	if err != nil {
		return "", err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := jsonUnmarshal(tokJSON, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token exchange: %s", tokJSON)
	}
	return tok.AccessToken, nil
}

func copyFile(from, to string, mode os.FileMode) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, mode)
}

func trimBody(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 500 {
		b = append(b[:500], "…"...)
	}
	return string(b)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
