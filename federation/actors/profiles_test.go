package actors

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/wiki"
)

// countingProfileWiki answers profile look-ups from a table and counts
// the calls, for the batching and caching rules (the real wiki's answers
// are tested in package wiki).
type countingProfileWiki struct {
	mu    sync.Mutex
	pages map[int64]wiki.PageProfile
	calls atomic.Int64
	ids   atomic.Int64
	// delay is how long a page look-up takes, as a wiki's round trip
	// does; busy and most count the look-ups running at once, and
	// biggest the most ids one asked for.
	delay      time.Duration
	busy, most atomic.Int64
	biggest    atomic.Int64
}

func (c *countingProfileWiki) Site() *wiki.SiteInfo {
	return &wiki.SiteInfo{Server: "https://wiki.example", ArticlePath: "/wiki/$1"}
}

func (c *countingProfileWiki) PageProfiles(ctx context.Context, ids []int64, opt wiki.ProfileOptions) (map[int64]wiki.PageProfile, error) {
	c.calls.Add(1)
	c.ids.Add(int64(len(ids)))
	if n := c.busy.Add(1); n > c.most.Load() {
		c.most.Store(n)
	}
	defer c.busy.Add(-1)
	if int64(len(ids)) > c.biggest.Load() {
		c.biggest.Store(int64(len(ids)))
	}
	time.Sleep(c.delay)
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[int64]wiki.PageProfile{}
	for _, id := range ids {
		if p, ok := c.pages[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

func (c *countingProfileWiki) UserProfiles(ctx context.Context, ids []int64, opt wiki.ProfileOptions) (map[int64]wiki.UserProfile, error) {
	c.calls.Add(1)
	return map[int64]wiki.UserProfile{}, nil
}

func (c *countingProfileWiki) SiteProfile(ctx context.Context, opt wiki.ProfileOptions) (wiki.SiteProfile, error) {
	c.calls.Add(1)
	return wiki.SiteProfile{Name: "Example Wiki"}, nil
}

func leadImage(name string) *wiki.Image {
	return &wiki.Image{Name: name,
		Avatar: wiki.ImageFile{URL: "https://wiki.example/images/400px-" + name, Mime: "image/png"},
		Header: wiki.ImageFile{URL: "https://wiki.example/images/1500px-" + name, Mime: "image/png"}}
}

// TestProfilesBatchedAndCached: actors asked for while the wiki answers
// another look-up cost one wiki request together; a warm actor costs
// none; only a new picture or opening counts as a change, and the first
// profile read is the baseline.
func TestProfilesBatchedAndCached(t *testing.T) {
	ctx := context.Background()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &countingProfileWiki{pages: map[int64]wiki.PageProfile{}, delay: 20 * time.Millisecond}
	for id := int64(1); id <= 30; id++ {
		w.pages[id] = wiki.PageProfile{ID: id, Extract: "Opening.", LeadImage: leadImage("a.png")}
	}
	w.pages[31] = wiki.PageProfile{ID: 31, LeadImage: &wiki.Image{Avatar: wiki.ImageFile{URL: "https://wiki.example/a.svg", Mime: "image/svg+xml"}}}
	p := NewProfiles(w, st, nil)

	var wg sync.WaitGroup
	for id := int64(1); id <= 30; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr, err := p.Get(ctx, Ref{Kind: KindPage, ID: id})
			if err != nil || pr == nil || pr.Avatar == "" {
				t.Errorf("page %d: %+v %v", id, pr, err)
			}
		}()
	}
	wg.Wait()
	if n := w.calls.Load(); n > 3 || w.ids.Load() != 30 {
		t.Errorf("30 cold profiles at once: %d wiki calls for %d ids, want a few batches of all 30", n, w.ids.Load())
	}
	before := w.calls.Load()
	for id := int64(1); id <= 30; id++ {
		if _, err := p.Get(ctx, Ref{Kind: KindPage, ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.calls.Load() - before; n != 0 {
		t.Errorf("30 warm profiles: %d wiki calls, want 0", n)
	}

	if pr, _ := p.Get(ctx, Ref{Kind: KindPage, ID: 31}); pr == nil || pr.Avatar != "" {
		t.Errorf("an SVG lead image: %+v, want no avatar (the wiki's logo stands in)", pr)
	}

	ref := Ref{Kind: KindPage, ID: 1}
	if changed, err := p.Refresh(ctx, ref); err != nil || changed {
		t.Errorf("nothing new: changed %v, %v", changed, err)
	}
	w.mu.Lock()
	pg := w.pages[1]
	pg.LastRevID++
	w.pages[1] = pg
	w.mu.Unlock()
	if changed, _ := p.Refresh(ctx, ref); changed {
		t.Error("a new revision with the same picture and opening counts as a change")
	}
	w.mu.Lock()
	pg.LeadImage = leadImage("b.png")
	w.pages[1] = pg
	w.mu.Unlock()
	if changed, _ := p.Refresh(ctx, ref); !changed {
		t.Error("a new lead image is not a change")
	}
	if changed, _ := p.Refresh(ctx, ref); changed {
		t.Error("the same new lead image is a change twice")
	}
}

// TestProfilesOneReadAtATime: however many cold actors are asked for at
// once, the wiki is asked one look-up at a time, none for more than a
// batch, and every actor gets its profile.
func TestProfilesOneReadAtATime(t *testing.T) {
	ctx := context.Background()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	const n = 500
	w := &countingProfileWiki{pages: map[int64]wiki.PageProfile{}, delay: 5 * time.Millisecond}
	for id := int64(1); id <= n; id++ {
		w.pages[id] = wiki.PageProfile{ID: id, Extract: "Opening."}
	}
	p := NewProfiles(w, st, nil)
	var wg sync.WaitGroup
	for id := int64(1); id <= n; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if pr, err := p.Get(ctx, Ref{Kind: KindPage, ID: id}); err != nil || pr == nil || pr.Bio != "Opening." {
				t.Errorf("page %d: %+v %v", id, pr, err)
			}
		}()
	}
	wg.Wait()
	if m := w.most.Load(); m != 1 {
		t.Errorf("%d look-ups ran at once, want 1", m)
	}
	if b := w.biggest.Load(); b > maxBatch {
		t.Errorf("one look-up asked for %d actors, more than a batch (%d)", b, maxBatch)
	}
	if got := w.ids.Load(); got != n {
		t.Errorf("%d ids asked for, want each of the %d once", got, n)
	}
	if c := w.calls.Load(); c > n/maxBatch+2 {
		t.Errorf("%d look-ups for %d actors asked for at once, want about %d", c, n, n/maxBatch)
	}
}

// TestProfilesStaleServedWhileRead: a profile older than profileFresh is
// served as it is while the next batch reads it again, once however many
// ask meanwhile, and the new one is served after.
func TestProfilesStaleServedWhileRead(t *testing.T) {
	ctx := context.Background()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &countingProfileWiki{pages: map[int64]wiki.PageProfile{7: {ID: 7, Extract: "Old opening."}}, delay: 20 * time.Millisecond}
	p := NewProfiles(w, st, nil)
	ref := Ref{Kind: KindPage, ID: 7}
	if pr, err := p.Get(ctx, ref); err != nil || pr.Bio != "Old opening." {
		t.Fatalf("cold: %+v %v", pr, err)
	}
	w.mu.Lock()
	w.pages[7] = wiki.PageProfile{ID: 7, Extract: "New opening."}
	w.mu.Unlock()
	stale, _ := p.cache.Get(ref)
	aged := *stale
	aged.fetched = time.Now().Add(-profileFresh - time.Minute)
	p.cache.Put(ref, &aged)
	before := w.calls.Load()
	for range 10 {
		if pr, err := p.Get(ctx, ref); err != nil || pr.Bio != "Old opening." {
			t.Fatalf("stale: %+v %v, want the old profile served while it is read", pr, err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		pr, err := p.Get(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if pr.Bio == "New opening." {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stale profile was never read again: %+v", pr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := w.calls.Load() - before; n != 1 {
		t.Errorf("a stale profile asked for 10 times: %d wiki reads, want 1", n)
	}
}
