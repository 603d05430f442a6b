package integration

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// watch runs the recent-changes watcher with the publisher as its handler,
// as `wikipub serve` does, for the rest of the test.
func (inst *instance) watch(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cursors := &memCursor{}
	w := wiki.NewWatcher(inst.client, cursors, inst.fed.Publisher().Handle, wiki.WatcherConfig{
		Poll: 200 * time.Millisecond, LateSweep: time.Second, Start: inst.client.Site().Time,
		Filter: wiki.Filter{IncludeBots: true}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

type memCursor struct {
	mu sync.Mutex
	v  []byte
}

func (m *memCursor) Cursor(context.Context, string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.v == nil {
		return nil, wiki.ErrNoCursor
	}
	return m.v, nil
}

func (m *memCursor) SetCursor(_ context.Context, _ string, v []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.v = v
	return nil
}

// received is what the peer got, decoded, with a check that nothing
// arrives twice.
func activities(peer *fedpeer.Peer) []fedpeer.Delivery { return peer.Received() }

func waitActivity(t *testing.T, ctx context.Context, peer *fedpeer.Peer, what string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	d, err := peer.WaitFor(ctx, func(d fedpeer.Delivery) bool { return match(d.Activity) })
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
	return d.Activity
}

// followAll has the peer look up and follow each handle on the instance
// and waits for each Accept; it returns the actors by handle.
func followAll(t *testing.T, ctx context.Context, peer *fedpeer.Peer, inst *instance, handles ...string) map[string]*fedpeer.RemoteActor {
	t.Helper()
	out := map[string]*fedpeer.RemoteActor{}
	for _, h := range handles {
		a, err := peer.Lookup(ctx, h+"@"+inst.host)
		if err != nil {
			t.Fatal(err)
		}
		id, err := peer.Follow(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := peer.WaitAccept(ctx, id); err != nil {
			t.Fatal(err)
		}
		out[h] = a
	}
	return out
}

func typ(a map[string]any) string { s, _ := a["type"].(string); return s }

func object(a map[string]any) map[string]any { o, _ := a["object"].(map[string]any); return o }

func objectID(a map[string]any) string {
	if s, ok := a["object"].(string); ok {
		return s
	}
	s, _ := object(a)["id"].(string)
	return s
}

func content(a map[string]any) string { s, _ := object(a)["content"].(string); return s }

// TestPublishEndToEnd: a strict test peer follows pages and an editor;
// changes of every kind on the real wiki reach it as the right activities,
// each once, signed by the right actor, and what the wiki hides (revision
// deletion, suppression found by the sweep) is withdrawn and never sent.
func TestPublishEndToEnd(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := testenv.MediaWiki(t)
			admin := w.Login(t)
			editor := w.NewEditor(t, "Editor Two")
			secret := w.NewEditor(t, "Quiet Editor")
			anon := w.Anonymous(t)
			for _, title := range []string{"Albert Einstein", "Temp page", "Category:Physics"} {
				admin.Edit(t, title, "Text of "+title+".", "setup")
			}
			admin.Upload(t, "Pic.svg", "A picture")
			time.Sleep(1100 * time.Millisecond)
			inst := startInstance(t, w, open(t))
			inst.watch(t)
			peer := fedpeer.New(t)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()

			actors := map[string]*fedpeer.RemoteActor{}
			for _, h := range []string{"albert_einstein", "temp_page", "category.physics", "file.pic.svg", "user.editor_two"} {
				if h == "file.pic.svg" {
					webfingerJRD(t, inst.base, inst.client.Site().PageURL("File:Pic.svg"))
				}
				a, err := peer.Lookup(ctx, h+"@"+inst.host)
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
			einstein, ed := actors["albert_einstein"].ID, actors["user.editor_two"].ID
			created := func(a map[string]any) bool { return typ(a) == "Create" }
			// fan follows only the editor, on a server of its own.
			fan := fedpeer.New(t)
			fanFollow, err := fan.Follow(ctx, actors["user.editor_two"])
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fan.WaitAccept(ctx, fanFollow); err != nil {
				t.Fatal(err)
			}

			// An edit by a followed editor on a followed page: one Create
			// from the page, one Announce from the editor for those who
			// follow only the editor; who follows both gets the post once.
			revA := editor.Edit(t, "Albert Einstein", "Born in [[Ulm]].", "[[Ulm]] birth place")
			noteA := fmt.Sprintf("%s/ap/rev/%d", inst.base, revA)
			c := waitActivity(t, ctx, peer, "the edit's Create", func(a map[string]any) bool { return created(a) && objectID(a) == noteA })
			if c["actor"] != einstein || !strings.Contains(content(c), "Editor Two") || !strings.Contains(content(c), " edited ") ||
				!strings.Contains(content(c), ">Ulm</a> birth place") || !strings.Contains(content(c), "bytes)") {
				t.Errorf("edit post: actor %v content %q", c["actor"], content(c))
			}
			if u, _ := object(c)["url"].(string); !strings.Contains(u, fmt.Sprintf("diff=%d", revA)) {
				t.Errorf("edit post url %q is not the diff", u)
			}
			if cc, _ := object(c)["cc"].([]any); !slices.Contains(cc, any("https://www.w3.org/ns/activitystreams#Public")) {
				t.Errorf("edit post is not unlisted (Public in cc): %v", object(c)["cc"])
			}
			waitActivity(t, ctx, fan, "the editor's Announce", func(a map[string]any) bool {
				return typ(a) == "Announce" && a["actor"] == ed && objectID(a) == noteA
			})

			revB := editor.Edit(t, "Albert Einstein", "Born in Ulm, Württemberg.", "more precise", "minor")
			noteB := fmt.Sprintf("%s/ap/rev/%d", inst.base, revB)
			c = waitActivity(t, ctx, peer, "the minor edit", func(a map[string]any) bool { return created(a) && objectID(a) == noteB })
			if !strings.Contains(content(c), "made a minor edit to") {
				t.Errorf("minor edit post: %q", content(c))
			}

			revC := anon.Edit(t, "Albert Einstein", "Born in Ulm.", "ip edit")
			c = waitActivity(t, ctx, peer, "the IP edit", func(a map[string]any) bool {
				return created(a) && objectID(a) == fmt.Sprintf("%s/ap/rev/%d", inst.base, revC)
			})
			if !strings.Contains(content(c), "An unregistered editor") {
				t.Errorf("IP edit post: %q", content(c))
			}

			// A new page nobody follows yet reaches the editor's followers as
			// a boost, and the post dereferences.
			revD := editor.Edit(t, "New article", "Fresh.", "start")
			noteD := fmt.Sprintf("%s/ap/rev/%d", inst.base, revD)
			waitActivity(t, ctx, peer, "the boost of a new page", func(a map[string]any) bool { return typ(a) == "Announce" && objectID(a) == noteD })
			resp, body, err := peer.SignedGet(ctx, noteD)
			if err != nil || resp.StatusCode != 200 || !strings.Contains(string(body), "created") {
				t.Errorf("GET %s: %v %v %s", noteD, err, resp, body)
			}

			admin.Protect(t, "Albert Einstein", "edit war")
			waitActivity(t, ctx, peer, "the protection", func(a map[string]any) bool {
				return created(a) && a["actor"] == einstein && strings.Contains(content(a), "protected")
			})

			// Deletion withdraws the page's posts, then says so; restoring says so.
			revE := editor.Edit(t, "Temp page", "Soon gone.", "last words")
			noteE := fmt.Sprintf("%s/ap/rev/%d", inst.base, revE)
			waitActivity(t, ctx, peer, "the Temp page edit", func(a map[string]any) bool { return created(a) && objectID(a) == noteE })
			admin.Delete(t, "Temp page", "not needed")
			waitActivity(t, ctx, peer, "the Delete of the Temp page's post", func(a map[string]any) bool {
				return typ(a) == "Delete" && objectID(a) == noteE && object(a)["type"] == "Tombstone"
			})
			waitActivity(t, ctx, peer, "the deletion post", func(a map[string]any) bool {
				return created(a) && a["actor"] == actors["temp_page"].ID && strings.Contains(content(a), "deleted")
			})
			if resp, _, _ := peer.SignedGet(ctx, noteE); resp == nil || resp.StatusCode != http.StatusGone {
				t.Errorf("GET of a withdrawn post: %v, want 410", resp)
			}
			admin.Undelete(t, "Temp page", "needed after all")
			waitActivity(t, ctx, peer, "the restore post", func(a map[string]any) bool {
				return created(a) && a["actor"] == actors["temp_page"].ID && strings.Contains(content(a), "restored")
			})

			// Category membership reaches the category's followers.
			admin.Edit(t, "Albert Einstein", "Born in Ulm. [[Category:Physics]]", "categorise")
			w.RunJobs(t)
			waitActivity(t, ctx, peer, "the category post", func(a map[string]any) bool {
				return created(a) && a["actor"] == actors["category.physics"].ID && strings.Contains(content(a), "Albert Einstein")
			})

			// A new version of a followed file comes with the image.
			admin.UploadAgain(t, "Pic.svg", "A better picture")
			c = waitActivity(t, ctx, peer, "the upload post", func(a map[string]any) bool { return created(a) && a["actor"] == actors["file.pic.svg"].ID })
			att, _ := object(c)["attachment"].([]any)
			if len(att) != 1 || att[0].(map[string]any)["type"] != "Image" || att[0].(map[string]any)["url"] == nil {
				t.Errorf("upload post attachment: %v", object(c)["attachment"])
			}

			// Revision deletion of a published edit's summary withdraws it.
			admin.HideRevisions(t, []int64{revA}, "comment", false, "rude")
			hiddenAt := time.Now()
			waitActivity(t, ctx, peer, "the Delete after revision deletion", func(a map[string]any) bool { return typ(a) == "Delete" && objectID(a) == noteA })

			// Suppression leaves no trace in recent changes: the sweep finds it.
			revS := secret.Edit(t, "Temp page", "Quietly.", "quiet summary 77")
			noteS := fmt.Sprintf("%s/ap/rev/%d", inst.base, revS)
			waitActivity(t, ctx, peer, "the quiet edit", func(a map[string]any) bool { return created(a) && objectID(a) == noteS })
			admin.HideRevisions(t, []int64{revS}, "user,comment", true, "oversight")
			suppressedAt := time.Now()
			st, err := inst.fed.NewSweeper(publish.SweepConfig{}).Sweep(ctx)
			if err != nil {
				t.Fatalf("sweep: %v", err)
			}
			if st.Withdrawn < 1 {
				t.Errorf("the sweep withdrew %d posts, want the suppressed one (stats %+v)", st.Withdrawn, st)
			}
			waitActivity(t, ctx, peer, "the Delete after suppression", func(a map[string]any) bool { return typ(a) == "Delete" && objectID(a) == noteS })

			// A move renames the actor (same id) and is posted.
			admin.Move(t, "Albert Einstein", "Albert Einstein (physicist)", "disambiguation", false)
			// (The edits above changed the page's opening: its profile
			// Updates, "#updates/profile-REV", come before this one.)
			up := waitActivity(t, ctx, peer, "the actor Update", func(a map[string]any) bool {
				id, _ := a["id"].(string)
				return typ(a) == "Update" && objectID(a) == einstein && !strings.Contains(id, "#updates/profile-")
			})
			if object(up)["name"] != "Albert Einstein (physicist)" {
				t.Errorf("Update carries name %v", object(up)["name"])
			}
			waitActivity(t, ctx, peer, "the move post", func(a map[string]any) bool {
				return created(a) && a["actor"] == einstein && strings.Contains(content(a), "moved")
			})
			if jrd := webfingerJRD(t, inst.base, "acct:albert_einstein@"+inst.host); !selfLinks(jrd, einstein) {
				t.Errorf("the old handle no longer finds the moved page: %v", jrd)
			}

			// Nothing twice, nothing hidden after it was hidden.
			seen := map[string]int{}
			for _, d := range activities(peer) {
				if id, _ := d.Activity["id"].(string); id != "" {
					seen[id]++
				}
				if d.Received.After(hiddenAt) && strings.Contains(string(d.Body), "birth place") && typ(d.Activity) != "Delete" {
					t.Errorf("a payload after revision deletion still carries the hidden summary: %s", d.Body)
				}
				if d.Received.After(suppressedAt) && (strings.Contains(string(d.Body), "Quiet Editor") || strings.Contains(string(d.Body), "quiet summary 77")) {
					t.Errorf("a payload after suppression still carries the hidden name or summary: %s", d.Body)
				}
			}
			for id, n := range seen {
				if n > 1 {
					t.Errorf("activity %s arrived %d times", id, n)
				}
			}
			for _, d := range activities(peer) {
				if typ(d.Activity) == "Announce" && objectID(d.Activity) == noteA {
					t.Errorf("who follows both the page and the editor got the editor's boost too: %s", d.Body)
				}
			}
			for _, rj := range append(peer.Rejected(), fan.Rejected()...) {
				t.Errorf("a peer refused: %+v", rj)
			}
		})
	}
}
