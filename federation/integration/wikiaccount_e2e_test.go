package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// TestWikiAccountProfileUpdate: the wiki account's bio is the main page's
// opening (no tagline is set), so an edit of the main page that changes
// its opening reaches the account's followers as an Update of the account
// with the new bio; an edit of another page does not.
func TestWikiAccountProfileUpdate(t *testing.T) {
	t.Parallel()
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	admin.Edit(t, "Other page Kw", "Some text.", "create")
	time.Sleep(1100 * time.Millisecond)
	inst := startInstance(t, w, stores(t)["bolt"](t), func(cfg *fedConfig, _ *wiki.Client) { cfg.WikiAccount = "wikiall" })
	inst.watchFiltered(t, wiki.Filter{})
	peer := fedpeer.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a := followAll(t, ctx, peer, inst, "wikiall")["wikiall"]
	main := inst.client.Site().MainPage

	admin.Edit(t, "Other page Kw", "Other text.", "not the main page")
	admin.Edit(t, main, "The wiki of ferns, written by 7301 gardeners.", "a new opening")
	up := waitActivity(t, ctx, peer, "the wiki account's Update", func(m map[string]any) bool {
		return typ(m) == "Update" && objectID(m) == a.ID
	})
	if s, _ := object(up)["summary"].(string); !strings.Contains(s, "7301 gardeners") {
		t.Errorf("the Update's bio %q does not say the main page's new opening", s)
	}
	n := 0
	for _, d := range peer.Received() {
		if typ(d.Activity) == "Update" && objectID(d.Activity) == a.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d Updates of the wiki account, want 1 (the other page's edit is not the wiki's bio)", n)
	}
	for _, rj := range peer.Rejected() {
		t.Errorf("the peer refused: %+v", rj)
	}
}
