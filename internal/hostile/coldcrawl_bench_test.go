package hostile

import (
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkColdActorCrawl: a crawler fetches 1,000 actors nobody asked for
// before (real pages of a real wiki), eight at a time, as a Fediverse
// server asks for them, from a wikipub that has just started (its caches
// empty), with the default settings; then 1,000 actors of pages that do
// not exist. Reported: wikipub's own CPU time per fetch (user + system,
// from /proc; the wiki's PHP is not counted), less what the process
// spends anyway while idle (watching recent changes: measured for 10 s
// before the crawl); the same for a missing page, which costs one wiki
// look-up and nothing else, so the difference is what a never-seen actor
// costs beyond asking the wiki; how many requests wikipub made to the wiki
// per fetch (the watcher's polls included); the latency of a fetch; and
// how many records the store gained. Each round restarts wikipub on the same
// store, so every fetch is cold whatever b.N is.
//
//	go test -run '^$' -bench ColdActorCrawl -benchtime 1x ./internal/hostile/
func BenchmarkColdActorCrawl(b *testing.B) {
	const n = 1000
	f := newFixture(b)
	f.w.BacklogPages(b, 2*n, 2*n)
	all := f.pageIDs(b, "Backlog page ", 2*n)
	ids := all[:n]
	missing := make([]int64, n)
	for i := range missing {
		missing[i] = int64(5_000_000 + i)
	}
	tg := startTarget(b, f, "bolt", "--poll", "1s")
	// The key pool's keys are made once per deployment, when first needed:
	// a crawl of other pages makes them before the one measured.
	crawlActors(b, tg, all[n:], crawlers, http.StatusOK)
	var cold, gone time.Duration
	var asked int
	var lat []time.Duration
	before := tg.storeSize(b)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		tg.restart(b)
		// A fresh process draws the wiki's logo as the avatar once (about
		// a second of CPU), in the background: let it finish before the
		// idle rate is taken, or it counts as idle.
		crawlActors(b, tg, all[n:n+1], 1, http.StatusOK)
		time.Sleep(3 * time.Second)
		idle := idleCPURate(b, tg)
		b.StartTimer()
		asked0 := tg.wiki.total()
		cpu, took := crawlCPU(b, tg, func() { lat = append(lat, crawlActors(b, tg, ids, crawlers, http.StatusOK)...) })
		cold += cpu - time.Duration(idle*float64(took))
		b.StopTimer()
		asked += tg.wiki.total() - asked0
		cpu, took = crawlCPU(b, tg, func() { crawlActors(b, tg, missing, crawlers, http.StatusNotFound) })
		gone += cpu - time.Duration(idle*float64(took))
		b.StartTimer()
	}
	b.StopTimer()
	grew := tg.storeSize(b) - before
	slices.Sort(lat)
	per := float64(b.N * n)
	b.ReportMetric(float64(cold.Microseconds())/1000/per, "ms-cpu/fetch")
	b.ReportMetric(float64(gone.Microseconds())/1000/per, "ms-cpu/missing-fetch")
	b.ReportMetric(float64(asked)/per, "wiki-requests/fetch")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
	b.ReportMetric(float64(grew)/per, "records/fetch")
}

// idleCPURate is the share of a CPU the process uses doing nothing for us.
func idleCPURate(b *testing.B, tg *target) float64 {
	c0, start := processCPU(b, tg.wp.PID()), time.Now()
	time.Sleep(10 * time.Second)
	return float64(processCPU(b, tg.wp.PID())-c0) / float64(time.Since(start))
}

// crawlCPU runs crawl and returns the CPU time the process spent and the
// time it took.
func crawlCPU(b *testing.B, tg *target, crawl func()) (time.Duration, time.Duration) {
	c0, start := processCPU(b, tg.wp.PID()), time.Now()
	crawl()
	return processCPU(b, tg.wp.PID()) - c0, time.Since(start)
}

// crawlers is how many fetches the crawler keeps going at once.
const crawlers = 8

// crawlClient keeps a connection open per fetch in flight, as a server
// that fetches from one host keeps a pool: a new TCP connection per fetch
// would be measured as wikipub's cost.
var crawlClient = &http.Client{
	Timeout: 30 * time.Second,
	Transport: func() http.RoundTripper {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = crawlers
		return tr
	}(),
}

// crawlActors fetches the actor of each page, workers at a time, wants
// each answered with status, and returns how long each fetch took.
func crawlActors(b *testing.B, tg *target, ids []int64, workers, status int) []time.Duration {
	var mu sync.Mutex
	var lat []time.Duration
	next := make(chan int64)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				req, _ := http.NewRequest(http.MethodGet, tg.base+"/ap/page/"+strconv.FormatInt(id, 10), nil)
				req.Header.Set("Accept", "application/activity+json")
				start := time.Now()
				resp, err := crawlClient.Do(req)
				took := time.Since(start)
				if err != nil {
					b.Error(err)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != status || (status == http.StatusOK && !strings.Contains(string(body), "publicKeyPem")) {
					b.Errorf("GET page %d: %d, want %d: %.200s", id, resp.StatusCode, status, body)
				}
				mu.Lock()
				lat = append(lat, took)
				mu.Unlock()
			}
		}()
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
	return lat
}

// processCPU is a process's CPU time so far (user + system).
func processCPU(tb testing.TB, pid int) time.Duration {
	tb.Helper()
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		tb.Skipf("no /proc to measure CPU time: %v", err)
	}
	// After the command name (in parentheses) come the state (field 3),
	// then utime (14) and stime (15), in clock ticks of 10 ms.
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
