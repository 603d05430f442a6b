package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/websocket"

	"github.com/wikipub/wikipub/internal/testenv"
)

// TestFollowPageInBrowser is the follow feature as a reader meets it, in a
// real browser: a real MediaWiki with deploy/mediawiki/Common.js as its
// MediaWiki:Common.js, a real wikipub, and headless Chromium driven over
// the Chrome DevTools Protocol (a small client below, over
// golang.org/x/net/websocket, which the module already requires).
//
// It checks that the wiki page shows the "Follow on the Fediverse" link
// (added by the snippet through ResourceLoader), that clicking it leads
// through /follow-page to the page's follow page, that the follow page's
// inline style and script run under its Content-Security-Policy (no
// violation reported), that the Copy button puts the handle on the
// clipboard (read back with navigator.clipboard.readText, and the
// data-copied attribute the same handler sets once writeText resolved),
// and that typing a server into the form and submitting ends at that
// server's authorize_interaction URL. The browser never reaches that
// server: its host names resolve nowhere (--host-resolver-rules), and the
// request is intercepted with Fetch.enable and answered by the test.
//
// Screenshots of the wiki page and of the follow page are written to
// $WIKIPUB_ARTIFACTS, or to wikipub-artifacts in the system's temporary
// directory.
func TestFollowPageInBrowser(t *testing.T) {
	chromium := browserTestChromium(t)
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	admin.Edit(t, "Follow Me", "A page to follow from the Fediverse.", "first version")
	admin.Edit(t, "Follow Me", "A page to follow from the Fediverse, with more text.", "more text")
	admin.Edit(t, "User:"+w.AdminUser, "The admin's user page.", "user page")

	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	wikipubURL := fmt.Sprintf("http://127.0.0.1:%d", port)
	host := fmt.Sprintf("127.0.0.1:%d", port)

	// The snippet, as an admin pastes it, with wikipub's URL at its top
	// (here wikipub and the wiki are on different ports of one host).
	// MediaWiki:Common.js needs the editsitejs right, which the test bot
	// password's grants do not include: edit.php needs none.
	js, err := os.ReadFile(filepath.Join("..", "..", "deploy", "mediawiki", "Common.js"))
	if err != nil {
		t.Fatal(err)
	}
	const baseLine = "var WIKIPUB_BASE = '';"
	if !strings.Contains(string(js), baseLine) {
		t.Fatalf("deploy/mediawiki/Common.js has no line %q to configure", baseLine)
	}
	snippet := strings.Replace(string(js), baseLine, "var WIKIPUB_BASE = '"+wikipubURL+"';", 1)
	w.MaintInput(t, snippet, "edit.php", "-u", w.AdminUser, "-s", "wikipub follow link", "MediaWiki:Common.js")

	dir := t.TempDir()
	d := startDaemon(t, filepath.Join(dir, "wikipub.log"),
		"--wiki", w.API, "--listen", host, "--public-url", wikipubURL,
		"--data", filepath.Join(dir, "wikipub.db"), "--log-format", "json", "--log-level", "debug")
	browserTestWaitHealthy(t, d, wikipubURL)

	// Where the form will send the reader, checked without a browser too.
	pages, err := admin.C.PagesByTitle(context.Background(), []string{"Follow Me"})
	if err != nil || pages["Follow Me"].ID == 0 {
		t.Fatalf("the page Follow Me: %v %v", pages, err)
	}
	actorID := fmt.Sprintf("%s/ap/page/%d", wikipubURL, pages["Follow Me"].ID)
	wantRemote := "https://social.example/authorize_interaction?uri=" + url.QueryEscape(actorID)
	st, h, body := proxyGet(t, wikipubURL+"/follow?handle=follow_me&instance=social.example", "text/html")
	if st != http.StatusFound || h.Get("Location") != wantRemote {
		t.Fatalf("GET /follow: %d Location %q, want 302 to %s; %.300s", st, h.Get("Location"), wantRemote, body)
	}

	artifacts := browserTestArtifacts(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b := startBrowser(t, chromium)
	page := b.page(ctx, t)

	// Every CSP violation on any document the tab loads, collected by a
	// script the page's own policy does not govern.
	page.must(ctx, t, "Page.enable", nil)
	page.must(ctx, t, "Runtime.enable", nil)
	page.must(ctx, t, "Network.enable", nil)
	page.must(ctx, t, "Page.addScriptToEvaluateOnNewDocument", map[string]any{"source": `window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });`})
	// The reader's server: intercepted, never contacted.
	var interceptedMu sync.Mutex
	var intercepted []string
	page.on("Fetch.requestPaused", func(params json.RawMessage) {
		var ev struct {
			RequestID    string `json:"requestId"`
			ResourceType string `json:"resourceType"`
			Request      struct{ URL string }
		}
		if json.Unmarshal(params, &ev) != nil {
			return
		}
		if ev.ResourceType != "Document" {
			// The intercepted page's favicon and the like: answered here too.
			go page.call(ctx, "Fetch.fulfillRequest", map[string]any{"requestId": ev.RequestID, "responseCode": 404})
			return
		}
		interceptedMu.Lock()
		intercepted = append(intercepted, ev.Request.URL)
		interceptedMu.Unlock()
		go page.call(ctx, "Fetch.fulfillRequest", map[string]any{
			"requestId": ev.RequestID, "responseCode": 200,
			"responseHeaders": []map[string]string{{"name": "Content-Type", "value": "text/html"}},
			"body":            base64.StdEncoding.EncodeToString([]byte("<!DOCTYPE html><title>social.example (intercepted)</title><h1>Authorize interaction (intercepted by the test)</h1>")),
		})
	})
	var followRequests []string
	var followMu sync.Mutex
	page.on("Network.requestWillBeSent", func(params json.RawMessage) {
		var ev struct{ Request struct{ URL string } }
		if json.Unmarshal(params, &ev) == nil && strings.HasPrefix(ev.Request.URL, wikipubURL+"/follow?") {
			followMu.Lock()
			followRequests = append(followRequests, ev.Request.URL)
			followMu.Unlock()
		}
	})
	page.must(ctx, t, "Fetch.enable", map[string]any{"patterns": []map[string]any{{"urlPattern": "https://social.example/*", "requestStage": "Request"}}})
	b.browserConn.must(ctx, t, "Browser.grantPermissions", map[string]any{
		"origin": wikipubURL, "permissions": []string{"clipboardReadWrite", "clipboardSanitizedWrite"},
	})

	// 1. The wiki page has the link (ResourceLoader loads site JS after the
	// page itself: wait for it).
	wikiPage := w.Base + "/wiki/Follow_Me"
	page.navigate(ctx, t, wikiPage)
	wantHref := wikipubURL + "/follow-page?title=Follow_Me"
	var link struct {
		Href, Text string
		Visible    bool
	}
	page.waitFor(ctx, t, "the snippet's link on "+wikiPage, `(function () {
		var a = document.querySelector('#t-wikipub-follow a');
		if (!a) { return null; }
		a.scrollIntoView({block: 'center'});
		var r = a.getBoundingClientRect(), s = getComputedStyle(a);
		return {href: a.href, text: a.textContent, visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'};
	})()`, &link)
	if link.Href != wantHref || link.Text != "Follow on the Fediverse" || !link.Visible {
		t.Errorf("the wiki page's follow link: %+v, want a visible \"Follow on the Fediverse\" to %s", link, wantHref)
	}
	page.screenshot(ctx, t, filepath.Join(artifacts, "wiki-page-with-follow-link.png"))

	// 2. Clicking it leads to the follow page.
	page.click(ctx, t, "#t-wikipub-follow a")
	var followPage struct {
		Href, Handle, H1 string
		CopyShown        bool
		MaxWidth         string
		CSP              []string
	}
	page.waitFor(ctx, t, "the follow page after clicking the link", `(function () {
		if (document.readyState !== 'complete' || !document.getElementById('handle')) { return null; }
		return {href: location.href, handle: document.getElementById('handle').textContent,
			h1: document.querySelector('h1').textContent, copyShown: !document.getElementById('copy').hidden,
			maxWidth: getComputedStyle(document.querySelector('main')).maxWidth, csp: window.__csp || ['no collector']};
	})()`, &followPage)
	wantHandle := "@follow_me@" + host
	if followPage.Href != wikipubURL+"/@follow_me" {
		t.Errorf("the link led to %s, want %s/@follow_me", followPage.Href, wikipubURL)
	}
	if followPage.Handle != wantHandle || followPage.H1 != "Follow Me" {
		t.Errorf("the follow page shows handle %q and heading %q, want %q and \"Follow Me\"", followPage.Handle, followPage.H1, wantHandle)
	}
	// The inline script ran (it shows the Copy button) and the inline
	// style applied: the CSP hashes are right.
	if !followPage.CopyShown || followPage.MaxWidth != "640px" || len(followPage.CSP) != 0 {
		t.Errorf("under its CSP the follow page's script ran: %v, style applied: max-width %q; violations %v",
			followPage.CopyShown, followPage.MaxWidth, followPage.CSP)
	}
	page.screenshot(ctx, t, filepath.Join(artifacts, "follow-page.png"))

	// 3. Copy.
	page.click(ctx, t, "#copy")
	var copied string
	page.waitFor(ctx, t, "the Copy button's data-copied", `document.getElementById('copy').getAttribute('data-copied')`, &copied)
	if copied != wantHandle {
		t.Errorf("Copy copied %q, want %q", copied, wantHandle)
	}
	var clip string
	if err := page.eval(ctx, `navigator.clipboard.readText()`, &clip); err != nil {
		t.Errorf("reading the clipboard back: %v", err)
	} else if clip != wantHandle {
		t.Errorf("the clipboard holds %q after Copy, want %q", clip, wantHandle)
	}
	var status string
	page.eval(ctx, `document.getElementById('copy-status').textContent`, &status)
	if status != "Copied "+wantHandle {
		t.Errorf("the status after Copy says %q", status)
	}
	page.screenshot(ctx, t, filepath.Join(artifacts, "follow-page-copied.png"))

	// 4. A bad server address comes back with a message, in the page.
	page.click(ctx, t, "#instance")
	page.must(ctx, t, "Input.insertText", map[string]any{"text": "javascript:alert(1)"})
	page.click(ctx, t, "button[type=submit]")
	var bad struct{ Href, Alert, Value string }
	page.waitFor(ctx, t, "the form's error message", `(function () {
		var e = document.getElementById('instance-error');
		if (document.readyState !== 'complete' || !e) { return null; }
		return {href: location.href, alert: e.textContent, value: document.getElementById('instance').value};
	})()`, &bad)
	if !strings.HasPrefix(bad.Href, wikipubURL+"/follow?") || !strings.Contains(bad.Alert, "is not a server address") || bad.Value != "javascript:alert(1)" {
		t.Errorf("after submitting a bad server: %+v", bad)
	}
	page.screenshot(ctx, t, filepath.Join(artifacts, "follow-page-bad-server.png"))

	// 5. A good one ends at the server's authorize_interaction page.
	page.must(ctx, t, "Runtime.evaluate", map[string]any{"expression": `document.getElementById('instance').value = ''`})
	page.click(ctx, t, "#instance")
	page.must(ctx, t, "Input.insertText", map[string]any{"text": "social.example"})
	page.click(ctx, t, "button[type=submit]")
	var final string
	page.waitFor(ctx, t, "the reader's server", `location.href.indexOf('https://social.example/') === 0 && document.readyState === 'complete' ? location.href : null`, &final)
	if final != wantRemote {
		t.Errorf("submitting the form ended at %s, want %s", final, wantRemote)
	}
	interceptedMu.Lock()
	if len(intercepted) != 1 || intercepted[0] != wantRemote {
		t.Errorf("navigations to social.example: %v, want exactly %s (intercepted)", intercepted, wantRemote)
	}
	interceptedMu.Unlock()
	followMu.Lock()
	wantFollow := wikipubURL + "/follow?handle=follow_me&instance=social.example"
	if len(followRequests) == 0 || followRequests[len(followRequests)-1] != wantFollow {
		t.Errorf("the form's requests to wikipub: %v, want the last to be %s", followRequests, wantFollow)
	}
	followMu.Unlock()

	// 6. On a user page the link is the editor's.
	page.navigate(ctx, t, w.Base+"/wiki/User:"+url.PathEscape(w.AdminUser))
	var userHref string
	page.waitFor(ctx, t, "the follow link on the user page", `(function () { var a = document.querySelector('#t-wikipub-follow a'); return a ? a.href : null; })()`, &userHref)
	if want := wikipubURL + "/follow-page?title=" + url.QueryEscape("User:"+w.AdminUser); userHref != want {
		t.Errorf("the user page's follow link is %s, want %s", userHref, want)
	}
	st, h, _ = proxyGet(t, userHref, "text/html")
	if want := "/@user." + strings.ToLower(w.AdminUser); st != http.StatusFound || h.Get("Location") != want {
		t.Errorf("GET %s: %d Location %q, want 302 to %s", userHref, st, h.Get("Location"), want)
	}
	if t.Failed() {
		wl, _ := os.ReadFile(d.logPath)
		t.Logf("--- wikipub log:\n%s\n--- chromium:\n%s", proxyTestTail(string(wl), 40), proxyTestTail(b.output(), 40))
	}
}

// browserTestChromium finds Debian's chromium, installing it (with a font
// for the screenshots' text) when missing.
func browserTestChromium(t *testing.T) string {
	return testenv.Program(t, []string{"chromium", "chromium-browser"}, "chromium", "fonts-dejavu-core")
}

func browserTestWaitHealthy(t *testing.T, d *daemon, base string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, _, body := proxyGet(t, base+"/healthz", "")
		if st == http.StatusOK && strings.TrimSpace(body) == "ok" {
			return
		}
		select {
		case <-d.exited:
			wl, _ := os.ReadFile(d.logPath)
			t.Fatalf("wikipub exited before it answered /healthz: %v\n%s", d.err, proxyTestTail(string(wl), 40))
		default:
		}
		if time.Now().After(deadline) {
			wl, _ := os.ReadFile(d.logPath)
			t.Fatalf("/healthz: %d %q after 60s\n%s", st, body, proxyTestTail(string(wl), 40))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// browserTestArtifacts is where screenshots go; they outlive the test.
func browserTestArtifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("WIKIPUB_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "wikipub-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser is a headless Chromium of the test's own, in its own process
// group, with a DevTools connection to the browser.
type browser struct {
	cmd         *exec.Cmd
	port        string
	browserConn *cdpConn
	mu          sync.Mutex
	out         strings.Builder
}

func (b *browser) output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.out.String()
}

func startBrowser(t *testing.T, bin string) *browser {
	t.Helper()
	profile := t.TempDir()
	cmd := exec.Command(bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
		"--user-data-dir="+profile, "--window-size=1200,900", "--force-device-scale-factor=1",
		// Nothing but this machine: every other host name resolves nowhere.
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--remote-allow-origins=*",
		"about:blank")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	// Its own group, so that its helper processes go with it; and it dies
	// with the test binary.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	b := &browser{cmd: cmd}
	wsURL := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			b.mu.Lock()
			b.out.WriteString(line + "\n")
			b.mu.Unlock()
			if u, ok := strings.CutPrefix(line, "DevTools listening on "); ok {
				select {
				case wsURL <- strings.TrimSpace(u):
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		if b.browserConn != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			b.browserConn.call(ctx, "Browser.close", nil)
			cancel()
			b.browserConn.close()
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		<-done
	})
	select {
	case u := <-wsURL:
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatalf("chromium's DevTools URL %q: %v", u, err)
		}
		b.port = pu.Port()
		c, err := dialCDP(u)
		if err != nil {
			t.Fatalf("connecting to chromium's DevTools at %s: %v", u, err)
		}
		b.browserConn = c
	case <-done:
		t.Fatalf("chromium exited before it listened for DevTools:\n%s", b.output())
	case <-time.After(60 * time.Second):
		t.Fatalf("chromium did not listen for DevTools within 60s:\n%s", b.output())
	}
	return b
}

// page connects to the browser's one tab.
func (b *browser) page(ctx context.Context, t *testing.T) *cdpConn {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+b.port+"/json/list", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("listing chromium's tabs: %v", err)
	}
	defer resp.Body.Close()
	var targets []struct {
		Type                 string
		WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&targets); err != nil {
		t.Fatalf("chromium's tab list: %v", err)
	}
	for _, tg := range targets {
		if tg.Type == "page" && tg.WebSocketDebuggerURL != "" {
			c, err := dialCDP(tg.WebSocketDebuggerURL)
			if err != nil {
				t.Fatalf("connecting to chromium's tab: %v", err)
			}
			t.Cleanup(c.close)
			return c
		}
	}
	t.Fatalf("chromium has no tab: %+v", targets)
	return nil
}

// cdpConn is one DevTools WebSocket: commands with ids, and events to
// handlers (which run on the reading goroutine and must not block on a
// command).
type cdpConn struct {
	ws       *websocket.Conn
	mu       sync.Mutex
	next     int
	pending  map[int]chan cdpMessage
	handlers map[string][]func(json.RawMessage)
	closed   chan struct{}
}

type cdpMessage struct {
	ID     int             `json:"id,omitempty"`
	Method string          `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

func dialCDP(wsURL string) (*cdpConn, error) {
	ws, err := websocket.Dial(wsURL, "", "http://127.0.0.1/")
	if err != nil {
		return nil, err
	}
	ws.MaxPayloadBytes = 64 << 20 // screenshots
	c := &cdpConn{ws: ws, pending: map[int]chan cdpMessage{}, handlers: map[string][]func(json.RawMessage){}, closed: make(chan struct{})}
	go c.read()
	return c, nil
}

func (c *cdpConn) read() {
	defer close(c.closed)
	for {
		var raw []byte
		if err := websocket.Message.Receive(c.ws, &raw); err != nil {
			return
		}
		var m cdpMessage
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		c.mu.Lock()
		if m.ID != 0 {
			ch := c.pending[m.ID]
			delete(c.pending, m.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		hs := append([]func(json.RawMessage){}, c.handlers[m.Method]...)
		c.mu.Unlock()
		for _, h := range hs {
			h(m.Params)
		}
	}
}

func (c *cdpConn) close() { c.ws.Close() }

func (c *cdpConn) on(method string, h func(json.RawMessage)) {
	c.mu.Lock()
	c.handlers[method] = append(c.handlers[method], h)
	c.mu.Unlock()
}

func (c *cdpConn) call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	c.mu.Lock()
	c.next++
	id := c.next
	ch := make(chan cdpMessage, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	if err := websocket.Message.Send(c.ws, string(b)); err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		return m.Result, nil
	case <-c.closed:
		return nil, fmt.Errorf("%s: the DevTools connection closed", method)
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (c *cdpConn) must(ctx context.Context, t *testing.T, method string, params any) json.RawMessage {
	t.Helper()
	r, err := c.call(ctx, method, params)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var errCDPNull = errors.New("null")

// eval runs a JavaScript expression in the page (awaiting a promise, with
// a user gesture) and decodes its value into out; a null or undefined
// value is errCDPNull.
func (c *cdpConn) eval(ctx context.Context, expr string, out any) error {
	r, err := c.call(ctx, "Runtime.evaluate", map[string]any{
		"expression": expr, "returnByValue": true, "awaitPromise": true, "userGesture": true,
	})
	if err != nil {
		return err
	}
	var res struct {
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception *struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(r, &res); err != nil {
		return err
	}
	if e := res.ExceptionDetails; e != nil {
		if e.Exception != nil {
			return errors.New(e.Exception.Description)
		}
		return errors.New(e.Text)
	}
	if len(res.Result.Value) == 0 || string(res.Result.Value) == "null" {
		return errCDPNull
	}
	return json.Unmarshal(res.Result.Value, out)
}

// waitFor evaluates expr until it gives a value (not null), across
// navigations, for up to 30 s.
func (c *cdpConn) waitFor(ctx context.Context, t *testing.T, what, expr string, out any) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if err = c.eval(ctx, expr, out); err == nil {
			return
		}
		if ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var where string
	c.eval(ctx, `location.href + ' ' + document.title`, &where)
	t.Fatalf("waiting for %s: %v (the browser is at %s)", what, err, where)
}

func (c *cdpConn) navigate(ctx context.Context, t *testing.T, u string) {
	t.Helper()
	r := c.must(ctx, t, "Page.navigate", map[string]any{"url": u})
	var nav struct{ ErrorText string }
	json.Unmarshal(r, &nav)
	if nav.ErrorText != "" {
		t.Fatalf("opening %s: %s", u, nav.ErrorText)
	}
	var state string
	c.waitFor(ctx, t, u+" to load", `location.href === `+jsString(u)+` && document.readyState === 'complete' ? 'ok' : null`, &state)
}

// click clicks the middle of the element with the mouse, as a person
// would: a real user activation, which the clipboard needs.
func (c *cdpConn) click(ctx context.Context, t *testing.T, selector string) {
	t.Helper()
	var xy []float64
	c.waitFor(ctx, t, selector+" to click", `(function () {
		var e = document.querySelector(`+jsString(selector)+`);
		if (!e) { return null; }
		e.scrollIntoView({block: 'center'});
		var r = e.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) { return null; }
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`, &xy)
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		c.must(ctx, t, "Input.dispatchMouseEvent", map[string]any{
			"type": typ, "x": xy[0], "y": xy[1], "button": "left", "clickCount": 1,
		})
	}
}

func (c *cdpConn) screenshot(ctx context.Context, t *testing.T, path string) {
	t.Helper()
	r := c.must(ctx, t, "Page.captureScreenshot", map[string]any{"format": "png"})
	var shot struct{ Data string }
	if err := json.Unmarshal(r, &shot); err != nil {
		t.Fatal(err)
	}
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
