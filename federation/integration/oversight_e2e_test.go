package integration

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

func getStatus(t *testing.T, u, accept string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", accept)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestHiddenLogEntryTrace: hiding parts of log entries without suppression
// leaves a delete/event row in recent changes, and wikipub acts on it at
// once, without the sweep: a protection post whose reason was hidden is
// withdrawn, and a page whose deletion's log entry lost its title (the
// action hidden) is withdrawn with its actor, which answers 404 from then
// on.
func TestHiddenLogEntryTrace(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	w.EnableLogDeletion(t)
	admin := w.Login(t)
	for _, title := range []string{"Guarded", "Doomed Title Kx"} {
		admin.Edit(t, title, "Text.", "create")
	}
	time.Sleep(1100 * time.Millisecond)
	inst := startInstance(t, w, stores(t)["bolt"](t))
	inst.watchFiltered(t, wiki.Filter{})
	peer := fedpeer.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	actors := followAll(t, ctx, peer, inst, "guarded", "doomed_title_kx")

	admin.Protect(t, "Guarded", "a reason to hide 6120")
	protect := fmt.Sprintf("%s/ap/log/%d", inst.base, admin.LogID(t, "protect", "Guarded"))
	waitActivity(t, ctx, peer, "the protection post", func(a map[string]any) bool { return typ(a) == "Create" && objectID(a) == protect })
	admin.Delete(t, "Doomed Title Kx", "plain deletion")
	deletion := admin.LogID(t, "delete", "Doomed Title Kx")
	deletePost := fmt.Sprintf("%s/ap/log/%d", inst.base, deletion)
	waitActivity(t, ctx, peer, "the deletion post", func(a map[string]any) bool { return typ(a) == "Create" && objectID(a) == deletePost })
	if code, body := getStatus(t, actors["doomed_title_kx"].ID, "application/activity+json"); code != 200 || !strings.Contains(body, "Doomed Title Kx") {
		t.Fatalf("a page deleted in public keeps its actor and title: %d %s", code, body)
	}

	admin.HideLogEntries(t, []int64{admin.LogID(t, "protect", "Guarded")}, "comment", false, "rude")
	waitActivity(t, ctx, peer, "the Delete of the protection post", func(a map[string]any) bool { return typ(a) == "Delete" && objectID(a) == protect })
	admin.HideLogEntries(t, []int64{deletion}, "content", false, "the title must go")
	waitActivity(t, ctx, peer, "the Delete of the deletion post", func(a map[string]any) bool { return typ(a) == "Delete" && objectID(a) == deletePost })
	waitActivity(t, ctx, peer, "the Delete of the page's actor", func(a map[string]any) bool {
		return typ(a) == "Delete" && objectID(a) == actors["doomed_title_kx"].ID
	})
	for _, u := range []string{actors["doomed_title_kx"].ID,
		inst.base + "/.well-known/webfinger?resource=" + url.QueryEscape("acct:doomed_title_kx@"+inst.host)} {
		if code, body := getStatus(t, u, "application/activity+json"); code != http.StatusNotFound || strings.Contains(body, "Doomed") {
			t.Errorf("GET %s = %d %s; want 404 without the title", u, code, body)
		}
	}
	for _, rj := range peer.Rejected() {
		t.Errorf("the peer refused: %+v", rj)
	}
}

// TestHiddenLogEntriesTogether: log entries hidden in one action are all
// acted on, also those after one about a page whose deletion is still
// shown (nothing more to withdraw for it: its posts went with the page).
// Two protections and, logged between them, a move of a page deleted
// since in public; the three entries' titles hidden at once, which the
// wiki lists in one row, in some order: whichever it is, a protection
// comes after the move. Both protection posts are withdrawn without the
// sweep.
func TestHiddenLogEntriesTogether(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	w.EnableLogDeletion(t)
	admin := w.Login(t)
	for _, title := range []string{"Guarded Kx", "Mover Kx", "Guarded Ky"} {
		admin.Edit(t, title, "Text.", "create")
	}
	time.Sleep(1100 * time.Millisecond)
	inst := startInstance(t, w, stores(t)["bolt"](t))
	inst.watchFiltered(t, wiki.Filter{})
	peer := fedpeer.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	followAll(t, ctx, peer, inst, "guarded_kx", "mover_kx", "guarded_ky")
	post := func(id int64) string { return fmt.Sprintf("%s/ap/log/%d", inst.base, id) }
	created := func(what string, id int64) {
		waitActivity(t, ctx, peer, what, func(a map[string]any) bool { return typ(a) == "Create" && objectID(a) == post(id) })
	}

	admin.Protect(t, "Guarded Kx", "a protection to hide")
	first := admin.LogID(t, "protect", "Guarded Kx")
	created("the first protection post", first)
	admin.Move(t, "Mover Kx", "Moved Kx", "a move to hide", true)
	move := admin.LogID(t, "move", "Mover Kx")
	created("the move post", move)
	admin.Delete(t, "Moved Kx", "deleted in public")
	created("the deletion post", admin.LogID(t, "delete", "Moved Kx"))
	admin.Protect(t, "Guarded Ky", "another protection to hide")
	second := admin.LogID(t, "protect", "Guarded Ky")
	created("the second protection post", second)

	admin.HideLogEntries(t, []int64{first, move, second}, "content", false, "the titles must go")
	for what, id := range map[string]int64{"first": first, "second": second} {
		waitActivity(t, ctx, peer, "the Delete of the "+what+" protection post", func(a map[string]any) bool {
			return typ(a) == "Delete" && objectID(a) == post(id)
		})
	}
	for _, rj := range peer.Rejected() {
		t.Errorf("the peer refused: %+v", rj)
	}
}

// TestHiddenUserAtOnce: an editor hidden on the wiki (a block with
// hideuser, which leaves no trace in recent changes) answers 404, like a
// name that never was, within a second and without a sweep, also when
// their actor was just served; never 410.
func TestHiddenUserAtOnce(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	w.NewEditor(t, "Soon Gone Editor")
	inst := startInstance(t, w, stores(t)["bolt"](t))
	actor := ""
	jrd := webfingerJRD(t, inst.base, "acct:user.soon_gone_editor@"+inst.host)
	for _, l := range jrd["links"].([]any) {
		if m := l.(map[string]any); m["rel"] == "self" {
			actor, _ = m["href"].(string)
		}
	}
	if code, _ := getStatus(t, actor, "application/activity+json"); code != 200 {
		t.Fatalf("GET %s = %d before hiding", actor, code)
	}
	w.HideUser(t, "Soon Gone Editor", "oversight")
	hiddenAt := time.Now()
	urls := []string{actor, actor + "/outbox", actor + "/followers",
		inst.base + "/.well-known/webfinger?resource=" + url.QueryEscape("acct:user.soon_gone_editor@"+inst.host),
		inst.base + "/@user.soon_gone_editor"}
	for {
		gone := 0
		for _, u := range urls {
			code, body := getStatus(t, u, "application/activity+json")
			switch code {
			case http.StatusGone:
				t.Fatalf("GET %s = 410 for a hidden user: it tells that the account existed", u)
			case http.StatusOK, http.StatusFound, http.StatusNotFound:
			default:
				t.Fatalf("GET %s = %d for a user being hidden: %s", u, code, body)
			}
			if code == http.StatusNotFound {
				if strings.Contains(body, "Soon Gone") {
					t.Errorf("GET %s names the hidden user: %s", u, body)
				}
				gone++
			}
		}
		if gone == len(urls) {
			break
		}
		if time.Since(hiddenAt) > 2*time.Second {
			t.Fatalf("the hidden user was still served %v after hiding (%d of %d endpoints 404)", time.Since(hiddenAt), gone, len(urls))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("hidden user answered 404 everywhere %v after hiding", time.Since(hiddenAt).Round(time.Millisecond))
}
