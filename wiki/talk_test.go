package wiki

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeEditWiki answers a logged-in client's login, token, userinfo,
// revisions and edit requests; editAnswer decides what each edit gets.
type fakeEditWiki struct {
	mu    sync.Mutex
	edits int
	// saved are the revisions the fake holds, as the revisions query
	// returns them.
	saved []string
	// editAnswer returns the HTTP status and body for the nth edit (1-based)
	// and whether it saved a revision.
	editAnswer func(n int) (status int, body string, saved bool)
	// revFails and tokenFails are how many revisions queries and csrf
	// token requests fail with HTTP 500 first.
	revFails, tokenFails int
	// target is the page record the pre-write check (prop=info) returns;
	// empty means an existing page the bot may edit.
	target string
}

const writableTarget = `{"ns":3,"title":"User talk:X","protection":[],"actions":{"edit":[],"create":[]}}`

// failing counts down *n and reports whether this request should fail.
func (f *fakeEditWiki) failing(n *int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if *n > 0 {
		*n--
		return true
	}
	return false
}

func (f *fakeEditWiki) handle(w http.ResponseWriter, r *http.Request) {
	q := r.Form
	switch {
	case q.Get("meta") == "tokens" && q.Get("type") == "login":
		writeJSON(w, `{"query":{"tokens":{"logintoken":"lt+\\"}}}`)
	case q.Get("action") == "login":
		writeJSON(w, `{"login":{"result":"Success","lgusername":"Bot"}}`)
	case q.Get("meta") == "tokens" && f.failing(&f.tokenFails):
		http.Error(w, "boom", http.StatusInternalServerError)
	case q.Get("prop") == "revisions" && f.failing(&f.revFails):
		http.Error(w, "boom", http.StatusInternalServerError)
	case q.Get("meta") == "tokens":
		writeJSON(w, `{"query":{"tokens":{"csrftoken":"ct+\\"}}}`)
	case q.Get("prop") == "info":
		f.mu.Lock()
		target := f.target
		f.mu.Unlock()
		if target == "" {
			target = writableTarget
		}
		writeJSON(w, `{"query":{"pages":[`+target+`]}}`)
	case q.Get("meta") == "userinfo":
		writeJSON(w, `{"query":{"userinfo":{"id":1,"name":"Bot","rights":["edit","bot"]}}}`)
	case q.Get("prop") == "revisions":
		f.mu.Lock()
		defer f.mu.Unlock()
		writeJSON(w, `{"query":{"pages":[{"title":"User talk:X","revisions":[`+strings.Join(f.saved, ",")+`]}]}}`)
	case q.Get("action") == "edit":
		f.mu.Lock()
		f.edits++
		status, body, saved := f.editAnswer(f.edits)
		if saved {
			ts := time.Now().UTC().Format(time.RFC3339)
			f.saved = append([]string{`{"revid":7,"user":"Bot","comment":"` + q.Get("summary") + `","timestamp":"` + ts + `"}`}, f.saved...)
		}
		f.mu.Unlock()
		if status != http.StatusOK {
			http.Error(w, "boom", status)
			return
		}
		writeJSON(w, body)
	default:
		http.Error(w, "unexpected "+q.Encode(), http.StatusTeapot)
	}
}

// editCount is how many edits the fake received.
func (f *fakeEditWiki) editCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.edits
}

func newEditClient(t *testing.T, f *fakeEditWiki) (*Client, *fakeAPI) {
	t.Helper()
	api := newFakeAPI(t, f.handle)
	cfg := testConfig(api.URL)
	cfg.BotUser, cfg.BotPassword = "Bot@test", "secret"
	c, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, api
}

const editOK = `{"edit":{"result":"Success","newrevid":8}}`

func TestTalkSectionParams(t *testing.T) {
	f := &fakeEditWiki{editAnswer: func(int) (int, string, bool) { return 200, editOK, true }}
	c, api := newEditClient(t, f)
	rev, err := c.AddTalkSection(context.Background(), "User talk:X", "Re: [[x]] ~~~~\nline", "body", "Reply [1]\nfrom bob", true)
	if err != nil || rev != 8 {
		t.Fatalf("AddTalkSection = %d, %v", rev, err)
	}
	var edit *apiRequest
	for _, r := range api.requests() {
		if r.Form.Get("action") == "edit" {
			edit = &r
		}
	}
	if edit == nil || edit.Method != http.MethodPost {
		t.Fatalf("edit request %+v: want a POST", edit)
	}
	want := map[string]string{
		"title": "User talk:X", "section": "new", "text": "body", "token": "ct+\\",
		"sectiontitle": "Re&#58; &#91;&#91;x&#93;&#93; &#126;&#126;&#126;&#126; line",
		"summary":      "Reply &#91;1&#93; from bob",
		"bot":          "1", "assert": "user", "watchlist": "nochange", "nocreate": "1",
	}
	for k, v := range want {
		if got := edit.Form.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if edit.Form.Has("redirect") || edit.Form.Has("createonly") {
		t.Errorf("edit %v: redirects are never followed, and the page exists", edit.Form)
	}

	// A page that does not exist yet is created, and only created.
	f.target = `{"ns":3,"title":"User talk:X","missing":true,"protection":[],"actions":{"edit":[],"create":[]}}`
	if _, err := c.AddTalkSection(context.Background(), "User talk:X", "T", "body", "new page", false); err != nil {
		t.Fatal(err)
	}
	for _, r := range api.requests() {
		if r.Form.Get("action") == "edit" && r.Form.Get("summary") == "new page" && (r.Form.Get("createonly") != "1" || r.Form.Has("nocreate")) {
			t.Errorf("edit of a missing page %v: want createonly", r.Form)
		}
	}
	f.target = ""

	if _, err := c.AddTalkSection(context.Background(), "User talk:X", "T", "body", "s", false); err != nil {
		t.Fatal(err)
	}
	for _, r := range api.requests() {
		if r.Form.Get("action") == "edit" && r.Form.Get("summary") == "s" && r.Form.Has("bot") {
			t.Error("bot is set although not asked for")
		}
	}
}

// TestTalkSectionRetry checks what is retried: an edit whose answer is lost
// is looked for before it is sent again, so no section is posted twice.
func TestTalkSectionRetry(t *testing.T) {
	cases := []struct {
		name      string
		answer    func(n int) (int, string, bool)
		wantRev   int64
		wantEdits int
		refused   bool
		// revFails and tokenFails set the fake's failures.
		revFails, tokenFails int
		// target is what the pre-write check finds ("" writable).
		target string
	}{
		{"redirect refused before writing", func(n int) (int, string, bool) { return 200, editOK, true }, 0, 0, true, 0, 0,
			`{"ns":3,"title":"User talk:X","redirect":true,"protection":[],"actions":{"edit":[]}}`},
		{"protected page refused before writing", func(n int) (int, string, bool) { return 200, editOK, true }, 0, 0, true, 0, 0,
			`{"ns":3,"title":"User talk:X","protection":[{"type":"edit","level":"autoconfirmed","expiry":"infinity"}],"actions":{"edit":[]}}`},
		{"cascading protection refused before writing", func(n int) (int, string, bool) { return 200, editOK, true }, 0, 0, true, 0, 0,
			`{"ns":3,"title":"User talk:X","protection":[{"type":"edit","level":"sysop","expiry":"infinity","source":"Main Page"}],"actions":{"edit":[]}}`},
		{"create protection refused before writing", func(n int) (int, string, bool) { return 200, editOK, true }, 0, 0, true, 0, 0,
			`{"ns":3,"title":"User talk:X","missing":true,"protection":[{"type":"create","level":"sysop","expiry":"infinity"}],"actions":{"edit":[],"create":[]}}`},
		{"blocked bot refused before writing", func(n int) (int, string, bool) { return 200, editOK, true }, 0, 0, true, 0, 0,
			`{"ns":3,"title":"User talk:X","protection":[],"actions":{"edit":[{"code":"blocked","text":"You are blocked."}]}}`},
		{"move protection does not matter", func(n int) (int, string, bool) { return 200, editOK, true }, 8, 1, false, 0, 0,
			`{"ns":3,"title":"User talk:X","protection":[{"type":"move","level":"sysop","expiry":"infinity"}],"actions":{"edit":[]}}`},
		{"invalid title refused", func(n int) (int, string, bool) { return 200, editOK, true }, 0, 0, true, 0, 0,
			`{"title":"User talk:X","invalid":true,"invalidreason":"bad"}`},
		{"unknown API error refused", func(n int) (int, string, bool) {
			return 200, `{"error":{"code":"some-extension-says-no","info":"no"}}`, false
		}, 0, 1, true, 0, 0, ""},
		{"page created between check and edit: checked again", func(n int) (int, string, bool) {
			if n == 1 {
				return 200, `{"error":{"code":"articleexists","info":"exists"}}`, false
			}
			return 200, editOK, true
		}, 8, 2, false, 0, 0, ""},
		{"answer lost after save", func(n int) (int, string, bool) {
			return 500, "", true
		}, 7, 1, false, 0, 0, ""},
		{"answer lost before save", func(n int) (int, string, bool) {
			if n == 1 {
				return 502, "", false
			}
			return 200, editOK, true
		}, 8, 2, false, 0, 0, ""},
		{"maxlag retried", func(n int) (int, string, bool) {
			if n == 1 {
				return 200, `{"error":{"code":"maxlag","info":"lagged","lag":0.1}}`, false
			}
			return 200, editOK, true
		}, 8, 2, false, 0, 0, ""},
		{"session lost", func(n int) (int, string, bool) {
			if n == 1 {
				return 200, `{"error":{"code":"badtoken","info":"Invalid CSRF token."}}`, false
			}
			return 200, editOK, true
		}, 8, 2, false, 0, 0, ""},
		{"protected", func(n int) (int, string, bool) {
			return 200, `{"error":{"code":"protectedpage","info":"protected"}}`, false
		}, 0, 1, true, 0, 0, ""},
		{"spam filter", func(n int) (int, string, bool) {
			return 200, `{"edit":{"result":"Failure","spamblacklist":"evil.example"}}`, false
		}, 0, 1, true, 0, 0, ""},
		{"always lost", func(n int) (int, string, bool) {
			return 503, "", false
		}, 0, 3, false, 0, 0, ""},
		// The client's own reads retry twice, so three failures make the
		// first look fail; the next attempt looks again before editing.
		{"answer lost, history unreadable at first", func(n int) (int, string, bool) {
			return 500, "", true
		}, 7, 1, false, 3, 0, ""},
		{"no token", func(n int) (int, string, bool) {
			return 200, editOK, true
		}, 8, 1, false, 0, 1, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeEditWiki{editAnswer: tc.answer, target: tc.target}
			c, _ := newEditClient(t, f)
			f.revFails, f.tokenFails = tc.revFails, tc.tokenFails
			rev, err := c.AddTalkSection(context.Background(), "User talk:X", "T", "body", "Reply 42", false)
			if n := f.editCount(); rev != tc.wantRev || n != tc.wantEdits {
				t.Errorf("AddTalkSection = %d, %v after %d edits; want %d after %d", rev, err, n, tc.wantRev, tc.wantEdits)
			}
			if (tc.wantRev == 0) != (err != nil) {
				t.Errorf("error %v", err)
			}
			if errors.Is(err, ErrEditRefused) != tc.refused {
				t.Errorf("error %v: ErrEditRefused %v, want %v", err, errors.Is(err, ErrEditRefused), tc.refused)
			}
			if err != nil && !strings.Contains(err.Error(), `"User talk:X"`) {
				t.Errorf("error %q does not name the page", err)
			}
		})
	}
}
