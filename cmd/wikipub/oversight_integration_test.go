package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
)

// What the oversight test hides on the wiki; none of it may be served or
// logged once hidden.
const (
	secretTitle   = "Secret Page Zq"
	secretHandle  = "secret_page_zq"
	secretEdit    = "secret edit summary 3318"
	secretReason  = "secret move reason 5521"
	hiddenEditor  = "Hidden Editor Qw"
	hiddenHandle  = "user.hidden_editor_qw"
	oversightPoll = 3 * time.Second // --sweep-every
)

// TestOversightEndToEnd runs `wikipub serve` (both stores) over a real wiki
// with a follower, then does what only suppression does, none of which
// leaves a trace in recent changes: deletes a followed page with
// suppression, suppresses the reason of a published move, and hides a
// followed editor (a block with hideuser). Within one sweep the follower
// gets a Delete of every post and actor concerned, and no endpoint —
// actor, WebFinger, follow page, outbox, followers, posts, collections,
// metrics — nor any log line at info serves the hidden title, reason or
// name; after a restart on the same store, the hidden page still answers
// 404 (not 410, which would tell that it existed).
func TestOversightEndToEnd(t *testing.T) {
	for _, kind := range []string{"bolt", "redis"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			runOversight(t, kind)
		})
	}
}

type oversightInstance struct {
	base, host string
	args       []string
	logDir     string
	runs       []*daemon
}

func (o *oversightInstance) start(t *testing.T) {
	t.Helper()
	d := startDaemon(t, filepath.Join(o.logDir, fmt.Sprintf("run%d.log", len(o.runs)+1)), o.args...)
	o.runs = append(o.runs, d)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := http.Get(o.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("wikipub did not come up on %s", o.base)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func runOversight(t *testing.T, kind string) {
	w := testenv.MediaWiki(t)
	w.EnableLogDeletion(t)
	admin := w.Login(t)
	editor := w.NewEditor(t, "Plain Editor")
	hidden := w.NewEditor(t, hiddenEditor)
	for _, title := range []string{secretTitle, "Moved Source", "Unfollowed Page"} {
		admin.Edit(t, title, "Text of "+title+".", "create")
	}
	time.Sleep(1100 * time.Millisecond)

	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	o := &oversightInstance{base: fmt.Sprintf("http://127.0.0.1:%d", port), host: fmt.Sprintf("127.0.0.1:%d", port), logDir: t.TempDir()}
	o.args = []string{
		"--wiki", w.API, "--public-url", o.base, "--listen", o.host,
		"--allow-private-addresses", "127.0.0.0/8", "--log-format", "json",
		"--bot-user", w.BotUser, "--bot-password", w.BotPass,
		"--poll", "200ms", "--sweep-every", oversightPoll.String(),
	}
	if kind == "redis" {
		o.args = append(o.args, "--redis", testenv.Redis(t).URL())
	} else {
		o.args = append(o.args, "--data", filepath.Join(t.TempDir(), "wikipub.db"))
	}
	o.start(t)
	t.Cleanup(func() {
		if t.Failed() {
			for _, d := range o.runs {
				lines := readLog(t, d.logPath)
				for _, l := range lines[max(0, len(lines)-40):] {
					t.Logf("%s: %v", filepath.Base(d.logPath), l)
				}
			}
		}
	})

	peer := fedpeer.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	actors := map[string]*fedpeer.RemoteActor{}
	for _, h := range []string{secretHandle, "moved_source", hiddenHandle} {
		a, err := peer.Lookup(ctx, h+"@"+o.host)
		if err != nil {
			t.Fatalf("lookup %s: %v", h, err)
		}
		id, err := peer.Follow(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := peer.WaitAccept(ctx, id); err != nil {
			t.Fatal(err)
		}
		actors[h] = a
	}
	wait := func(what string, match func(d fedpeer.Delivery) bool) {
		t.Helper()
		if _, err := peer.WaitFor(ctx, match); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
	is := func(typ, object string) func(d fedpeer.Delivery) bool {
		return func(d fedpeer.Delivery) bool {
			return d.Activity["type"] == typ && activityObjectID(d.Activity) == object
		}
	}

	// What gets published before it is hidden.
	revSecret := editor.Edit(t, secretTitle, "Secret text.", secretEdit)
	postSecret := fmt.Sprintf("%s/ap/rev/%d", o.base, revSecret)
	wait("the secret page's edit", is("Create", postSecret))
	admin.Move(t, "Moved Source", "Moved Target", secretReason, false)
	moveLog := admin.LogID(t, "move", "Moved Source")
	postMove := fmt.Sprintf("%s/ap/log/%d", o.base, moveLog)
	wait("the move post", is("Create", postMove))
	// On a page the follower does not follow: it reaches them as the
	// editor's boost.
	revHidden := hidden.Edit(t, "Unfollowed Page", "Text by the editor to be hidden.", "plain summary")
	postHidden := fmt.Sprintf("%s/ap/rev/%d", o.base, revHidden)
	wait("the hidden editor's boost", is("Announce", postHidden))
	if code, body := getWith(t, actors[secretHandle].ID, "application/activity+json"); code != 200 || !strings.Contains(body, secretTitle) {
		t.Fatalf("before suppression the actor is %d %s", code, body)
	}

	// Oversight: no trace of any of it in recent changes.
	hiddenAt := time.Now()
	w.DeleteSuppressed(t, secretTitle, "oversight")
	admin.HideLogEntries(t, []int64{moveLog}, "comment", true, "oversight")
	w.HideUser(t, hiddenEditor, "oversight")
	for _, c := range []struct {
		what string
		m    func(fedpeer.Delivery) bool
	}{
		{"the Delete of the secret page's post", is("Delete", postSecret)},
		{"the Delete of the secret page's actor", is("Delete", actors[secretHandle].ID)},
		{"the Delete of the move post", is("Delete", postMove)},
		{"the Delete of the hidden editor's post", is("Delete", postHidden)},
		{"the Delete of the hidden editor's actor", is("Delete", actors[hiddenHandle].ID)},
	} {
		wait(c.what, c.m)
	}
	took := time.Since(hiddenAt)
	t.Logf("%s: every withdrawal arrived %v after the oversight (--sweep-every %v)", kind, took.Round(time.Millisecond), oversightPoll)
	if took > 2*oversightPoll+10*time.Second {
		t.Errorf("the withdrawals took %v; want them within one sweep (%v) and the time to deliver", took, oversightPoll)
	}

	secrets := []string{secretTitle, secretHandle, secretEdit, secretReason, hiddenEditor, hiddenHandle, "Secret_Page_Zq", "Hidden_Editor_Qw"}
	checkNothingServed(t, o, w, secrets, actors[secretHandle].ID, actors[hiddenHandle].ID, postSecret, postMove, postHidden)

	// Nothing of it in the log at info since it was hidden (requests'
	// paths, which are what a client asked for, aside).
	for _, l := range readLog(t, o.runs[0].logPath) {
		ts, _ := time.Parse(time.RFC3339Nano, l.str("time"))
		if ts.Before(hiddenAt) || l.str("level") == "DEBUG" || l.str("msg") == "http request" {
			continue
		}
		for k, v := range l {
			for _, s := range secrets {
				if str, ok := v.(string); ok && strings.Contains(str, s) {
					t.Errorf("a log line after the oversight holds %q in %q: %v", s, k, l)
				}
			}
		}
	}
	for _, d := range peer.Received() {
		if d.Received.After(hiddenAt) && d.Activity["type"] != "Delete" {
			t.Errorf("after the oversight the follower got %s", d.Body)
		}
		if d.Received.After(hiddenAt) {
			for _, s := range secrets {
				if strings.Contains(string(d.Body), s) {
					t.Errorf("a Delete carries %q: %s", s, d.Body)
				}
			}
		}
	}
	for _, rj := range peer.Rejected() {
		t.Errorf("the peer refused: %+v", rj)
	}

	// The store remembers: after a restart the hidden page is still 404.
	o.runs[0].kill()
	o.start(t)
	for _, u := range []string{actors[secretHandle].ID, o.base + "/.well-known/webfinger?resource=" + url.QueryEscape("acct:"+secretHandle+"@"+o.host)} {
		if code, body := getWith(t, u, "application/activity+json"); code != http.StatusNotFound {
			t.Errorf("after a restart GET %s = %d %s, want 404", u, code, body)
		}
	}
}

// checkNothingServed asks every endpoint about what was hidden.
func checkNothingServed(t *testing.T, o *oversightInstance, w *testenv.Wiki, secrets []string, pageActor, userActor, postSecret, postMove, postHidden string) {
	t.Helper()
	const ap, html = "application/activity+json", "text/html"
	wf := func(res string) string {
		return o.base + "/.well-known/webfinger?resource=" + url.QueryEscape(res)
	}
	cases := []struct {
		url, accept string
		want        int
	}{
		{pageActor, ap, 404}, {pageActor, html, 404},
		{pageActor + "/outbox", ap, 404}, {pageActor + "/outbox?page=true", ap, 404},
		{pageActor + "/followers", ap, 404}, {pageActor + "/following", ap, 404},
		{wf("acct:" + secretHandle + "@" + o.host), ap, 404}, {wf(pageActor), ap, 404},
		{wf(w.Base + "/wiki/Secret_Page_Zq"), ap, 404},
		{o.base + "/@" + secretHandle, html, 404}, {o.base + "/@" + secretHandle, ap, 404},
		{o.base + "/wiki/Secret_Page_Zq", ap, 404},
		{postSecret, ap, 410}, {postSecret + "/replies", ap, 410}, {postSecret + "/likes", ap, 410},
		{postMove, ap, 410}, {postMove + "/replies", ap, 410},
		{postHidden, ap, 410}, {postHidden + "/shares", ap, 410},
		{userActor, ap, 404}, {userActor, html, 404}, {userActor + "/outbox?page=true", ap, 404},
		{wf("acct:" + hiddenHandle + "@" + o.host), ap, 404}, {o.base + "/@" + hiddenHandle, html, 404},
		{o.base + "/follow-page?title=User:Hidden_Editor_Qw", html, 404},
		{o.base + "/follow-page?title=Secret_Page_Zq", html, 404},
		{o.base + "/metrics", "text/plain", 200},
	}
	for _, c := range cases {
		code, body := getWith(t, c.url, c.accept)
		if code != c.want {
			t.Errorf("GET %s (%s) = %d, want %d: %.300s", c.url, c.accept, code, c.want, body)
		}
		if strings.Contains(c.url, "follow-page") {
			continue // its 404 names the title the request typed, like any unknown one
		}
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("GET %s (%s) serves %q: %.300s", c.url, c.accept, s, body)
			}
		}
	}
	// The page the hidden editor edited: its outbox and follow page leave
	// the edit out.
	pages := w.Login(t)
	p, err := pages.C.PagesByTitle(context.Background(), []string{"Unfollowed Page"})
	if err != nil || p["Unfollowed Page"].ID == 0 {
		t.Fatalf("Unfollowed Page: %v %v", p, err)
	}
	watched := o.base + "/ap/page/" + strconv.FormatInt(p["Unfollowed Page"].ID, 10)
	for _, u := range []struct{ url, accept string }{{watched + "/outbox?page=true", ap}, {watched, html}, {watched, ap}} {
		code, body := getWith(t, u.url, u.accept)
		if code != 200 {
			t.Errorf("GET %s = %d", u.url, code)
		}
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("GET %s (%s) serves %q: %.300s", u.url, u.accept, s, body)
			}
		}
	}
}

func getWith(t *testing.T, u, accept string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}

func activityObjectID(a map[string]any) string {
	switch o := a["object"].(type) {
	case string:
		return o
	case map[string]any:
		s, _ := o["id"].(string)
		return s
	}
	return ""
}
