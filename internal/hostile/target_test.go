package hostile

import (
	"bufio"
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
)

// storeKinds are the two stores every attack is tried against.
var storeKinds = []string{"bolt", "redis"}

// fixture is one real wiki with what the attacks aim at: a page, and an
// editor who opted in to replies and edited it.
type fixture struct {
	w     *testenv.Wiki
	admin *testenv.Session
	// page is the page everybody follows; pageID its id.
	page   string
	pageID int64
	// editor opted in to talk-page replies; editorID is their user id and
	// editorRev a revision of theirs (a post replies can answer).
	editor    string
	editorID  int64
	editorRev int64
}

// newFixture starts a wiki and sets it up (about 5 s).
func newFixture(t testing.TB) *fixture {
	t.Helper()
	w := testenv.MediaWiki(t)
	f := &fixture{w: w, admin: w.Login(t), page: "Hostile target", editor: "Alice Editor"}
	f.admin.Edit(t, f.page, "A page that attackers aim at.", "create")
	ed := w.NewEditor(t, f.editor)
	ed.Edit(t, "User:"+f.editor+"/wikipub.json", `{"replies": true}`, "opt in to Fediverse replies")
	f.editorRev = ed.Edit(t, f.page, "A page that attackers aim at, edited by Alice.", "Alice's edit")
	f.pageID = f.query(t, "titles", f.page, "pages", "pageid")
	f.editorID = f.query(t, "ususers", f.editor, "users", "userid")
	return f
}

// query asks the wiki's API for one id: list=users or prop=info.
func (f *fixture) query(t testing.TB, param, value, list, field string) int64 {
	t.Helper()
	q := url.Values{"action": {"query"}, "format": {"json"}, "formatversion": {"2"}, param: {value}}
	if list == "users" {
		q.Set("list", "users")
	}
	resp, err := http.Get(f.w.API + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans struct {
		Query map[string][]map[string]any `json:"query"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		t.Fatal(err)
	}
	for _, e := range ans.Query[list] {
		if n, ok := e[field].(float64); ok && n > 0 {
			return int64(n)
		}
	}
	t.Fatalf("the wiki has no %s for %s=%s: %v", field, param, value, ans)
	return 0
}

// target is one `wikipub serve` process under attack.
type target struct {
	f    *fixture
	wp   *testenv.Wikipub
	kind string
	// base is its --public-url, http://127.0.0.1:PORT; host is 127.0.0.1:PORT.
	base, host string
	// wiki counts what wikipub asks the wiki (it reaches the wiki through it).
	wiki *wikiProxy
	// port, args and redis restart the same process; data is the
	// embedded store's file.
	port  int
	args  []string
	redis *testenv.RedisServer
	data  string
}

// startTarget runs wikipub over the fixture's wiki with the given store
// kind, talking to loopback peers, replies written at once (talk window
// under a second), and any extra flags.
func startTarget(t testing.TB, f *fixture, kind string, extra ...string) *target {
	t.Helper()
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	proxy := startWikiProxy(t, f.w.Base)
	args := []string{
		"--wiki", proxy.base + "/api.php", "--public-url", base,
		"--allow-private-addresses", "127.0.0.0/8", "--log-format", "json",
		"--bot-user", f.w.BotUser, "--bot-password", f.w.BotPass,
		"--talk-window", "1ms", "--poll", "200ms",
	}
	tg := &target{f: f, kind: kind, base: base, host: strings.TrimPrefix(base, "http://"), wiki: proxy, port: port}
	switch kind {
	case "bolt":
		tg.data = filepath.Join(t.TempDir(), "wikipub.db")
		args = append(args, "--data", tg.data)
	case "redis":
		tg.redis = testenv.Redis(t)
		args = append(args, "--redis", tg.redis.URL())
	default:
		t.Fatalf("unknown store %q", kind)
	}
	tg.args = append(args, extra...)
	tg.wp = testenv.StartWikipub(t, port, tg.args...)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("wikipub (%s) log tail:\n%s", kind, tg.wp.Tail(60))
		}
	})
	return tg
}

// restart stops the process and starts it again on the same store.
func (tg *target) restart(t testing.TB) {
	t.Helper()
	tg.wp.Stop()
	tg.wp = testenv.StartWikipub(t, tg.port, tg.args...)
}

// eachStore runs test against a fresh wikipub per store, in parallel, over
// one shared wiki; "{store}" in an extra flag becomes the store's kind.
func eachStore(t *testing.T, f *fixture, extra []string, test func(t *testing.T, tg *target)) {
	t.Helper()
	for _, kind := range storeKinds {
		args := make([]string, len(extra))
		for i, a := range extra {
			args[i] = strings.ReplaceAll(a, "{store}", kind)
		}
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			test(t, startTarget(t, f, kind, args...))
		})
	}
}

// inbox is wikipub's shared inbox.
func (tg *target) inbox() string { return tg.base + "/ap/inbox" }

// pageActor and userActor are the ids of the fixture's page and editor.
func (tg *target) pageActor() string {
	return tg.base + "/ap/page/" + strconv.FormatInt(tg.f.pageID, 10)
}
func (tg *target) userActor() string {
	return tg.base + "/ap/user/" + strconv.FormatInt(tg.f.editorID, 10)
}

// editorPost is the id of the editor's post (their revision).
func (tg *target) editorPost() string {
	return tg.base + "/ap/rev/" + strconv.FormatInt(tg.f.editorRev, 10)
}

// httpClient is the suite's client: short timeouts, no redirects followed.
var httpClient = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// do sends req and returns the status and (up to 64 KB of) the body.
func do(t testing.TB, req *http.Request) (int, string) {
	t.Helper()
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, string(b)
}

// deliver POSTs an activity to wikipub's inbox, signed by a with its key,
// and returns the status and body.
func (a *person) deliver(t testing.TB, inbox string, act map[string]any) (int, string) {
	t.Helper()
	return sendAs(t, inbox, act, a.keyID, a.key)
}

// sendAs POSTs act signed with key under keyID.
func sendAs(t testing.TB, inbox string, act map[string]any, keyID string, key *rsa.PrivateKey) (int, string) {
	t.Helper()
	body, err := json.Marshal(act)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, signedPost(t, inbox, body, keyID, key, signOpts{}))
}

// wantStatus fails unless code is want.
func wantStatus(t testing.TB, what string, code int, body string, want int) {
	t.Helper()
	if code != want {
		t.Fatalf("%s: status %d (%s), want %d", what, code, strings.TrimSpace(body), want)
	}
}

// checkStatus reports (and goes on) unless code is want, so that what the
// request did is checked too.
func checkStatus(t testing.TB, what string, code int, body string, want int) {
	t.Helper()
	if code != want {
		t.Errorf("%s: status %d (%s), want %d", what, code, strings.TrimSpace(body), want)
	}
}

// getJSON GETs an ActivityPub document from wikipub.
func getJSON(t testing.TB, u string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "application/activity+json")
	code, body := do(t, req)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, code, body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("GET %s: %v: %s", u, err, body)
	}
	return m
}

// collection is the first page of a collection of wikipub's: its total
// and the ids it lists.
func (tg *target) collection(t testing.TB, u string) (int, []string) {
	t.Helper()
	page := getJSON(t, u+"?page=true")
	total, _ := page["totalItems"].(float64)
	var ids []string
	items, _ := page["orderedItems"].([]any)
	for _, it := range items {
		switch x := it.(type) {
		case string:
			ids = append(ids, x)
		case map[string]any:
			s, _ := x["id"].(string)
			ids = append(ids, s)
		}
	}
	return int(total), ids
}

// followers lists who follows one of wikipub's actors.
func (tg *target) followers(t testing.TB, actor string) []string {
	t.Helper()
	_, ids := tg.collection(t, actor+"/followers")
	return ids
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// logLines are wikipub's JSON log records so far.
func (tg *target) logLines() []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(tg.wp.Log()))
	sc.Buffer(make([]byte, 0, 1<<20), 8<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// talkPage is the wikitext of the editor's talk page ("" when absent).
func (tg *target) talkPage(t testing.TB) string {
	t.Helper()
	q := url.Values{"action": {"parse"}, "format": {"json"}, "formatversion": {"2"}, "prop": {"wikitext"}, "page": {"User talk:" + tg.f.editor}}
	resp, err := http.Get(tg.f.w.API + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans struct {
		Parse struct {
			Wikitext string `json:"wikitext"`
		} `json:"parse"`
	}
	b, _ := io.ReadAll(resp.Body)
	_ = json.NewDecoder(bytes.NewReader(b)).Decode(&ans)
	return ans.Parse.Wikitext
}

// refusals is wikipub_inbox_refusals_total{reason} from /metrics.
func (tg *target) refusals(t testing.TB, reason string) float64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, tg.base+"/metrics", nil)
	code, body := do(t, req)
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", code)
	}
	prefix := `wikipub_inbox_refusals_total{reason="` + reason + `"} `
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("metric line %q: %v", line, err)
			}
			return n
		}
	}
	t.Fatalf("/metrics has no %s", prefix)
	return 0
}

// warned reports whether wikipub logged a refusal for reason at WARN.
func (tg *target) warned(reason string) bool {
	for _, l := range tg.logLines() {
		if l["level"] == "WARN" && l["reason"] == reason {
			return true
		}
	}
	return false
}

// adminSees fails unless refusals for reason were counted at least n
// times and logged at WARN: what an admin needs to see that a server
// cannot talk to us, and why.
func (tg *target) adminSees(t testing.TB, reason string, n float64) {
	t.Helper()
	if got := tg.refusals(t, reason); got < n {
		t.Errorf("wikipub_inbox_refusals_total{reason=%q} = %v, want at least %v", reason, got, n)
	}
	if !tg.warned(reason) {
		t.Errorf("no WARN log line with reason %q", reason)
	}
}

// api asks the wiki's API (formatversion 2) and decodes the answer.
func (f *fixture) api(t testing.TB, q url.Values, out any) {
	t.Helper()
	q.Set("format", "json")
	q.Set("formatversion", "2")
	resp, err := http.Get(f.w.API + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// pageIDs are the ids of the pages prefix+"0" … prefix+(n-1).
func (f *fixture) pageIDs(t testing.TB, prefix string, n int) []int64 {
	t.Helper()
	var ids []int64
	for start := 0; start < n; start += 50 {
		var titles []string
		for i := start; i < min(n, start+50); i++ {
			titles = append(titles, prefix+strconv.Itoa(i))
		}
		var ans struct {
			Query struct {
				Pages []struct {
					PageID  int64 `json:"pageid"`
					Missing bool  `json:"missing"`
				} `json:"pages"`
			} `json:"query"`
		}
		f.api(t, url.Values{"action": {"query"}, "titles": {strings.Join(titles, "|")}}, &ans)
		for _, p := range ans.Query.Pages {
			if p.Missing || p.PageID == 0 {
				t.Fatalf("a page %s… is missing", prefix)
			}
			ids = append(ids, p.PageID)
		}
	}
	return ids
}

// revisions are the sizes of a page's revisions, newest first (none when
// the page does not exist).
func (f *fixture) revisions(t testing.TB, title string) []int {
	t.Helper()
	var ans struct {
		Query struct {
			Pages []struct {
				Revisions []struct {
					Size int `json:"size"`
				} `json:"revisions"`
			} `json:"pages"`
		} `json:"query"`
	}
	f.api(t, url.Values{"action": {"query"}, "prop": {"revisions"}, "rvprop": {"size"}, "rvlimit": {"50"}, "titles": {title}}, &ans)
	var sizes []int
	for _, p := range ans.Query.Pages {
		for _, r := range p.Revisions {
			sizes = append(sizes, r.Size)
		}
	}
	return sizes
}
