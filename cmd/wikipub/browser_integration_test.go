package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/wikipub/wikipub/internal/testenv"
)

// TestFollowPageInBrowser is the follow feature as a reader meets it, in a
// real browser: a real MediaWiki with deploy/mediawiki/Common.js as its
// MediaWiki:Common.js, a real wikipub, and headless Chromium driven over
// the Chrome DevTools Protocol with chromedp.
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
	// Cancelled after the browser's own clean-up, so that it closes
	// gracefully first.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	b := startBrowser(ctx, t, chromium)
	tab := b.tab

	// Every CSP violation on any document the tab loads, collected by a
	// script the page's own policy does not govern.
	browserMust(t, "Page.addScriptToEvaluateOnNewDocument", call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });`}))
	// The reader's server: intercepted, never contacted. The answers are
	// commands, which the tab's event loop must not wait for: they go from
	// a goroutine of their own.
	var interceptedMu sync.Mutex
	var intercepted []string
	paused := chromedp.Events(tab, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			if ev.ResourceType != network.ResourceTypeDocument {
				// The intercepted page's favicon and the like: answered here too.
				chromedp.Call(tab, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: http.StatusNotFound})
				continue
			}
			interceptedMu.Lock()
			intercepted = append(intercepted, ev.Request.URL)
			interceptedMu.Unlock()
			chromedp.Call(tab, fetch.FulfillRequest, fetch.FulfillRequestParams{
				RequestID: ev.RequestID, ResponseCode: http.StatusOK,
				ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html"}},
				Body:            []byte("<!DOCTYPE html><title>social.example (intercepted)</title><h1>Authorize interaction (intercepted by the test)</h1>"),
			})
		}
	}()
	var followRequests []string
	var followMu sync.Mutex
	if err := chromedp.Listen(tab, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok && strings.HasPrefix(ev.Request.URL, wikipubURL+"/follow?") {
			followMu.Lock()
			followRequests = append(followRequests, ev.Request.URL)
			followMu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	browserMust(t, "Fetch.enable", call(tab, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "https://social.example/*", RequestStage: fetch.RequestStageRequest}}}))
	for _, p := range []*browser.PermissionDescriptor{{Name: "clipboard-read"}, {Name: "clipboard-write", AllowWithoutSanitization: true}} {
		_, err := chromedp.CallBrowser(tab, browser.SetPermission, browser.SetPermissionParams{Permission: p, Setting: browser.PermissionSettingGranted, Origin: wikipubURL})
		browserMust(t, "Browser.setPermission "+p.Name, err)
	}

	// 1. The wiki page has the link (ResourceLoader loads site JS after the
	// page itself: wait for it).
	wikiPage := w.Base + "/wiki/Follow_Me"
	browserNavigate(tab, t, wikiPage)
	wantHref := wikipubURL + "/follow-page?title=Follow_Me"
	var link struct {
		Href, Text string
		Visible    bool
	}
	browserWaitFor(tab, t, "the snippet's link on "+wikiPage, `(function () {
		var a = document.querySelector('#t-wikipub-follow a');
		if (!a) { return null; }
		a.scrollIntoView({block: 'center'});
		var r = a.getBoundingClientRect(), s = getComputedStyle(a);
		return {href: a.href, text: a.textContent, visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'};
	})()`, &link)
	if link.Href != wantHref || link.Text != "Follow on the Fediverse" || !link.Visible {
		t.Errorf("the wiki page's follow link: %+v, want a visible \"Follow on the Fediverse\" to %s", link, wantHref)
	}
	browserScreenshot(tab, t, filepath.Join(artifacts, "wiki-page-with-follow-link.png"))

	// 2. Clicking it leads to the follow page.
	browserClick(tab, t, "#t-wikipub-follow a")
	var followPage struct {
		Href, Handle, H1 string
		CopyShown        bool
		MaxWidth         string
		CSP              []string
	}
	browserWaitFor(tab, t, "the follow page after clicking the link", `(function () {
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
	browserScreenshot(tab, t, filepath.Join(artifacts, "follow-page.png"))

	// 3. Copy.
	browserClick(tab, t, "#copy")
	var copied string
	browserWaitFor(tab, t, "the Copy button's data-copied", `document.getElementById('copy').getAttribute('data-copied')`, &copied)
	if copied != wantHandle {
		t.Errorf("Copy copied %q, want %q", copied, wantHandle)
	}
	var clip string
	if err := browserEval(tab, `navigator.clipboard.readText()`, &clip); err != nil {
		t.Errorf("reading the clipboard back: %v", err)
	} else if clip != wantHandle {
		t.Errorf("the clipboard holds %q after Copy, want %q", clip, wantHandle)
	}
	var status string
	browserEval(tab, `document.getElementById('copy-status').textContent`, &status)
	if status != "Copied "+wantHandle {
		t.Errorf("the status after Copy says %q", status)
	}
	browserScreenshot(tab, t, filepath.Join(artifacts, "follow-page-copied.png"))

	// 4. A bad server address comes back with a message, in the page.
	browserClick(tab, t, "#instance")
	browserMust(t, "Input.insertText", call(tab, input.InsertText, input.InsertTextParams{Text: "javascript:alert(1)"}))
	browserClick(tab, t, "button[type=submit]")
	var bad struct{ Href, Alert, Value string }
	browserWaitFor(tab, t, "the form's error message", `(function () {
		var e = document.getElementById('instance-error');
		if (document.readyState !== 'complete' || !e) { return null; }
		return {href: location.href, alert: e.textContent, value: document.getElementById('instance').value};
	})()`, &bad)
	if !strings.HasPrefix(bad.Href, wikipubURL+"/follow?") || !strings.Contains(bad.Alert, "is not a server address") || bad.Value != "javascript:alert(1)" {
		t.Errorf("after submitting a bad server: %+v", bad)
	}
	browserScreenshot(tab, t, filepath.Join(artifacts, "follow-page-bad-server.png"))

	// 5. A good one ends at the server's authorize_interaction page.
	browserMust(t, "clearing the server field", chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`document.getElementById('instance').value = ''`)))
	browserClick(tab, t, "#instance")
	browserMust(t, "Input.insertText", call(tab, input.InsertText, input.InsertTextParams{Text: "social.example"}))
	browserClick(tab, t, "button[type=submit]")
	var final string
	browserWaitFor(tab, t, "the reader's server", `location.href.indexOf('https://social.example/') === 0 && document.readyState === 'complete' ? location.href : null`, &final)
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
	browserNavigate(tab, t, w.Base+"/wiki/User:"+url.PathEscape(w.AdminUser))
	var userHref string
	browserWaitFor(tab, t, "the follow link on the user page", `(function () { var a = document.querySelector('#t-wikipub-follow a'); return a ? a.href : null; })()`, &userHref)
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

// browserSession is a headless Chromium of the test's own, in its own
// process group, and the chromedp context of its one tab.
type browserSession struct {
	tab context.Context
	out lockedBuilder
}

func (b *browserSession) output() string { return b.out.String() }

// lockedBuilder collects chromium's output, which chromedp writes from
// its own goroutine.
type lockedBuilder struct {
	mu sync.Mutex
	sb strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sb.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sb.String()
}

// startBrowser starts Debian's chromium with the flags that work on this
// kind of machine (headless, no sandbox as root, nothing reaching out to
// Google's services) and a fresh profile, and opens its tab. chromedp
// talks to it over --remote-debugging-pipe.
func startBrowser(ctx context.Context, t *testing.T, bin string) *browserSession {
	t.Helper()
	profile := t.TempDir()
	b := &browserSession{}
	var cmd *exec.Cmd
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true), chromedp.Flag("mute-audio", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1200, 900), chromedp.Flag("force-device-scale-factor", "1"),
		// Nothing but this machine: every other host name resolves nowhere.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.CombinedOutput(&b.out),
		// Its own group, so that its helper processes go with it; and it
		// dies with the test binary.
		chromedp.ModifyCmdFunc(func(c *exec.Cmd) {
			c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
			cmd = c
		}))
	tab, cancelTab := chromedp.NewContext(allocCtx)
	b.tab = tab
	t.Cleanup(func() {
		// Browser.close first, then whatever is left of the group. The
		// wait is bounded: chromedp's cancel waits forever for a browser
		// whose start failed.
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			if err := chromedp.Cancel(tab); err != nil {
				t.Logf("closing chromium: %v", err)
			}
			cancelTab()
			cancelAlloc()
		}()
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			t.Logf("chromedp did not stop chromium within 10 s")
		}
		if cmd != nil && cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})
	// The first command starts the browser and attaches to its tab. It
	// runs on the tab's own context: chromedp ties the browser's life to
	// the context of that first command.
	if _, err := chromedp.Run(tab, chromedp.Location()); err != nil {
		t.Fatalf("starting %s: %v\n%s", bin, err, b.output())
	}
	return b
}

// call runs one DevTools command on the tab and keeps only its error.
func call[P, R any](tab context.Context, cmd cdp.Command[P, R], params P) error {
	_, err := chromedp.Call(tab, cmd, params)
	return err
}

func browserMust(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

var errJSNull = errors.New("null")

// browserEval runs a JavaScript expression in the page (awaiting a
// promise, with a user gesture) and decodes its value into out; a null or
// undefined value is errJSNull.
func browserEval(tab context.Context, expr string, out any) error {
	raw, err := chromedp.Run(tab, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise, func(p *runtime.EvaluateParams) {
		gesture := true
		p.UserGesture = &gesture
	}))
	if err != nil {
		return err
	}
	if len(raw) == 0 || string(raw) == "null" {
		return errJSNull
	}
	return json.Unmarshal(raw, out)
}

// browserWaitFor evaluates expr until it gives a value (not null), across
// navigations, for up to 30 s.
func browserWaitFor(tab context.Context, t *testing.T, what, expr string, out any) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if err = browserEval(tab, expr, out); err == nil {
			return
		}
		if tab.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var where string
	browserEval(tab, `location.href + ' ' + document.title`, &where)
	t.Fatalf("waiting for %s: %v (the browser is at %s)", what, err, where)
}

func browserNavigate(tab context.Context, t *testing.T, u string) {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Navigate(u)); err != nil {
		t.Fatalf("opening %s: %v", u, err)
	}
	var state string
	browserWaitFor(tab, t, u+" to load", `location.href === `+jsString(u)+` && document.readyState === 'complete' ? 'ok' : null`, &state)
}

// browserClick clicks the middle of the element with the mouse, as a
// person would: a real user activation, which the clipboard needs.
func browserClick(tab context.Context, t *testing.T, selector string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		var where string
		browserEval(tab, `location.href + ' ' + document.title`, &where)
		t.Fatalf("clicking %s: %v (the browser is at %s)", selector, err, where)
	}
}

func browserScreenshot(tab context.Context, t *testing.T, path string) {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
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
