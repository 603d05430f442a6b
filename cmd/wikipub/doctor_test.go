package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/internal/testenv"
)

// runDoctor runs `wikipub doctor` in-process with no environment.
func runDoctor(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, append([]string{"doctor"}, args...), func(string) string { return "" }, &out, &errOut)
	if errOut.Len() > 0 {
		t.Logf("stderr: %s", errOut.String())
	}
	t.Logf("wikipub doctor %s → %d\n%s", strings.Join(args, " "), code, out.String())
	return code, out.String()
}

// doctorLine returns the line of one check, or "".
func doctorLine(out, check string) string {
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 6 && strings.HasPrefix(l[6:], check+": ") {
			return l
		}
	}
	return ""
}

func wantDoctorLine(t *testing.T, out, check, status string, contains ...string) {
	t.Helper()
	l := doctorLine(out, check)
	if l == "" {
		t.Errorf("no %q check in the output:\n%s", check, out)
		return
	}
	if got := strings.TrimSpace(l[:4]); got != status {
		t.Errorf("%s: status %s, want %s: %s", check, got, status, l)
	}
	for _, c := range contains {
		if !strings.Contains(l, c) {
			t.Errorf("%s: the line does not say %q: %s", check, c, l)
		}
	}
}

func closedPortURL(t *testing.T) string {
	t.Helper()
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

func TestDoctorWrongWiki(t *testing.T) {
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html><html><body>Welcome to the wiki</body></html>")
	}))
	defer html.Close()

	for _, tc := range []struct {
		name, wiki, says string
	}{
		{"html page", html.URL + "/wiki/Main_Page", "is not a MediaWiki API"},
		{"closed port", closedPortURL(t) + "/w/api.php", "cannot reach the MediaWiki API"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runDoctor(t, "--wiki", tc.wiki, "--public-url", closedPortURL(t),
				"--data", filepath.Join(t.TempDir(), "none.db"))
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			wantDoctorLine(t, out, "wiki API", "FAIL", tc.says, "fix: give --wiki", "api.php")
			// What needs the wiki is skipped, not failed again.
			wantDoctorLine(t, out, "bot login", "SKIP")
			wantDoctorLine(t, out, "webfinger", "SKIP")
			wantDoctorLine(t, out, "store", "WARN", "no store file")
		})
	}
}

func TestDoctor(t *testing.T) {
	w := testenv.MediaWiki(t)
	w.Login(t).Edit(t, "Doctor Page", "A page for wikipub doctor to look up.", "setup")
	dir := t.TempDir()

	t.Run("unreachable public URL", func(t *testing.T) {
		db := filepath.Join(dir, "idle.db")
		st, err := boltstore.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		public := closedPortURL(t)
		code, out := runDoctor(t, "--wiki", w.API, "--public-url", public,
			"--bot-user", w.BotUser, "--bot-password", w.BotPass, "--data", db)
		if code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
		wantDoctorLine(t, out, "wiki API", "OK", w.API)
		wantDoctorLine(t, out, "bot login", "OK", w.BotUser)
		wantDoctorLine(t, out, "right edit", "OK")
		wantDoctorLine(t, out, "right createtalk", "OK")
		wantDoctorLine(t, out, "clock", "OK")
		wantDoctorLine(t, out, "store", "OK", "0 deliveries queued", "no wikipub has it open")
		wantDoctorLine(t, out, "public URL", "WARN", "not https")
		wantDoctorLine(t, out, "webfinger", "FAIL", "cannot reach "+public, "fix:")
		wantDoctorLine(t, out, "nodeinfo", "SKIP", "not reachable")
		wantDoctorLine(t, out, "page URL, ActivityPub", "SKIP", "not reachable")
	})

	// A real wikipub behind a proxy that is either right or sends wiki
	// page URLs to "MediaWiki" whatever the Accept header says.
	var broken atomic.Bool
	var upstream atomic.Pointer[httputil.ReverseProxy]
	fakeMW := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		io.WriteString(w, "<!DOCTYPE html><html><head><title>MediaWiki</title></head><body>a wiki page</body></html>")
	})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		toWikipub := strings.HasPrefix(p, "/.well-known/") || strings.HasPrefix(p, "/nodeinfo/") ||
			strings.HasPrefix(p, "/ap/") || strings.HasPrefix(p, "/@") || p == "/healthz"
		if strings.HasPrefix(p, "/wiki/") && strings.Contains(r.Header.Get("Accept"), "application/activity+json") && !broken.Load() {
			toWikipub = true
		}
		if toWikipub {
			upstream.Load().ServeHTTP(w, r)
			return
		}
		fakeMW.ServeHTTP(w, r)
	}))
	defer proxy.Close()

	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	db := filepath.Join(dir, "wikipub.db")
	d := startDaemon(t, filepath.Join(dir, "wikipub.log"),
		"--wiki", w.API, "--listen", listen, "--public-url", proxy.URL, "--data", db, "--log-format", "json")
	target, _ := url.Parse("http://" + listen)
	upstream.Store(httputil.NewSingleHostReverseProxy(target))
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + listen + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-d.exited:
			t.Fatalf("wikipub exited: %v", d.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("wikipub did not answer /healthz within 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	args := []string{"--wiki", w.API, "--public-url", proxy.URL, "--bot-user", w.BotUser, "--bot-password", w.BotPass, "--data", db}

	t.Run("broken proxy rule", func(t *testing.T) {
		broken.Store(true)
		code, out := runDoctor(t, args...)
		if code != 1 {
			t.Errorf("exit code %d, want 1", code)
		}
		wantDoctorLine(t, out, "store", "OK", "in use by a running wikipub (fine)")
		wantDoctorLine(t, out, "webfinger", "OK", proxy.URL+"/ap/page/")
		wantDoctorLine(t, out, "nodeinfo", "OK", "wikipub")
		wantDoctorLine(t, out, "page URL, ActivityPub", "FAIL", "text/html",
			"the proxy sends ActivityPub requests for wiki pages to MediaWiki; see deploy/README.md")
	})

	t.Run("healthy", func(t *testing.T) {
		broken.Store(false)
		code, out := runDoctor(t, args...)
		if code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
		if strings.Contains(out, "FAIL") {
			t.Errorf("a check failed:\n%s", out)
		}
		// The main page stands for the wiki's own account.
		wantDoctorLine(t, out, "page URL, ActivityPub", "OK", "the wiki's own account "+proxy.URL+"/ap/wiki")
		// The test wiki's $wgServer is its own address, not the proxy's.
		wantDoctorLine(t, out, "wiki server", "WARN", "$wgServer")
		wantDoctorLine(t, out, "page URL, browsers", "SKIP")
	})
}

// fakeMediaWiki answers siteinfo like MediaWiki, with its clock off by
// skew, and knows no pages.
func fakeMediaWiki(skew time.Duration) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		q := r.URL.Query()
		switch {
		case q.Get("meta") == "siteinfo":
			fmt.Fprintf(w, `{"batchcomplete":true,"query":{"general":{"sitename":"Fake","server":"http://wiki.invalid","articlepath":"/wiki/$1","script":"/w/index.php","generator":"MediaWiki 1.39.0","mainpage":"Main Page","time":%q},"namespaces":{"0":{"id":0,"case":"first-letter","name":"","content":true}},"namespacealiases":[]}}`,
				time.Now().Add(skew).UTC().Format(time.RFC3339))
		case q.Get("prop") == "info":
			io.WriteString(w, `{"batchcomplete":true,"query":{"pages":[{"ns":0,"title":"Main Page","missing":true}]}}`)
		default:
			io.WriteString(w, `{"batchcomplete":true,"query":{"allpages":[]}}`)
		}
	}))
}

func TestDoctorClockSkew(t *testing.T) {
	for _, tc := range []struct {
		skew   time.Duration
		status string
		says   string
	}{
		{5 * time.Minute, "FAIL", "ahead of"},
		{-3 * time.Minute, "FAIL", "behind"},
		{10 * time.Second, "OK", "agree within"},
	} {
		t.Run(tc.skew.String(), func(t *testing.T) {
			mw := fakeMediaWiki(tc.skew)
			defer mw.Close()
			_, out := runDoctor(t, "--wiki", mw.URL+"/w/api.php", "--public-url", closedPortURL(t),
				"--data", filepath.Join(t.TempDir(), "none.db"))
			wantDoctorLine(t, out, "wiki API", "OK")
			if tc.status == "FAIL" {
				wantDoctorLine(t, out, "clock", "FAIL", tc.says, "HTTP signatures", "fix: synchronise")
			} else {
				wantDoctorLine(t, out, "clock", "OK", tc.says)
			}
			// A wiki without pages leaves nothing to look up.
			wantDoctorLine(t, out, "webfinger", "SKIP", "no page")
			wantDoctorLine(t, out, "bot login", "WARN", "no bot password")
		})
	}
}
