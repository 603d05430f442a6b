// Benchmarks of the Fediverse-facing reads, against a real MediaWiki (the
// test wiki of internal/testenv) and the embedded bolt store, over real TCP
// on 127.0.0.1. The HTTP clients run in the same process as wikipub, so
// client and server share the machine's cores: the figures are a floor of
// what wikipub alone would serve.
//
// Cached actor documents and WebFinger answers (a hot actor: the document,
// the actor and the handle are in wikipub's caches), at several numbers of
// concurrent keep-alive clients, reporting req/s and the p50/p99 latency of
// single requests in µs:
//
//	go test -run '^$' -bench 'Cached' -benchtime 5s ./federation/integration/
//
// A cold actor fetch (an actor nobody asked for before: a wiki API call for
// the page and its first revision, the handle claimed in the store, an
// RSA-2048 key made and stored, the document rendered), in ms per fetch,
// with the two costly parts measured alone beside it:
//
//	go test -run '^$' -bench ActorCold -benchtime 100x ./federation/integration/
//
// Each benchmark sets up its own wiki (a few seconds); the setup is not
// timed. Add -cpuprofile cpu.out to see where the time goes.
package integration

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/activity"
	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// benchParallelism is how many client goroutines per GOMAXPROCS the cached
// benchmarks run, one sub-benchmark each: light to saturating load.
var benchParallelism = []int{1, 4, 16}

// BenchmarkActorCached: GET /ap/page/{id} as a Fediverse server asks it
// (Accept: application/activity+json), for an actor already served once.
func BenchmarkActorCached(b *testing.B) {
	w := testenv.MediaWiki(b)
	w.Login(b).Edit(b, "Benchmark page", "A page for the benchmark.", "create")
	inst := startBenchInstance(b, w, openBenchBolt(b))
	id := benchPageIDs(b, inst.client, []string{"Benchmark page"})[0]
	u := inst.base + "/ap/page/" + strconv.FormatInt(id, 10)
	hc := benchHTTPClient()
	doc := benchGet(b, hc, u, activity.ContentType)
	var actor struct{ ID, PreferredUsername string }
	if err := json.Unmarshal(doc, &actor); err != nil || actor.ID != u {
		b.Fatalf("actor document of %s: %v %s", u, err, doc)
	}
	for _, p := range benchParallelism {
		b.Run(fmt.Sprintf("clients=%d", p*runtime.GOMAXPROCS(0)), func(b *testing.B) {
			benchParallelGet(b, hc, p, u, activity.ContentType, len(doc))
		})
	}
}

// BenchmarkUserActorCached: GET /ap/user/{id} for an editor already served
// once. An editor is re-checked with the wiki once a second (an account
// hidden on the wiki must stop being served at once), so this is the
// cached figure with that check's cost spread over it.
func BenchmarkUserActorCached(b *testing.B) {
	w := testenv.MediaWiki(b)
	w.NewEditor(b, "Bench Editor")
	inst := startBenchInstance(b, w, openBenchBolt(b))
	users, err := inst.client.UsersByName(context.Background(), []string{"Bench Editor"})
	if err != nil || users["Bench Editor"].ID == 0 {
		b.Fatalf("Bench Editor: %v %v", users, err)
	}
	u := inst.base + "/ap/user/" + strconv.FormatInt(users["Bench Editor"].ID, 10)
	hc := benchHTTPClient()
	doc := benchGet(b, hc, u, activity.ContentType)
	for _, p := range benchParallelism {
		b.Run(fmt.Sprintf("clients=%d", p*runtime.GOMAXPROCS(0)), func(b *testing.B) {
			benchParallelGet(b, hc, p, u, activity.ContentType, len(doc))
		})
	}
}

// BenchmarkWebFingerCached: GET /.well-known/webfinger?resource=acct:h@host
// for a handle already looked up once.
func BenchmarkWebFingerCached(b *testing.B) {
	w := testenv.MediaWiki(b)
	w.Login(b).Edit(b, "Benchmark page", "A page for the benchmark.", "create")
	inst := startBenchInstance(b, w, openBenchBolt(b))
	hc := benchHTTPClient()
	subject := "acct:benchmark_page@" + inst.host
	u := inst.base + "/.well-known/webfinger?resource=" + url.QueryEscape(subject)
	body := benchGet(b, hc, u, "application/jrd+json")
	var jrd struct{ Subject string }
	if err := json.Unmarshal(body, &jrd); err != nil || jrd.Subject != subject {
		b.Fatalf("WebFinger of %s: %v %s", subject, err, body)
	}
	for _, p := range benchParallelism {
		b.Run(fmt.Sprintf("clients=%d", p*runtime.GOMAXPROCS(0)), func(b *testing.B) {
			benchParallelGet(b, hc, p, u, "application/jrd+json", len(body))
		})
	}
}

// benchColdPool is how many distinct pages the cold benchmark makes up
// front (in one PHP process: a few seconds). When b.N is larger, a fresh
// instance (new store, empty caches) serves the next round of the same
// pages, so every timed fetch is cold whatever b.N is.
const benchColdPool = 200

// BenchmarkActorCold: GET /ap/page/{id} for a page no one has asked for,
// serially (one fetch at a time). Beside it, alone: the wiki API call the
// resolver makes (PageByID) and the generation of an RSA-2048 key.
func BenchmarkActorCold(b *testing.B) {
	w := testenv.MediaWiki(b)
	w.Backlog(b, benchColdPool) // "Backlog page 0" … "Backlog page 199", one edit each
	c := benchWikiClient(b, w)
	titles := make([]string, benchColdPool)
	for i := range titles {
		titles[i] = "Backlog page " + strconv.Itoa(i)
	}
	ids := benchPageIDs(b, c, titles)
	hc := benchHTTPClient()

	b.Run("fetch", func(b *testing.B) {
		var inst *benchInstance
		next := len(ids)
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if next == len(ids) {
				b.StopTimer()
				inst = startBenchInstance(b, w, openBenchBolt(b))
				next = 0
				b.StartTimer()
			}
			u := inst.base + "/ap/page/" + strconv.FormatInt(ids[next], 10)
			next++
			t0 := time.Now()
			n, err := benchDo(hc, benchRequest(b, u, activity.ContentType))
			lat = append(lat, time.Since(t0))
			if err != nil {
				b.Fatalf("GET %s: %v", u, err)
			}
			if n < 1000 {
				b.Fatalf("GET %s: a %d-byte actor document", u, n)
			}
		}
		b.StopTimer()
		reportLatency(b, lat, time.Millisecond, "ms")
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	})

	b.Run("part=wiki-PageByID", func(b *testing.B) {
		ctx := context.Background()
		for i := 0; i < b.N; i++ {
			if _, err := c.PageByID(ctx, ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	})

	b.Run("part=rsa-2048-keygen", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := rsa.GenerateKey(rand.Reader, 2048); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	})
}

// benchParallelGet GETs u from p×GOMAXPROCS goroutines over one keep-alive
// client until b.N requests are done, and reports req/s and the p50 and p99
// of single requests. Every answer must be a 200 of wantLen bytes.
func benchParallelGet(b *testing.B, hc *http.Client, p int, u, accept string, wantLen int) {
	var (
		mu       sync.Mutex
		all      = make([]time.Duration, 0, b.N)
		failed   atomic.Bool
		firstErr error
	)
	b.SetParallelism(p)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		lat := make([]time.Duration, 0, 1024)
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			panic(err)
		}
		req.Header.Set("Accept", accept)
		for pb.Next() {
			if failed.Load() {
				continue // drain: b.Fatal may not be called here
			}
			t0 := time.Now()
			n, err := benchDo(hc, req)
			lat = append(lat, time.Since(t0))
			if err == nil && n != int64(wantLen) {
				err = fmt.Errorf("a %d-byte answer, the warm-up one had %d", n, wantLen)
			}
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("GET %s: %w", u, err)
				}
				mu.Unlock()
				failed.Store(true)
			}
		}
		mu.Lock()
		all = append(all, lat...)
		mu.Unlock()
	})
	b.StopTimer()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	reportLatency(b, all, time.Microsecond, "µs")
}

// reportLatency reports the p50 and p99 (nearest rank) of lat in unit.
func reportLatency(b *testing.B, lat []time.Duration, unit time.Duration, name string) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	rank := func(q float64) time.Duration {
		i := int(math.Ceil(q*float64(len(lat)))) - 1
		return lat[max(i, 0)]
	}
	b.ReportMetric(float64(rank(0.50))/float64(unit), "p50-"+name)
	b.ReportMetric(float64(rank(0.99))/float64(unit), "p99-"+name)
}

// benchDo sends req and reads the whole body (so the connection is reused);
// anything but a 200 is an error.
func benchDo(hc *http.Client, req *http.Request) (int64, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return n, err
	}
	if resp.StatusCode != http.StatusOK {
		return n, fmt.Errorf("status %s", resp.Status)
	}
	return n, nil
}

func benchRequest(b *testing.B, u, accept string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	return req
}

// benchGet is one checked GET returning the body (the warm-up request).
func benchGet(b *testing.B, hc *http.Client, u, accept string) []byte {
	b.Helper()
	resp, err := hc.Do(benchRequest(b, u, accept))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %s %v %s", u, resp.Status, err, body)
	}
	return body
}

// benchHTTPClient keeps a connection per client goroutine alive.
func benchHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        0, // no limit
		MaxIdleConnsPerHost: 1024,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}, Timeout: time.Minute}
}

// benchInstance is startInstance for benchmarks: wikipub's federation side
// on 127.0.0.1 as `wikipub serve` wires it (default cache TTL, deliverer
// with its default idle wait, ReadHeaderTimeout), logs discarded.
type benchInstance struct {
	client *wiki.Client
	base   string
	host   string
}

func startBenchInstance(b testing.TB, w *testenv.Wiki, st store.Store) *benchInstance {
	b.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	c, err := wiki.New(ctx, wiki.Config{API: w.API, UserAgent: "wikipub-bench", BotUser: w.BotUser, BotPassword: w.BotPass, Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	outbound := remote.NewHTTPClient([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	fed := wire(fedConfig{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, PublicURL: base, Discoverable: true, Version: "bench", UserAgent: "wikipub-bench", Logger: log,
		Delivery: delivery.Config{Logger: log}}, c, st, outbound)
	mux := http.NewServeMux()
	fed.Routes(mux)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	dctx, cancel := context.WithCancel(ctx)
	d := fed.deliverer
	done := make(chan struct{})
	go func() { d.Run(dctx); close(done) }()
	b.Cleanup(func() { cancel(); srv.Close(); <-done })
	return &benchInstance{client: c, base: base, host: ln.Addr().String()}
}

func openBenchBolt(b testing.TB) store.Store {
	s, err := boltstore.Open(filepath.Join(b.TempDir(), "w.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchWikiClient(b testing.TB, w *testenv.Wiki) *wiki.Client {
	c, err := wiki.New(context.Background(), wiki.Config{API: w.API, UserAgent: "wikipub-bench", BotUser: w.BotUser, BotPassword: w.BotPass, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// benchPageIDs looks the titles up, 50 a request, in order.
func benchPageIDs(b testing.TB, c *wiki.Client, titles []string) []int64 {
	b.Helper()
	ids := make([]int64, 0, len(titles))
	for chunk := range slices.Chunk(titles, 50) {
		pages, err := c.PagesByTitle(context.Background(), chunk)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range chunk {
			p, ok := pages[t]
			if !ok {
				b.Fatalf("page %q is not on the wiki", t)
			}
			ids = append(ids, p.ID)
		}
	}
	return ids
}
