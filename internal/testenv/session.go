package testenv

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cgt.name/pkg/go-mwclient/params"

	"github.com/wikipub/wikipub/wiki"
)

// Session makes real changes on a test wiki through its API, as a logged-in
// bot password, the way editors and admins would.
type Session struct {
	W *Wiki
	C *wiki.Client
}

// Login opens a session with the wiki's sysop bot password.
func (w *Wiki) Login(t testing.TB) *Session {
	t.Helper()
	return w.LoginAs(t, w.BotUser, w.BotPass)
}

// LoginAs opens a session with any bot password.
func (w *Wiki) LoginAs(t testing.TB, user, pass string) *Session {
	t.Helper()
	c, err := wiki.New(context.Background(), wiki.Config{
		API: w.API, UserAgent: "wikipub-tests", BotUser: user, BotPassword: pass,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("logging in to the test wiki as %s: %v", user, err)
	}
	return &Session{W: w, C: c}
}

// NewEditor creates an account with a bot password and logs it in, so a test
// can edit as someone other than the admin.
func (w *Wiki) NewEditor(t testing.TB, name string) *Session {
	t.Helper()
	pass := "editor-pass-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	w.Maint(t, "createAndPromote.php", "--force", name, pass)
	botPass := "0123456789abcdefghijklmnopqrstuw"
	w.Maint(t, "createBotPassword.php", "--appid", "tests", "--grants", "basic,editpage,createeditmovepage,editmycssjs", name, botPass)
	return w.LoginAs(t, name+"@tests", botPass)
}

// Post performs a write with a csrf token and returns the raw answer.
func (s *Session) Post(ctx context.Context, p params.Values) (map[string]any, error) {
	tok, err := s.C.CSRFToken(ctx)
	if err != nil {
		return nil, err
	}
	p.Set("token", tok)
	var out map[string]any
	if err := s.C.Post(ctx, p, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Session) must(t testing.TB, p params.Values) map[string]any {
	t.Helper()
	out, err := s.Post(context.Background(), p)
	if err != nil {
		t.Fatalf("%s %v: %v", p.Get("action"), p, err)
	}
	return out
}

// Edit saves text to title and returns the new revision id (0 for a null edit).
func (s *Session) Edit(t testing.TB, title, text, summary string, flags ...string) int64 {
	t.Helper()
	p := params.Values{"action": "edit", "title": title, "text": text, "summary": summary}
	for _, f := range flags {
		p.Set(f, "1") // minor, bot, createonly...
	}
	out := s.must(t, p)
	edit, _ := out["edit"].(map[string]any)
	if edit["result"] != "Success" {
		t.Fatalf("edit %q: %v", title, out)
	}
	id, _ := edit["newrevid"].(float64)
	return int64(id)
}

// Move renames a page, leaving a redirect unless noRedirect.
func (s *Session) Move(t testing.TB, from, to, reason string, noRedirect bool) {
	t.Helper()
	p := params.Values{"action": "move", "from": from, "to": to, "reason": reason}
	if noRedirect {
		p.Set("noredirect", "1")
	}
	s.must(t, p)
}

// Delete deletes a page.
func (s *Session) Delete(t testing.TB, title, reason string) {
	t.Helper()
	s.must(t, params.Values{"action": "delete", "title": title, "reason": reason})
}

// Undelete restores every deleted revision of a page.
func (s *Session) Undelete(t testing.TB, title, reason string) {
	t.Helper()
	s.must(t, params.Values{"action": "undelete", "title": title, "reason": reason})
}

// Protect protects a page against edits by non-admins.
func (s *Session) Protect(t testing.TB, title, reason string) {
	t.Helper()
	s.must(t, params.Values{"action": "protect", "title": title, "protections": "edit=sysop|move=sysop", "expiry": "infinite", "reason": reason})
}

// Block blocks a user; Unblock lifts it.
func (s *Session) Block(t testing.TB, user, reason string) {
	t.Helper()
	s.must(t, params.Values{"action": "block", "user": user, "expiry": "1 day", "reason": reason})
}

// Unblock lifts a block.
func (s *Session) Unblock(t testing.TB, user, reason string) {
	t.Helper()
	s.must(t, params.Values{"action": "unblock", "user": user, "reason": reason})
}

// CreateAccount creates an account through the API (logged in as admin), so
// a newusers log row appears in recent changes.
func (s *Session) CreateAccount(t testing.TB, name, pass string) {
	t.Helper()
	ctx := context.Background()
	var tok struct {
		Query struct {
			Tokens struct {
				CreateAccountToken string `json:"createaccounttoken"`
			} `json:"tokens"`
		} `json:"query"`
	}
	if err := s.C.Get(ctx, params.Values{"action": "query", "meta": "tokens", "type": "createaccount"}, &tok); err != nil {
		t.Fatalf("createaccount token: %v", err)
	}
	var out struct {
		CreateAccount struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"createaccount"`
	}
	err := s.C.Post(ctx, params.Values{
		"action": "createaccount", "username": name, "password": pass, "retype": pass,
		"createreturnurl": s.W.Base + "/", "createtoken": tok.Query.Tokens.CreateAccountToken,
		"reason": "test account",
	}, &out)
	if err != nil || out.CreateAccount.Status != "PASS" {
		t.Fatalf("createaccount %q: %v %+v", name, err, out)
	}
}

// HideRevisions hides parts of revisions (revision deletion); what is a
// comma list of content, comment, user; suppress also hides from admins.
func (s *Session) HideRevisions(t testing.TB, revids []int64, what string, suppress bool, reason string) {
	t.Helper()
	ids := make([]string, len(revids))
	for i, id := range revids {
		ids[i] = strconv.FormatInt(id, 10)
	}
	p := params.Values{"action": "revisiondelete", "type": "revision", "ids": strings.Join(ids, "|"),
		"hide": strings.ReplaceAll(what, ",", "|"), "reason": reason}
	if suppress {
		p.Set("suppress", "yes")
	}
	s.must(t, p)
}

// Upload imports a small SVG as File:name through importImages.php (the
// API's multipart upload is not in go-mwclient); it logs an upload row.
func (s *Session) Upload(t testing.TB, name, comment string) {
	t.Helper()
	s.upload(t, name, comment)
}

// UploadAgain uploads a new version of an existing file.
func (s *Session) UploadAgain(t testing.TB, name, comment string) {
	t.Helper()
	s.upload(t, name, comment, "--overwrite")
}

func (s *Session) upload(t testing.TB, name, comment string, extra ...string) {
	t.Helper()
	dir := t.TempDir()
	svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>%d</text></svg>`, time.Now().UnixNano())
	if err := os.WriteFile(filepath.Join(dir, name), []byte(svg), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--extensions=svg", "--comment=" + comment, "--user=" + s.W.AdminUser}, extra...)
	s.W.Maint(t, "importImages.php", append(args, dir)...)
}

// RunJobs runs the job queue, which writes category-membership rows.
func (w *Wiki) RunJobs(t testing.TB) { w.Maint(t, "runJobs.php") }

// Anonymous opens a session that is not logged in, for IP edits.
func (w *Wiki) Anonymous(t testing.TB) *Session {
	t.Helper()
	c, err := wiki.New(context.Background(), wiki.Config{API: w.API, UserAgent: "wikipub-tests", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("opening an anonymous session: %v", err)
	}
	return &Session{W: w, C: c}
}

// AllRecentChanges reads every recent change the wiki holds now, oldest
// first: the oracle watcher tests compare against.
func (s *Session) AllRecentChanges(t testing.TB) []wiki.Change {
	t.Helper()
	var all []wiki.Change
	q := wiki.RCQuery{Start: time.Unix(0, 0)}
	for {
		rows, next, err := s.C.RecentChanges(context.Background(), q)
		if err != nil {
			t.Fatalf("reading all recent changes: %v", err)
		}
		all = append(all, rows...)
		if next == "" {
			return all
		}
		q.Continue = next
	}
}
