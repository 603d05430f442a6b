package interop

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wikipub/wikipub/internal/testenv"
)

// TestGoToSocialJourney walks every step a GoToSocial user takes with a
// wiki, for both stores: find a page and an editor (by handle, by actor
// URL, by /@handle, by the wiki page's URL through nginx), follow them,
// see each edit once whoever they follow, reply, mention, like and boost,
// and see moves, deletions and hidden revisions reach them; GoToSocial's
// log must not complain about us at any point. The embedded store runs
// with the UDP wake-up, Redis with polling, so both paths are measured.
func TestGoToSocialJourney(t *testing.T) {
	needGoToSocial(t)
	for _, tc := range []struct {
		name string
		o    worldOptions
	}{
		{"bolt+udp", worldOptions{udp: true}},
		{"redis+polling", worldOptions{redis: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := newJourney(t, tc.o, strings.NewReplacer("+", "", "-", "").Replace(tc.name))
			j.run(t)
		})
	}
}

// journey is one person-level walk through a world.
type journey struct {
	*world
	title, editor      string
	pageActor, edActor string
	// pageFan follows only the page, edFan only the editor, both both.
	// GoToSocial's account ids are per server: pageAcc and edAcc are as
	// gts knows them, edAcc2 as gts2 does.
	pageFan, edFan, both   *testenv.GTSUser
	pageAcc, edAcc, edAcc2 string // GoToSocial's account ids
	lastRev                int64
	lastStatus             string           // GoToSocial's id of the latest edit's post
	statuses               map[int64]string // revision → GoToSocial's id of its post
	follows, visible       []time.Duration
}

func newJourney(t *testing.T, o worldOptions, tag string) *journey {
	o.extra = append(o.extra, "--talk-window", "1s")
	w := newWorld(t, o)
	j := &journey{world: w, title: "Albert Einstein", editor: "Admin", statuses: map[int64]string{}}
	j.admin.Edit(t, j.title, "'''Albert Einstein''' was a theoretical physicist. He developed the theory of relativity.", "new article")
	j.pageActor = fmt.Sprintf("%s/ap/page/%d", w.public, w.pageID(j.title))
	j.edActor = fmt.Sprintf("%s/ap/user/%d", w.public, w.userID(j.editor))
	// Who follows the page, or both, is on one server; who follows only
	// the editor on another. On one server a person following both would
	// also see the boost meant for their neighbour (docs/interop.md,
	// "Seeing an edit once").
	j.pageFan = w.person(gts, "page"+tag)
	j.both = w.person(gts, "both"+tag)
	j.edFan = w.person(gts2, "editor"+tag)
	return j
}

func (j *journey) run(t *testing.T) {
	steps := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"a find", j.find},
		{"b follow", j.follow},
		{"c edits", j.edits},
		{"d replies", j.replies},
		{"e likes and boosts", j.likesAndBoosts},
		{"f move", j.move},
		{"g hide and delete", j.hideAndDelete},
		{"b unfollow", j.unfollow},
	}
	// Every step runs even after one fails, so one run shows every
	// defect; a step whose precondition is missing fails at once.
	for _, s := range steps {
		t.Run(s.name, s.fn)
	}
	t.Run("h no complaints", func(t *testing.T) {
		if p := j.problems(); len(p) > 0 {
			t.Errorf("GoToSocial logged %d warnings or errors about %s:\n%s", len(p), j.domain, strings.Join(p, "\n"))
		}
	})
	t.Logf("figures: follow accepted p50 %s max %s (%d follows); edit in every home timeline p50 %s p99 %s (%d edits)",
		pct(j.follows, 50), pct(j.follows, 100), len(j.follows), pct(j.visible, 50), pct(j.visible, 99), len(j.visible))
}

// pct is the p-th percentile of ds (nearest rank).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, k int) bool { return s[i] < s[k] })
	i := (p*len(s)+99)/100 - 1
	if i < 0 {
		i = 0
	}
	return s[i]
}
