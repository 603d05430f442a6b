package talk

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/wiki"
)

// optInWiki is a Wiki whose opt-in page was saved at optedInAt; reads
// of the current text fail while down is set.
type optInWiki struct {
	mu        sync.Mutex
	optedInAt time.Time
	down      bool
	written   []string
	// now is the wiki's present (zero: the real one).
	now time.Time
}

var errWikiDown = errors.New("the wiki is down")

func (w *optInWiki) PageText(ctx context.Context, title string) (string, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.down {
		return "", false, errWikiDown
	}
	if !w.now.IsZero() {
		return w.textAt(w.now)
	}
	return w.textAt(time.Now())
}

func (w *optInWiki) PageTextAt(ctx context.Context, title string, at time.Time) (string, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.textAt(at)
}

// textAt answers as MediaWiki does: the revision saved at or before at,
// timestamps cut to the second.
func (w *optInWiki) textAt(at time.Time) (string, bool, error) {
	if at.Before(w.optedInAt.Truncate(time.Second)) {
		return "", false, nil
	}
	return `{"replies": true}`, true, nil
}

func (w *optInWiki) AddTalkSection(ctx context.Context, title, heading, text, summary string, bot bool) (int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.written = append(w.written, title)
	return 1, nil
}

func (w *optInWiki) HasRight(context.Context, string) (bool, error) { return true, nil }

// optInReader is the wiki's read side as the writer sees it: the user
// namespaces and one visible editor, Jimbo Wales.
type optInReader struct{}

func (optInReader) Site() *wiki.SiteInfo {
	return &wiki.SiteInfo{Server: "https://wiki.example", ArticlePath: "/wiki/$1", Script: "/w/index.php",
		Namespaces: map[int]*wiki.Namespace{
			0: {ID: 0, Name: "", FirstLetterCase: true, Content: true},
			2: {ID: 2, Name: "User", Canonical: "User", FirstLetterCase: true},
			3: {ID: 3, Name: "User talk", Canonical: "User talk", FirstLetterCase: true},
		}}
}

func (optInReader) RevisionChange(context.Context, int64) (wiki.Change, error) {
	return wiki.Change{}, wiki.ErrNotFound
}

func (optInReader) PageByID(context.Context, int64) (wiki.Page, error) {
	return wiki.Page{}, wiki.ErrNotFound
}

func (optInReader) UsersByName(_ context.Context, names []string) (map[string]wiki.User, error) {
	out := map[string]wiki.User{}
	for _, n := range names {
		if n == "Jimbo Wales" {
			out[n] = wiki.User{ID: 1, Name: n}
		}
	}
	return out, nil
}

// TestTalkOptInWhenArrivalUnread: when the opt-in cannot be read as a
// reply arrives (the wiki down), the writer judges it by the opt-in page's
// history, conservatively: a reply that came before the opt-in, or in the
// same second as it, is not written; one that came a second later is.
func TestTalkOptInWhenArrivalUnread(t *testing.T) {
	for _, tc := range []struct {
		name          string
		arrivedBefore time.Duration // how long before the opt-in the reply arrived
		down          bool
		want          string
	}{
		{"read on arrival, not opted in", time.Minute, false, talkSkipped},
		{"read on arrival, opted in", -time.Minute, false, talkWritten},
		{"unread, arrived before the opt-in", time.Minute, true, talkSkipped},
		{"unread, arrived in the opt-in's second", 0, true, talkSkipped},
		{"unread, arrived after the opt-in", -3 * time.Second, true, talkWritten},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := boltstore.Open(filepath.Join(t.TempDir(), "t.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			arrived := time.Now().Add(-time.Hour)
			tw := &optInWiki{optedInAt: arrived.Add(tc.arrivedBefore), down: tc.down, now: arrived}
			w := New(Config{Wiki: tw, Window: time.Millisecond}, optInReader{}, st,
				actors.IRIs{Base: "https://wiki.example"}, slog.New(slog.DiscardHandler))
			ctx := context.Background()
			i := w.Schedule(ctx, store.Interaction{ID: "https://remote.example/notes/1", Kind: "reply",
				Object: "https://wiki.example/ap/rev/1", Actor: "https://remote.example/users/bob",
				TalkPage: "User talk:Jimbo Wales", Received: arrived})
			if _, err := st.AddInteraction(ctx, i); err != nil {
				t.Fatal(err)
			}
			tw.mu.Lock()
			tw.down, tw.now = false, time.Time{} // the wiki is back for the writer, an hour later
			tw.mu.Unlock()
			time.Sleep(5 * time.Millisecond)
			if err := w.writeDue(ctx); err != nil {
				t.Fatal(err)
			}
			got, err := st.GetInteraction(ctx, i.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.TalkState != tc.want {
				t.Errorf("talk state %q, want %q (written %v)", got.TalkState, tc.want, tw.written)
			}
			if (len(tw.written) > 0) != (tc.want == talkWritten) {
				t.Errorf("written %v, want state %s", tw.written, tc.want)
			}
		})
	}
}
