package wiki_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	mwclient "cgt.name/pkg/go-mwclient"
	"cgt.name/pkg/go-mwclient/params"

	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// BenchmarkCatchUp measures how fast the watcher catches up a backlog of
// real changes (WIKIPUB_BENCH_BACKLOG, default 5000) on a real MediaWiki,
// next to the time the wiki itself needs to answer the same pages read raw
// through go-mwclient. Run with:
//
//	go test -run '^$' -bench CatchUp -benchtime 5x ./wiki/
func BenchmarkCatchUp(b *testing.B) {
	n := 5000
	if v := os.Getenv("WIKIPUB_BENCH_BACKLOG"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	w := testenv.MediaWiki(b)
	ctx := context.Background()
	anon, err := wiki.New(ctx, wiki.Config{API: w.API, UserAgent: "wikipub-bench", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	floor := anon.Site().Time
	time.Sleep(1100 * time.Millisecond)
	w.Backlog(b, n)

	for _, mode := range []string{"anonymous", "bot"} {
		var user, pass string
		if mode == "bot" {
			user, pass = w.BotUser, w.BotPass // highvolume: 5000 rows a page instead of 500
		}
		b.Run("api-raw/"+mode, func(b *testing.B) {
			mw, err := mwclient.New(w.API, "wikipub-bench")
			if err != nil {
				b.Fatal(err)
			}
			if user != "" {
				if err := mw.Login(user, pass); err != nil {
					b.Fatal(err)
				}
			}
			rows := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rows = rawCatchUp(b, mw, floor)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "changes/s")
			b.ReportMetric(float64(rows), "bytes-last")
		})
		b.Run("watcher/"+mode, func(b *testing.B) {
			c, err := wiki.New(ctx, wiki.Config{API: w.API, UserAgent: "wikipub-bench", BotUser: user, BotPassword: pass, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				got := 0
				watcher := wiki.NewWatcher(c, &memCursors{}, func(_ context.Context, chs []wiki.Change) error {
					got += len(chs)
					return nil
				}, wiki.WatcherConfig{Start: floor, Filter: wiki.Filter{IncludeBots: true}, Logger: slog.New(slog.DiscardHandler)})
				for {
					done, err := watcher.Poll(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if done {
						break
					}
				}
				if got < n {
					b.Fatalf("the watcher handed over %d changes, want %d", got, n)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "changes/s")
		})
	}
}

// rawCatchUp pages through the same query the watcher makes, reading the
// bodies without decoding them: the wiki's own time plus HTTP.
func rawCatchUp(b *testing.B, mw *mwclient.Client, floor time.Time) int {
	total := 0
	cont := ""
	for {
		p := params.Values{
			"action": "query", "list": "recentchanges", "rcdir": "newer",
			"rcstart": floor.UTC().Format(time.RFC3339), "rclimit": "max",
			"rcprop": "title|ids|sizes|flags|user|userid|comment|parsedcomment|timestamp|loginfo|tags|sha1|redirect",
			"rctype": "edit|new|log|categorize",
		}
		if cont != "" {
			p.Set("rccontinue", cont)
			p.Set("continue", "-||")
		}
		body, err := mw.GetRaw(p)
		if err != nil {
			b.Fatal(err)
		}
		total += len(body)
		i := bytes.Index(body, []byte(`"rccontinue":"`))
		if i < 0 {
			return total
		}
		rest := body[i+len(`"rccontinue":"`):]
		cont = string(rest[:bytes.IndexByte(rest, '"')])
	}
}

// memCursors is an in-memory cursor store: the benchmark measures reading,
// not the embedded store's fsync.
type memCursors struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *memCursors) Cursor(_ context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[name]; ok {
		return v, nil
	}
	return nil, wiki.ErrNoCursor
}

func (s *memCursors) SetCursor(_ context.Context, name string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[name] = v
	return nil
}
