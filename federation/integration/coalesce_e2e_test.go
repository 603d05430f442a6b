package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// TestCoalescing: with a coalescing window, three quick saves by one
// editor to a followed page reach the follower as one post, for the last
// revision, with the combined size change, the last summary and a diff from
// before the first save; a save by someone else is its own post.
func TestCoalescing(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	editor := w.NewEditor(t, "Busy Editor")
	admin.Edit(t, "Draft page", "Start.", "setup")
	time.Sleep(1100 * time.Millisecond)

	ctx := context.Background()
	inst := startInstance(t, w, stores(t)["bolt"](t), func(cfg *fedConfig, _ *wiki.Client) {
		cfg.Coalesce = 4 * time.Second
	})
	c, base := inst.client, inst.base
	inst.watch(t)

	peer := fedpeer.New(t)
	tctx, tcancel := context.WithTimeout(ctx, time.Minute)
	defer tcancel()
	a, err := peer.Lookup(tctx, "draft_page@"+inst.host)
	if err != nil {
		t.Fatal(err)
	}
	fid, err := peer.Follow(tctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := peer.WaitAccept(tctx, fid); err != nil {
		t.Fatal(err)
	}

	first := editor.Edit(t, "Draft page", "Start. One.", "first save")
	editor.Edit(t, "Draft page", "Start. One. Two.", "second save")
	last := editor.Edit(t, "Draft page", "Start. One. Two. Three.", "third save")
	lastNote := fmt.Sprintf("%s/ap/rev/%d", base, last)
	got := waitActivity(t, tctx, peer, "the coalesced post", func(a map[string]any) bool { return typ(a) == "Create" && objectID(a) == lastNote })
	body := content(got)
	// "Start." (6 bytes) became "Start. One. Two. Three." (23 bytes).
	if !strings.Contains(body, "third save") || !strings.Contains(body, "+17 bytes") {
		t.Errorf("coalesced post: %q; want the last summary and +17 bytes (all three saves)", body)
	}
	firstChange, err := c.RevisionChange(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := object(got)["url"].(string); !strings.Contains(u, fmt.Sprintf("diff=%d&oldid=%d", last, firstChange.OldRevID)) {
		t.Errorf("coalesced post url %q: want the diff from before the first save (%d) to the last (%d)", u, firstChange.OldRevID, last)
	}
	other := admin.Edit(t, "Draft page", "Start. One. Two. Three. Four.", "someone else")
	waitActivity(t, tctx, peer, "the other editor's post", func(a map[string]any) bool {
		return typ(a) == "Create" && objectID(a) == fmt.Sprintf("%s/ap/rev/%d", base, other)
	})
	creates := 0
	for _, d := range peer.Received() {
		if d.Type == "Create" {
			creates++
		}
	}
	if creates != 2 {
		t.Errorf("the follower got %d posts for four saves; want 2 (three coalesced, one by another editor)", creates)
	}
}
