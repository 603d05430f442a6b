package wiki

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cgt.name/pkg/go-mwclient/params"
)

func parseParams() params.Values {
	return params.Values{"action": "parse", "page": "Foo", "prop": "text"}
}

const parseOK = `{"parse":{"title":"Foo","pageid":10,"text":"<p>hi</p>"}}`

type parseAnswer struct {
	Parse struct {
		Title  string `json:"title"`
		PageID int    `json:"pageid"`
	} `json:"parse"`
}

func TestNewReadsSiteInfo(t *testing.T) {
	api := newFakeAPI(t, nil)
	c := newTestClient(t, api.URL)

	s := c.Site()
	if s.Server != "https://x.org" || s.SiteName != "X Wiki" || s.Generator != "MediaWiki 1.39.17" || s.ArticlePath != "/wiki/$1" {
		t.Errorf("site %+v", *s)
	}
	if len(s.Namespaces) != 11 || s.Namespaces[4].Name != "X Wiki" || s.Namespaces[4].Canonical != "Project" {
		t.Errorf("namespaces %+v", s.Namespaces)
	}
	if !reflect.DeepEqual(s.Namespaces[6].Aliases, []string{"Image"}) {
		t.Errorf("File aliases %v, want [Image]", s.Namespaces[6].Aliases)
	}
	if ns, _ := s.SplitTitle("Image:X.jpg"); ns.ID != 6 {
		t.Errorf("Image:X.jpg in namespace %d, want 6", ns.ID)
	}
	if got, want := s.PageURL("Talk:C++"), "https://x.org/wiki/Talk:C%2B%2B"; got != want {
		t.Errorf("PageURL = %q, want %q", got, want)
	}
	if c.LoggedIn() {
		t.Error("LoggedIn without a bot password")
	}

	reqs := api.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	got := map[string]string{}
	for k, v := range reqs[0].Form {
		got[k] = strings.Join(v, "\x00")
	}
	want := map[string]string{
		"action": "query", "meta": "siteinfo", "siprop": "general|namespaces|namespacealiases|extensions",
		"format": "json", "formatversion": "2", "maxlag": "5",
	}
	if !reflect.DeepEqual(got, want) || reqs[0].Method != http.MethodGet {
		t.Errorf("siteinfo request %s %v, want GET %v", reqs[0].Method, got, want)
	}
}

// go-mwclient appends its own name to the User-Agent it is given; the
// client replaces that with the configured one, on every request.
func TestUserAgent(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, parseOK) })
	c := newTestClient(t, api.URL)
	if err := c.Get(context.Background(), parseParams(), nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Post(context.Background(), parseParams(), nil); err != nil {
		t.Fatal(err)
	}
	reqs := api.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if !strings.Contains(r.UserAgent, testUA) {
			t.Errorf("request %d: User-Agent %q does not contain %q", i, r.UserAgent, testUA)
		}
		t.Logf("request %d: User-Agent sent: %q", i, r.UserAgent)
	}
}

func TestPostSendsAForm(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, parseOK) })
	c := newTestClient(t, api.URL)
	var out parseAnswer
	if err := c.Post(context.Background(), parseParams(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Parse.Title != "Foo" || out.Parse.PageID != 10 {
		t.Errorf("decoded %+v", out)
	}
	r := api.requests()[1]
	if r.Method != http.MethodPost || r.Form.Get("action") != "parse" || r.Form.Get("page") != "Foo" || r.Form.Get("format") != "json" {
		t.Errorf("request %s %v, want a POST of action=parse", r.Method, r.Form)
	}
}

func TestNewConfigErrors(t *testing.T) {
	for _, tt := range []struct{ api, want string }{
		{"", "no API URL given"},
		{"ftp://wiki.example/w/api.php", `"ftp://wiki.example/w/api.php" must start with http:// or https://`},
		{"wiki.example/w/api.php", "must start with http:// or https://"},
	} {
		c, err := New(context.Background(), testConfig(tt.api))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%q) = %v, %v; want an error containing %q", tt.api, c, err, tt.want)
		}
	}
}

// A URL that answers with something other than the API fails at once, with
// a message that says so, and without retries.
func TestNewNotAnAPI(t *testing.T) {
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		want   []string
	}{
		{"HTML page", 200, "text/html", "<!DOCTYPE html><html><body>Main Page</body></html>", []string{"is not a MediaWiki API", "did not answer with JSON", "the URL should end in api.php", "<!DOCTYPE html>"}},
		{"404 page", 404, "text/html", "<html>Not Found</html>", []string{"is not a MediaWiki API", "did not answer with JSON"}},
		{"empty answer", 200, "text/plain", "", []string{"is not a MediaWiki API", "did not answer with JSON"}},
		{"JSON of something else", 200, "application/json", `{"status":"ok"}`, []string{"is not a MediaWiki API", "returned JSON without query.general"}},
		{"JSON array", 200, "application/json", `[1,2]`, []string{"is not a MediaWiki API"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			cfg := testConfig(srv.URL + "/wiki/Main_Page")
			cfg.Retries = 4
			cfg.RetryBase = time.Second // a retry would show in the time taken
			start := time.Now()
			c, err := New(context.Background(), cfg)
			if err == nil {
				t.Fatalf("New succeeded: %+v", c.Site())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if got := n.Load(); got != 1 {
				t.Errorf("%d requests, want 1 (no retries)", got)
			}
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("New took %v, want an immediate failure", d)
			}
		})
	}
}

func TestNewAPIErrorOnSiteInfo(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, `{"error":{"code":"readapidenied","info":"You need read permission to use this module."}}`)
	})
	_, err := New(context.Background(), testConfig(srv.URL))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "readapidenied" {
		t.Fatalf("error %v, want an *APIError readapidenied", err)
	}
	if !strings.Contains(err.Error(), "answered with an API error") {
		t.Errorf("error %q does not say the API answered with an error", err)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1", n.Load())
	}
}

func TestNewConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	api := "http://" + addr + "/w/api.php"

	start := time.Now()
	c, err := New(context.Background(), testConfig(api))
	if err == nil {
		t.Fatalf("New succeeded: %+v", c.Site())
	}
	for _, want := range []string{"cannot reach the MediaWiki API", "GET " + api + "?action=query&meta=siteinfo", "connection refused"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("New took %v with 1 ms retries", d)
	}
}

// An unreachable wiki at start is retried: it is often still starting.
func TestNew5xxRetriedThenSucceeds(t *testing.T) {
	site := fixture(t, "siteinfo.json")
	var n atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		w.Write(site)
	})
	c, err := New(context.Background(), testConfig(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if c.Site().SiteName != "X Wiki" || n.Load() != 3 {
		t.Errorf("site %q after %d requests, want X Wiki after 3", c.Site().SiteName, n.Load())
	}
}

func TestGetRetriesServerErrors(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504, 429} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var n atomic.Int32
			api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) <= 2 {
					// A JSON body on a 5xx must not be taken as the answer.
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(status)
					w.Write([]byte(parseOK))
					return
				}
				writeJSON(w, `{"parse":{"title":"Foo","pageid":11}}`)
			})
			c := newTestClient(t, api.URL)
			var out parseAnswer
			if err := c.Get(context.Background(), parseParams(), &out); err != nil {
				t.Fatal(err)
			}
			if out.Parse.PageID != 11 {
				t.Errorf("decoded %+v, want the answer after the failures", out)
			}
			if got := api.count("parse"); got != 3 {
				t.Errorf("%d parse requests, want 3", got)
			}
		})
	}
}

func TestGetGivesUpAfterRetries(t *testing.T) {
	for _, retries := range []int{-1, 1, 3} {
		api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down", http.StatusBadGateway)
		})
		c := newTestClient(t, api.URL)
		c.cfg.Retries = retries
		err := c.Get(context.Background(), parseParams(), nil)
		if err == nil {
			t.Fatalf("retries %d: no error", retries)
		}
		for _, want := range []string{"wiki: parse: ", "HTTP 502 Bad Gateway", "GET " + api.URL} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("retries %d: error %q does not contain %q", retries, err, want)
			}
		}
		want := max(retries, 0) + 1
		if got := api.count("parse"); got != want {
			t.Errorf("retries %d: %d requests, want %d", retries, got, want)
		}
	}
}

func TestAPIErrors(t *testing.T) {
	tests := []struct {
		code      string
		retryable bool
	}{
		{"badvalue", false},
		{"missingtitle", false},
		{"permissiondenied", false},
		{"internal_api_error_MWException", false},
		{"ratelimited", true},
		{"readonly", true},
		{"maxlag", true},
		{"internal_api_error_DBQueryError", true},
		{"internal_api_error_DBConnectionError", true},
		{"internal_api_error_DBQueryTimeoutError", true},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			var n atomic.Int32
			api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					writeJSON(w, `{"error":{"code":"`+tt.code+`","info":"details of `+tt.code+`","docref":"See api.php"},"servedby":"mw1"}`)
					return
				}
				writeJSON(w, parseOK)
			})
			c := newTestClient(t, api.URL)
			err := c.Get(context.Background(), parseParams(), nil)
			if tt.retryable {
				if err != nil || api.count("parse") != 2 {
					t.Errorf("error %v after %d requests, want success after 2", err, api.count("parse"))
				}
				return
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v (%T), want an *APIError", err, err)
			}
			if *apiErr != (APIError{Code: tt.code, Info: "details of " + tt.code}) {
				t.Errorf("APIError %+v", *apiErr)
			}
			if want := "wiki: parse: API error " + tt.code + ": details of " + tt.code; err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
			if got := api.count("parse"); got != 1 {
				t.Errorf("%d requests, want 1 (not retried)", got)
			}
		})
	}
}

func TestRetriedErrorThenGivesUpWithAPIError(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, `{"error":{"code":"ratelimited","info":"slow down"}}`)
	})
	c := newTestClient(t, api.URL)
	err := c.Get(context.Background(), parseParams(), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "ratelimited" {
		t.Fatalf("error %v, want *APIError ratelimited", err)
	}
	if got := api.count("parse"); got != 3 {
		t.Errorf("%d requests, want 3 (1 + 2 retries)", got)
	}
}

// A wiki that answers with HTML once it is known to be an API (a proxy's
// error page) is retried.
func TestHTMLAnswerLaterIsRetried(t *testing.T) {
	var n atomic.Int32
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>maintenance</html>"))
			return
		}
		writeJSON(w, parseOK)
	})
	c := newTestClient(t, api.URL)
	if err := c.Get(context.Background(), parseParams(), nil); err != nil {
		t.Fatal(err)
	}
	if got := api.count("parse"); got != 2 {
		t.Errorf("%d requests, want 2", got)
	}
}

// A lagged wiki (X-Database-Lag) comes back as a retryable maxlag APIError;
// go-mwclient's own maxlag loop is off (it sleeps without the context), so
// each try is one request.
func TestMaxlag(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Database-Lag", "7")
		w.Header().Set("Retry-After", "0")
		writeJSON(w, `{"error":{"code":"maxlag","info":"Waiting for 10.0.0.1: 7 seconds lagged.","lag":0.01}}`)
	})
	c := newTestClient(t, api.URL)
	c.cfg.Retries = 1
	err := c.Get(context.Background(), parseParams(), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "maxlag" {
		t.Fatalf("error %v, want *APIError maxlag", err)
	}
	if got := api.count("parse"); got != 2 {
		t.Errorf("%d requests, want 2", got)
	}
}

func TestContextCancelStopsACall(t *testing.T) {
	t.Run("during a request", func(t *testing.T) {
		api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		})
		c := newTestClient(t, api.URL)
		c.cfg.RetryBase = 10 * time.Second
		checkCancelled(t, c)
	})
	t.Run("while waiting to retry", func(t *testing.T) {
		api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "down", http.StatusServiceUnavailable)
		})
		c := newTestClient(t, api.URL)
		c.cfg.RetryBase = 10 * time.Second
		checkCancelled(t, c)
		if got := api.count("parse"); got != 1 {
			t.Errorf("%d requests, want 1", got)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, parseOK) })
		c := newTestClient(t, api.URL)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := c.Get(ctx, parseParams(), nil)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if got := api.count("parse"); got != 0 {
			t.Errorf("%d requests reached the wiki, want 0", got)
		}
	})
}

// A wiki that asks us to wait for its replicas (maxlag) must not hold a
// cancelled call for the Retry-After it names.
func TestContextCancelDuringMaxlagWait(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Database-Lag", "7")
		w.Header().Set("Retry-After", "3")
		writeJSON(w, `{"error":{"code":"maxlag","info":"Waiting for 10.0.0.1: 7 seconds lagged.","lag":7}}`)
	})
	c := newTestClient(t, api.URL)
	checkCancelled(t, c)
}

// checkCancelled cancels a Get after 50 ms and wants it back at once.
func checkCancelled(t *testing.T, c *Client) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	err := c.Get(ctx, parseParams(), nil)
	d := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if err != nil && !strings.HasPrefix(err.Error(), "wiki: parse: ") {
		t.Errorf("error %q does not name the action", err)
	}
	if d > time.Second {
		t.Errorf("Get returned %v after the call began, want promptly after the cancel at 50ms", d)
	}
}

func TestLoginAndReloginOnLostSession(t *testing.T) {
	var parses atomic.Int32
	var logins atomic.Int32
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Form.Get("meta") == "tokens" && r.Form.Get("type") == "login":
			writeJSON(w, `{"batchcomplete":true,"query":{"tokens":{"logintoken":"tok+\\"}}}`)
		case r.Form.Get("action") == "login":
			logins.Add(1)
			if r.Method != http.MethodPost || r.Form.Get("lgname") != "Bot@wikipub" || r.Form.Get("lgpassword") != "s3cret" || r.Form.Get("lgtoken") != `tok+\` {
				writeJSON(w, `{"login":{"result":"Failed","reason":"bad request"}}`)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "s1", Path: "/"})
			writeJSON(w, `{"login":{"result":"Success","lguserid":3,"lgusername":"Bot"}}`)
		case r.Form.Get("action") == "parse":
			if parses.Add(1) == 1 {
				writeJSON(w, `{"error":{"code":"assertuserfailed","info":"You are no longer logged in."}}`)
				return
			}
			if ck, err := r.Cookie("session"); err != nil || ck.Value != "s1" {
				writeJSON(w, `{"error":{"code":"assertuserfailed","info":"no session cookie"}}`)
				return
			}
			writeJSON(w, parseOK)
		default:
			http.Error(w, "unexpected", http.StatusTeapot)
		}
	})
	cfg := testConfig(api.URL)
	cfg.BotUser, cfg.BotPassword = "Bot@wikipub", "s3cret"
	c, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !c.LoggedIn() || logins.Load() != 1 {
		t.Fatalf("LoggedIn %v after %d logins, want true after 1", c.LoggedIn(), logins.Load())
	}
	if err := c.Get(context.Background(), parseParams(), nil); err != nil {
		t.Fatal(err)
	}
	if logins.Load() != 2 || parses.Load() != 2 {
		t.Errorf("%d logins and %d parse requests, want 2 and 2", logins.Load(), parses.Load())
	}
}

func TestLoginFailure(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Form.Get("meta") == "tokens":
			writeJSON(w, `{"batchcomplete":true,"query":{"tokens":{"logintoken":"tok+\\"}}}`)
		default:
			writeJSON(w, `{"login":{"result":"Failed","reason":"Incorrect username or password entered. Please try again."}}`)
		}
	})
	cfg := testConfig(api.URL)
	cfg.BotUser, cfg.BotPassword = "Bot@wikipub", "wrong"
	_, err := New(context.Background(), cfg)
	if err == nil {
		t.Fatal("New succeeded with a wrong password")
	}
	for _, want := range []string{`logging in as "Bot@wikipub"`, "Special:BotPasswords", "Incorrect username or password"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, body string
		wantErr    string
		notJSON    bool
	}{
		{"answer", parseOK, "", false},
		{"answer with warnings", `{"warnings":{"main":{"warnings":"Unrecognized parameter: foo."}},` + parseOK[1:], "", false},
		{"API error", `{"error":{"code":"badvalue","info":"Bad value."}}`, "API error badvalue: Bad value.", false},
		{"HTML", "<html>", "answer is not JSON", true},
		{"wrong shape", `{"parse":{"title":5}}`, "decoding API answer", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out parseAnswer
			err := decode([]byte(tt.body), &out)
			if tt.wantErr == "" {
				if err != nil || out.Parse.Title != "Foo" {
					t.Errorf("error %v, decoded %+v", err, out)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
			if errors.Is(err, errNotJSON) != tt.notJSON {
				t.Errorf("errors.Is(%v, errNotJSON) = %v", err, !tt.notJSON)
			}
		})
	}
	if err := decode([]byte(parseOK), nil); err != nil {
		t.Errorf("decode into nil: %v", err)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		base    time.Duration
		attempt int
		max     time.Duration
		lo, hi  time.Duration
	}{
		{time.Millisecond, 0, time.Minute, 500 * time.Microsecond, time.Millisecond},
		{time.Millisecond, 3, time.Minute, 4 * time.Millisecond, 8 * time.Millisecond},
		{time.Second, 10, time.Minute, 30 * time.Second, time.Minute},
		{time.Second, 1000, time.Minute, 30 * time.Second, time.Minute},
		{time.Hour, 62, time.Minute, 30 * time.Second, time.Minute},
	}
	for _, tt := range tests {
		for range 200 {
			d := backoff(tt.base, tt.attempt, tt.max)
			if d < tt.lo || d > tt.hi {
				t.Fatalf("backoff(%v, %d, %v) = %v, want within [%v, %v]", tt.base, tt.attempt, tt.max, d, tt.lo, tt.hi)
			}
		}
	}
}

func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// A session that is lost again right after logging in again is an error,
// not a loop.
func TestReloginOnlyOnce(t *testing.T) {
	var logins atomic.Int32
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Form.Get("meta") == "tokens":
			writeJSON(w, `{"batchcomplete":true,"query":{"tokens":{"logintoken":"tok+\\"}}}`)
		case r.Form.Get("action") == "login":
			if logins.Add(1) > 10 {
				writeJSON(w, `{"login":{"result":"Failed","reason":"stop"}}`)
				return
			}
			writeJSON(w, `{"login":{"result":"Success","lguserid":3,"lgusername":"Bot"}}`)
		default:
			writeJSON(w, `{"error":{"code":"assertbotfailed","info":"You do not have the bot right."}}`)
		}
	})
	cfg := testConfig(api.URL)
	cfg.BotUser, cfg.BotPassword = "Bot@wikipub", "s3cret"
	c, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Get(context.Background(), parseParams(), nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "assertbotfailed" {
		t.Errorf("error %v, want *APIError assertbotfailed", err)
	}
	if logins.Load() != 2 || api.count("parse") != 2 {
		t.Errorf("%d logins and %d parse requests, want 2 and 2", logins.Load(), api.count("parse"))
	}
}

// Answer types that embed APIErrorField are decoded in one pass.
func TestDecodeErrorCarrier(t *testing.T) {
	var ok rcResponse
	if err := decode(fixture(t, "rc_pages.json"), &ok); err != nil || len(ok.Query.RecentChanges) != 5 || ok.Continue.RCContinue != "20240501100010|106" {
		t.Errorf("error %v, %d rows, continue %q", err, len(ok.Query.RecentChanges), ok.Continue.RCContinue)
	}
	var withErr rcResponse
	err := decode([]byte(`{"error":{"code":"badvalue","info":"Bad rctype."}}`), &withErr)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || *apiErr != (APIError{Code: "badvalue", Info: "Bad rctype."}) {
		t.Errorf("error %v, want *APIError badvalue", err)
	}
	var html rcResponse
	if err := decode([]byte("<html>"), &html); !errors.Is(err, errNotJSON) {
		t.Errorf("error %v, want errNotJSON", err)
	}
}

// JSON of an unexpected shape is not "not JSON", whichever decoding path
// the answer type takes.
func TestDecodeErrorCarrierWrongShape(t *testing.T) {
	var out rcResponse
	err := decode([]byte(`{"query":{"recentchanges":[{"type":"edit","rcid":"12"}]}}`), &out)
	if err == nil || errors.Is(err, errNotJSON) || !strings.Contains(err.Error(), "decoding API answer") {
		t.Errorf("error %v, want a \"decoding API answer\" error that is not errNotJSON", err)
	}
	if retryable(err) {
		t.Errorf("a wrong shape is retryable")
	}
}
