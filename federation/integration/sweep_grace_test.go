package integration

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/federation/store"
)

// TestSweepGraceForMissingRevisions: a post whose revision the wiki does not
// return is withdrawn (its page was deleted, perhaps with suppression), but
// not in its first minute, when a lagging replica may simply not have the
// revision yet.
func TestSweepGraceForMissingRevisions(t *testing.T) {
	e := newGoldenEnv(t)
	ctx := context.Background()
	post := func(rev int64, at time.Time) store.Published {
		id := goldenBase + "/ap/rev/" + strconv.FormatInt(rev, 10)
		p := store.Published{ObjectID: id, ActivityID: id + "/activity", Actor: e.s.iris.Actor(actors.Ref{Kind: actors.KindPage, ID: pgEinstein}),
			PageID: pgEinstein, RevID: rev, At: at, Recipients: []string{pageFollowersInbox}}
		if err := e.st.RecordPublished(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fresh := post(71, time.Now().Add(-5*time.Second))
	old := post(72, time.Now().Add(-2*time.Minute))
	st, err := e.s.NewSweeper(publish.SweepConfig{Logger: slog.New(slog.DiscardHandler)}).Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		p    store.Published
		want bool
	}{{fresh, false}, {old, true}} {
		got, err := e.st.PublishedPost(ctx, c.p.ObjectID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Withdrawn != c.want {
			t.Errorf("post of %v ago with its revision missing: withdrawn %v, want %v (%+v)", time.Since(c.p.At).Round(time.Second), got.Withdrawn, c.want, st)
		}
	}
}
