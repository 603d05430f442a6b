package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
)

// world is one deployment as an admin would run it: a real MediaWiki and
// `wikipub serve` behind the deployment kit's nginx on one public host
// (wiki.test:PORT), and the shared GoToSocial talking to it.
type world struct {
	t      *testing.T
	wiki   *testenv.Wiki
	admin  *testenv.Session
	wp     *testenv.Wikipub
	nginx  *testenv.Nginx
	public string // http://wiki.test:PORT
	domain string // wiki.test:PORT, the domain of our handles
	// logFrom is where each GoToSocial's log stood when the world
	// started: only what they said since is about this world.
	logFrom map[*testenv.GoToSocial]int
}

// worldOptions choose the store and the wake-up.
type worldOptions struct {
	redis bool // --redis, else the embedded store
	udp   bool // the wiki's $wgRCFeeds wakes the watcher, else polling
	extra []string
}

func newWorld(t *testing.T, o worldOptions) *world {
	t.Helper()
	if err := testenv.MapHost("wiki.test"); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, logFrom: map[*testenv.GoToSocial]int{gts: gts.LogSize(), gts2: gts2.LogSize()}}
	w.wiki = testenv.MediaWiki(t)
	ports := testenv.FreePorts(t, 3)
	nginxPort, wikipubPort, udpPort := ports[0], ports[1], ports[2]
	w.domain = fmt.Sprintf("wiki.test:%d", nginxPort)
	w.public = "http://" + w.domain
	var feed []string
	if o.udp {
		feed = append(feed, fmt.Sprintf("$wgRCFeeds['wikipub'] = ['formatter' => 'JSONRCFeedFormatter', 'uri' => 'udp://127.0.0.1:%d'];", udpPort))
	}
	w.wiki.SetServer(t, w.public, feed...)
	w.admin = w.wiki.Login(t)

	dir := t.TempDir()
	wikiAddr := strings.TrimPrefix(w.wiki.Base, "http://")
	w.nginx = testenv.StartNginx(t, dir, nginxPort, wikiAddr, fmt.Sprintf("127.0.0.1:%d", wikipubPort))
	args := []string{
		"--wiki", w.wiki.API, "--bot-user", w.wiki.BotUser, "--bot-password", w.wiki.BotPass,
		"--public-url", w.public, "--allow-private-addresses", "127.0.0.0/8",
		"--log-format", "json", "--log-level", "debug", "--sweep-every", "3s",
	}
	if o.redis {
		args = append(args, "--redis", testenv.Redis(t).URL())
	} else {
		args = append(args, "--data", filepath.Join(dir, "wikipub.db"))
	}
	if o.udp {
		args = append(args, "--rc-udp", fmt.Sprintf("127.0.0.1:%d", udpPort))
	}
	w.wp = testenv.StartWikipub(t, wikipubPort, append(args, o.extra...)...)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- wikipub's log:\n%s", w.wp.Tail(80))
		}
	})
	return w
}

// getJSON reads a JSON document as an ActivityPub client would.
func getJSON(rawURL string, out any) error {
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/activity+json")
	req.Header.Set("User-Agent", "wikipub-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", rawURL, resp.StatusCode, b)
	}
	return json.Unmarshal(b, out)
}

// person is an account of this world's own on one of the servers.
func (w *world) person(g *testenv.GoToSocial, name string) *testenv.GTSUser {
	w.t.Helper()
	u, err := g.User(name)
	if err != nil {
		w.t.Fatal(err)
	}
	return u
}

// pageID is the wiki's id of a page.
func (w *world) pageID(title string) int64 {
	w.t.Helper()
	pages, err := w.admin.C.PagesByTitle(context.Background(), []string{title})
	if err != nil {
		w.t.Fatal(err)
	}
	p, ok := pages[title]
	if !ok || p.ID == 0 {
		w.t.Fatalf("no page %q on the wiki", title)
	}
	return p.ID
}

// userID is the wiki's id of a user.
func (w *world) userID(name string) int64 {
	w.t.Helper()
	u, err := w.admin.C.UserByName(context.Background(), name)
	if err != nil {
		w.t.Fatal(err)
	}
	return u.ID
}

// collection reads one of our collections' totalItems and the ids of its
// first page's items.
func (w *world) collection(path string) (total int, items []string) {
	w.t.Helper()
	var c struct {
		TotalItems int `json:"totalItems"`
		First      any `json:"first"`
	}
	if err := getJSON(w.public+path, &c); err != nil {
		w.t.Fatal(err)
	}
	first := c.First
	if s, ok := first.(string); ok {
		var page map[string]any
		if err := getJSON(s, &page); err != nil {
			w.t.Fatal(err)
		}
		first = page
	}
	if m, ok := first.(map[string]any); ok {
		for _, k := range []string{"orderedItems", "items"} {
			list, _ := m[k].([]any)
			for _, it := range list {
				switch v := it.(type) {
				case string:
					items = append(items, v)
				case map[string]any:
					id, _ := v["id"].(string)
					items = append(items, id)
				}
			}
		}
	}
	return c.TotalItems, items
}

// problems are the servers' warnings and errors about this world since it
// started. GoToSocial's warnings about its own slow database queries name
// our domain when the query does; they say nothing about our answers.
func (w *world) problems() []string {
	var out []string
	for g, from := range w.logFrom {
		for _, l := range g.LogProblems(w.domain, from) {
			if !strings.Contains(l, "func=bundb.queryHook.AfterQuery") {
				out = append(out, l)
			}
		}
	}
	return out
}

// eventually polls check every 100 ms until it returns nil or within has
// passed, and returns how long it took. The deadlines are generous: this
// checks what happens, the figures are measured, not asserted.
func eventually(within time.Duration, check func() error) (time.Duration, error) {
	start := time.Now()
	var err error
	for {
		if err = check(); err == nil {
			return time.Since(start), nil
		}
		if time.Since(start) > within {
			return time.Since(start), fmt.Errorf("after %s: %w", within, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// escape is a title as it appears in a wiki URL path.
func escape(title string) string {
	return strings.ReplaceAll(url.PathEscape(strings.ReplaceAll(title, " ", "_")), "%2F", "/")
}
