package wiki_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// BenchmarkProfiles measures the profile look-ups against the real test
// wiki (PageImages, TextExtracts, GD thumbnails), reporting the API
// requests each makes beside its time. The wiki has no object cache, so
// every extract is parsed anew: these are cold figures.
func BenchmarkProfiles(b *testing.B) {
	w := testenv.MediaWiki(b)
	admin := w.Login(b)
	ctx := context.Background()
	admin.UploadImage(b, "Bench.png", 800, 600, 1, "bench")
	var ids []int64
	var names []string
	for i := range 50 {
		title := fmt.Sprintf("Bench %02d", i)
		admin.Edit(b, title, fmt.Sprintf("[[File:Bench.png|thumb]]\n'''Bench %d''' is a page. It has two sentences. Or three.\n[[Category:Bench]]", i), "create")
		pages, err := admin.C.PagesByTitle(ctx, []string{title})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, pages[title].ID)
	}
	for i := range 20 {
		name := fmt.Sprintf("Bench user %02d", i)
		w.Maint(b, "createAndPromote.php", "--force", name, "bench-user-pass-0123")
		admin.Edit(b, "User:"+name, "I am a bench user. I edit a lot.", "create")
		names = append(names, name)
	}
	r1 := admin.Edit(b, "Bench log", "* 09:00 a: one\n", "log")
	r2 := admin.Edit(b, "Bench log", "* 09:00 a: one\n* 10:00 b: restarted [[nginx]]\n", "log")
	c, reqs := countingClient(b, w)

	run := func(name string, f func() error) {
		b.Run(name, func(b *testing.B) {
			reqs.n.Store(0)
			for range b.N {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(reqs.n.Load())/float64(b.N), "requests/op")
		})
	}
	for _, n := range []int{1, 20, 50} {
		run(fmt.Sprintf("PageProfiles/%d", n), func() error {
			_, err := c.PageProfiles(ctx, ids[:n], wiki.ProfileOptions{})
			return err
		})
	}
	run("UserProfilesByName/20", func() error {
		_, err := c.UserProfilesByName(ctx, names, wiki.ProfileOptions{})
		return err
	})
	run("SiteProfile", func() error {
		_, err := c.SiteProfile(ctx, wiki.ProfileOptions{})
		return err
	})
	run("AddedText", func() error {
		_, err := c.AddedText(ctx, r1, r2, 300)
		return err
	})
}
