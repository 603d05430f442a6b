package integration

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// watchFiltered runs the watcher with the publisher as its handler and the
// given filter, as `wikipub serve` does with its flags.
func (inst *instance) watchFiltered(t *testing.T, f wiki.Filter) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := wiki.NewWatcher(inst.client, &memCursor{}, inst.fed.Publisher().Handle, wiki.WatcherConfig{
		Poll: 200 * time.Millisecond, LateSweep: time.Second, Start: inst.client.Site().Time,
		Filter: f, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// TestBotGroupModeration: with the bot filter on (the default), the
// moderation of an admin who is in the wiki's bot group — the wiki flags
// each of their log entries as a bot change — still reaches followers at
// once: the move's Update and post, and the withdrawal of a post whose
// summary they hid, without waiting for the sweep. Their bot-flagged edits
// stay filtered.
func TestBotGroupModeration(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t) // the test wiki's admin is in the bot group
	editor := w.NewEditor(t, "Plain Editor")
	admin.Edit(t, "Moderated", "Text.", "setup")
	time.Sleep(1100 * time.Millisecond)
	inst := startInstance(t, w, stores(t)["bolt"](t))
	inst.watchFiltered(t, wiki.Filter{})
	peer := fedpeer.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a := followAll(t, ctx, peer, inst, "moderated")["moderated"]

	rev := editor.Edit(t, "Moderated", "Text, edited.", "rude summary 4711")
	note := fmt.Sprintf("%s/ap/rev/%d", inst.base, rev)
	waitActivity(t, ctx, peer, "the edit's Create", func(m map[string]any) bool { return typ(m) == "Create" && objectID(m) == note })
	botRev := admin.Edit(t, "Moderated", "Text, edited by a bot.", "bot run", "bot")

	admin.HideRevisions(t, []int64{rev}, "comment", false, "rude")
	waitActivity(t, ctx, peer, "the withdrawal after the admin hid the summary", func(m map[string]any) bool {
		return typ(m) == "Delete" && objectID(m) == note
	})
	admin.Move(t, "Moderated", "Moderated (renamed)", "clearer name", false)
	waitActivity(t, ctx, peer, "the actor's Update after the move", func(m map[string]any) bool {
		return typ(m) == "Update" && objectID(m) == a.ID
	})
	waitActivity(t, ctx, peer, "the move post", func(m map[string]any) bool {
		return typ(m) == "Create" && strings.Contains(content(m), "moved")
	})

	// The log rows were bot-flagged (else this test proves nothing), and
	// the bot-flagged edit was not posted.
	flagged := map[wiki.Kind]bool{}
	for _, c := range admin.AllRecentChanges(t) {
		if c.Bot {
			flagged[c.Kind] = true
		}
	}
	if !flagged[wiki.KindMove] || !flagged[wiki.KindRevisionDelete] {
		t.Fatalf("the wiki did not flag the admin's move and revision deletion as bot changes (%v): the test does not test the filter", flagged)
	}
	for _, d := range peer.Received() {
		if objectID(d.Activity) == fmt.Sprintf("%s/ap/rev/%d", inst.base, botRev) {
			t.Errorf("a bot-flagged edit was posted with the bot filter on: %s", d.Body)
		}
	}
	for _, rj := range peer.Rejected() {
		t.Errorf("the peer refused: %+v", rj)
	}
}
