package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/wikipub/wikipub/wiki"
)

func rcq() wiki.RCQuery { return wiki.RCQuery{Start: time.Unix(0, 0)} }

// TestMediaWikiStartStop checks the harness itself: a real wiki comes up,
// takes an edit, goes down and comes back with its data.
func TestMediaWikiStartStop(t *testing.T) {
	w := MediaWiki(t)
	s := w.Login(t)
	rev := s.Edit(t, "Harness check", "hello", "harness")
	if rev == 0 {
		t.Fatal("edit returned no revision id")
	}
	w.Stop(t)
	if _, _, err := s.C.RecentChanges(context.Background(), rcq()); err == nil {
		t.Fatal("reading from a stopped wiki succeeded")
	}
	w.Start(t)
	rows, _, err := s.C.RecentChanges(context.Background(), rcq())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		found = found || r.RevID == rev
	}
	if !found {
		t.Fatalf("revision %d not in recent changes after restart: %+v", rev, rows)
	}
}
