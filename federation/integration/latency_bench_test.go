// BenchmarkEditToInbox measures how long an edit takes to reach a
// follower's inbox: from the moment the wiki's edit API call returns to the
// moment the strict test peer (internal/fedpeer) has verified and accepted
// the Create of that revision. Everything is real and on 127.0.0.1: the test
// MediaWiki (PHP's built-in server, one worker, sqlite), wikipub wired as
// `wikipub serve` wires it with its default settings (embedded bolt store,
// watcher polling every 1 s, deliverer with 8 workers and its default 1 s
// idle wait, the revision sweeper), and a peer following the page's actor.
//
//	go test -run '^$' -bench EditToInbox -benchtime 1x ./federation/integration/
//
// The three sub-benchmarks together take about 12 minutes, more than go
// test's default 10-minute timeout: add -timeout 30m, or run one at a time
// (-bench EditToInbox/poll).
//
// Sub-benchmarks:
//
//	poll           the watcher polls recent changes every second (the default)
//	udp            the same, plus the UDP wake-up: the wiki's $wgRCFeeds sends
//	               each change to wiki.ListenRCFeed, which wakes the watcher
//	               (`--rc-udp`)
//	udp-fastqueue  udp with delivery.Config.Idle at 50 ms instead of 1 s, to
//	               show what the deliverer's idle wait costs
//
// b.N is ignored: each sub-benchmark sets up its own wiki and instance, then
// makes WIKIPUB_BENCH_EDITS edits (default 200) one after the other, each
// waited for until the peer has it; hence -benchtime 1x. A few warm-up
// edits (caches, keys, connections) come first and are not counted. Before
// each edit the benchmark waits a random 0–1 s, so edits fall at random
// points of the watcher's poll interval and the deliverer's idle wait, as
// real edits do, instead of locking onto their rhythm.
//
// Reported per sub-benchmark: p50-ms, p99-ms (nearest rank), max-ms and
// mean-ms of the latency, and the number of edits. A table printed before
// each result line splits the latency into stages, from timestamps taken
// around the watcher's recent-changes reads, the publisher and the queue's
// Claim; the stages' means add up to the mean latency:
//
//	wait     edit returned → start of the first read that returned the revision
//	read     that read (list=recentchanges through the API)
//	publish  read returned → publisher returned (deliveries durably queued)
//	queue    queued → claimed by the deliverer (its idle wait)
//	deliver  claimed → accepted by the peer (sign, POST, verify)
//
// and, with the UDP wake-up, when the wiki's packet arrived and how many
// woken reads came too early to see the change. wait and packet can be
// negative: MediaWiki writes the recent-changes row after sending its
// answer, but PHP's built-in server ends the response only when the
// script has finished, so the row and the packet can come first.
package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/publish"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// latWarmupEdits are made and waited for before the measured ones.
const latWarmupEdits = 3

// latJitter is the largest random pause before each edit: one poll interval
// and one idle wait of the deliverer.
const latJitter = time.Second

type latMode struct {
	name string
	udp  bool          // the wiki sends $wgRCFeeds packets, wikipub listens
	idle time.Duration // delivery.Config.Idle; 0 is the default (1 s)
}

func BenchmarkEditToInbox(b *testing.B) {
	n := 200
	if s := os.Getenv("WIKIPUB_BENCH_EDITS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("WIKIPUB_BENCH_EDITS=%q: want a positive number", s)
		}
		n = v
	}
	for _, m := range []latMode{
		{name: "poll"},
		{name: "udp", udp: true},
		{name: "udp-fastqueue", udp: true, idle: 50 * time.Millisecond},
	} {
		b.Run(m.name, func(b *testing.B) { benchEditToInbox(b, m, n) })
	}
}

func benchEditToInbox(b *testing.B, m latMode, n int) {
	w := testenv.MediaWiki(b)
	rcAddr := ""
	if m.udp {
		port, err := testenv.FreeUDPPort()
		if err != nil {
			b.Fatal(err)
		}
		rcAddr = fmt.Sprintf("127.0.0.1:%d", port)
		w.AddSettings(b, fmt.Sprintf(`$wgRCFeeds['wikipub'] = ['formatter' => 'JSONRCFeedFormatter', 'uri' => 'udp://%s'];`, rcAddr))
	}
	admin := w.Login(b)
	const title = "Latency page"
	admin.Edit(b, title, "Created for the latency benchmark.", "create")

	inst := startLatencyInstance(b, w, openBenchBolt(b), m.idle)
	inst.watch(b, rcAddr)

	peer := fedpeer.New(b)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	a, err := peer.Lookup(ctx, "latency_page@"+inst.host)
	if err != nil {
		b.Fatalf("lookup: %v", err)
	}
	followID, err := peer.Follow(ctx, a)
	if err != nil {
		b.Fatalf("follow: %v", err)
	}
	if _, err := peer.WaitAccept(ctx, followID); err != nil {
		b.Fatalf("accept: %v", err)
	}
	cancel()

	edit := func(i int) (rev int64, began, returned time.Time) {
		began = time.Now()
		rev = admin.Edit(b, title, fmt.Sprintf("Edit %d of the latency benchmark, %d.", i, began.UnixNano()), "latency "+strconv.Itoa(i))
		returned = time.Now()
		if rev == 0 {
			b.Fatalf("edit %d was a null edit", i)
		}
		return rev, began, returned
	}
	wait := func(rev int64) fedpeer.Delivery {
		obj := inst.base + "/ap/rev/" + strconv.FormatInt(rev, 10)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		d, err := peer.WaitFor(ctx, func(d fedpeer.Delivery) bool { return d.Type == "Create" && objectID(d.Activity) == obj })
		if err != nil {
			b.Fatalf("the Create of revision %d did not arrive: %v\nwikipub's warnings:\n%s", rev, err, inst.logs.tail(20))
		}
		return d
	}

	for i := range latWarmupEdits {
		rev, _, _ := edit(-1 - i)
		wait(rev)
	}

	samples := make([]latSample, 0, n)
	b.ResetTimer()
	for i := range n {
		time.Sleep(rand.N(latJitter))
		rev, began, returned := edit(i)
		d := wait(rev)
		samples = append(samples, latSample{rev: rev, began: began, returned: returned, received: d.Received})
	}
	b.StopTimer()

	lat := make([]time.Duration, len(samples))
	for i, s := range samples {
		lat[i] = s.received.Sub(s.returned)
	}
	sorted := slices.Sorted(slices.Values(lat))
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(0, "ns/op") // b.N is 1: the whole run's time says nothing
	b.ReportMetric(ms(latRank(sorted, 0.50)), "p50-ms")
	b.ReportMetric(ms(latRank(sorted, 0.99)), "p99-ms")
	b.ReportMetric(ms(sorted[len(sorted)-1]), "max-ms")
	b.ReportMetric(ms(latMean(lat)), "mean-ms")
	b.ReportMetric(float64(len(samples)), "edits")

	inst.trace.report(b, m, samples)
	if t := inst.logs.tail(8); t != "" {
		b.Logf("wikipub's warnings and errors:\n%s", t)
	}
	for i, rj := range peer.Rejected() {
		if i == 10 {
			b.Errorf("… %d more refusals", len(peer.Rejected())-i)
			break
		}
		b.Errorf("the peer refused: %s %s %d: %v", rj.Method, rj.Path, rj.Status, rj.Err)
	}
}

type latSample struct {
	rev                       int64
	began, returned, received time.Time
}

// latInstance is wikipub as `wikipub serve` runs it, with timestamps taken
// at the seams: recent-changes reads, the publisher, the queue's Claim and
// the UDP packets.
type latInstance struct {
	client *wiki.Client
	fed    *fedSide
	store  store.Store
	base   string
	host   string
	trace  *latTrace
	logs   *latLog
	log    *slog.Logger
}

// startLatencyInstance mirrors startInstance for benchmarks, with the
// deliverer's defaults (idle 0 keeps its default) and the revision sweeper,
// as serve wires them; warnings and errors are kept for the report.
func startLatencyInstance(b *testing.B, w *testenv.Wiki, st store.Store, idle time.Duration) *latInstance {
	b.Helper()
	ctx := context.Background()
	logs := &latLog{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := wiki.New(ctx, wiki.Config{API: w.API, UserAgent: "wikipub-bench", BotUser: w.BotUser, BotPassword: w.BotPass, Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	trace := newLatTrace(base)
	outbound := remote.NewHTTPClient([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	fed := wire(fedConfig{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, PublicURL: base, Discoverable: true, Indexable: true, Version: "bench", UserAgent: "wikipub-bench", Logger: log,
		Queue:    &latQueue{Store: st, trace: trace},
		Delivery: delivery.Config{Idle: idle, UserAgent: "wikipub-bench", Logger: log}}, c, st, outbound)
	mux := http.NewServeMux()
	fed.Routes(mux)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	dctx, cancel := context.WithCancel(ctx)
	d := fed.deliverer // as serve wires it: a new post wakes the deliverer
	done := make(chan struct{})
	go func() { d.Run(dctx); close(done) }()
	sweepDone := make(chan struct{})
	go func() { fed.NewSweeper(publish.SweepConfig{Logger: log}).Run(dctx); close(sweepDone) }()
	b.Cleanup(func() { cancel(); srv.Close(); <-done; <-sweepDone })
	return &latInstance{client: c, fed: fed, store: st, base: base, host: ln.Addr().String(), trace: trace, logs: logs, log: log}
}

// watch runs the watcher as serve does (poll 1 s, the other defaults, the
// store as cursor store, bots filtered out) for the rest of the benchmark;
// with rcAddr it listens there for the wiki's UDP packets.
func (inst *latInstance) watch(b *testing.B, rcAddr string) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	wake := make(chan struct{}, 1)
	if rcAddr != "" {
		// A relay between the listener and the watcher notes when each
		// packet came; it forwards as the listener does, without blocking.
		relay := make(chan struct{}, 1)
		if err := wiki.ListenRCFeed(ctx, rcAddr, relay, inst.log); err != nil {
			cancel()
			b.Fatal(err)
		}
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-relay:
					inst.trace.packet(time.Now())
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			}
		}()
	}
	handle := func(ctx context.Context, changes []wiki.Change) error {
		err := inst.fed.Publisher().Handle(ctx, changes)
		if err == nil {
			inst.trace.handled(changes, time.Now())
		}
		return err
	}
	w := wiki.NewWatcher(&latRC{c: inst.client, trace: inst.trace}, latCursor{inst.store}, handle, wiki.WatcherConfig{
		Poll: time.Second, Start: inst.client.Site().Time, Wake: wake, Logger: inst.log,
	})
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	b.Cleanup(func() { cancel(); <-done })
}

// latCursor is serve's cursorStore: the store, with its "not found" mapped
// to the watcher's.
type latCursor struct{ store.Store }

func (c latCursor) Cursor(ctx context.Context, name string) ([]byte, error) {
	v, err := c.Store.Cursor(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, wiki.ErrNoCursor
	}
	return v, err
}

// latRC times the watcher's reads of recent changes.
type latRC struct {
	c     *wiki.Client
	trace *latTrace
}

func (r *latRC) RecentChanges(ctx context.Context, q wiki.RCQuery) ([]wiki.Change, string, error) {
	start := time.Now()
	rows, next, err := r.c.RecentChanges(ctx, q)
	r.trace.read(q, rows, start, time.Now())
	return rows, next, err
}

// latQueue times the deliverer's claims.
type latQueue struct {
	store.Store
	trace *latTrace
}

func (q *latQueue) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.Delivery, error) {
	ds, err := q.Store.Claim(ctx, now, limit, lease)
	q.trace.claimed(ds, time.Now())
	return ds, err
}

// latRead is one list=recentchanges call of the watcher.
type latRead struct {
	start, end time.Time
	sweep      bool // the late sweep's categorize-only read
}

// latTrace keeps, per revision, when each stage first saw it.
type latTrace struct {
	base      string
	mu        sync.Mutex
	reads     []latRead
	seen      map[int64]latRead   // the first read that returned the revision
	handledAt map[int64]time.Time // the publisher returned (deliveries queued)
	claimedAt map[int64]time.Time // the deliverer claimed the revision's Create
	packets   []time.Time         // UDP packets from the wiki
}

func newLatTrace(base string) *latTrace {
	return &latTrace{base: base, seen: map[int64]latRead{}, handledAt: map[int64]time.Time{}, claimedAt: map[int64]time.Time{}}
}

func (t *latTrace) read(q wiki.RCQuery, rows []wiki.Change, start, end time.Time) {
	r := latRead{start: start, end: end, sweep: len(q.Types) > 0}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reads = append(t.reads, r)
	for i := range rows {
		if rev := rows[i].RevID; rev != 0 {
			if _, ok := t.seen[rev]; !ok {
				t.seen[rev] = r
			}
		}
	}
}

func (t *latTrace) handled(changes []wiki.Change, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range changes {
		if rev := changes[i].RevID; rev != 0 {
			if _, ok := t.handledAt[rev]; !ok {
				t.handledAt[rev] = at
			}
		}
	}
}

func (t *latTrace) claimed(ds []store.Delivery, at time.Time) {
	prefix := t.base + "/ap/rev/"
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, d := range ds {
		var act struct{ ID, Type string }
		if json.Unmarshal(d.Body, &act) != nil || act.Type != "Create" || !strings.HasPrefix(act.ID, prefix) {
			continue
		}
		rev, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(act.ID, prefix), "/activity"), 10, 64)
		if err != nil {
			continue
		}
		if _, ok := t.claimedAt[rev]; !ok {
			t.claimedAt[rev] = at
		}
	}
}

func (t *latTrace) packet(at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.packets = append(t.packets, at)
}

// report prints the stages of the measured edits: p50, p90, p99, mean, max of
// each, so the means add up to the mean latency.
func (t *latTrace) report(b *testing.B, m latMode, samples []latSample) {
	t.mu.Lock()
	defer t.mu.Unlock()
	stages := []string{"edit call", "wait", "read", "publish", "queue", "deliver", "total"}
	if m.udp {
		stages = append(stages, "packet", "packet→read")
	}
	vals := map[string][]time.Duration{}
	missed, early := 0, 0
	for _, s := range samples {
		r, ok1 := t.seen[s.rev]
		h, ok2 := t.handledAt[s.rev]
		c, ok3 := t.claimedAt[s.rev]
		if !ok1 || !ok2 || !ok3 {
			b.Logf("revision %d: a stage has no timestamp (read %v, published %v, claimed %v)", s.rev, ok1, ok2, ok3)
			continue
		}
		vals["edit call"] = append(vals["edit call"], s.returned.Sub(s.began))
		vals["wait"] = append(vals["wait"], r.start.Sub(s.returned))
		vals["read"] = append(vals["read"], r.end.Sub(r.start))
		vals["publish"] = append(vals["publish"], h.Sub(r.end))
		vals["queue"] = append(vals["queue"], c.Sub(h))
		vals["deliver"] = append(vals["deliver"], s.received.Sub(c))
		vals["total"] = append(vals["total"], s.received.Sub(s.returned))
		if !m.udp {
			continue
		}
		// The edit's packet: the first one after the edit call began.
		i, _ := slices.BinarySearchFunc(t.packets, s.began, func(p, x time.Time) int { return p.Compare(x) })
		if i == len(t.packets) || t.packets[i].After(s.received) {
			missed++
			continue
		}
		p := t.packets[i]
		vals["packet"] = append(vals["packet"], p.Sub(s.returned))
		vals["packet→read"] = append(vals["packet→read"], r.start.Sub(p))
		// Reads (not the late sweep) that began after the packet but
		// before the one that saw the revision: woken too early.
		for _, x := range t.reads {
			if !x.sweep && !x.start.Before(p) && x.start.Before(r.start) {
				early++
				break
			}
		}
	}
	var tw strings.Builder
	fmt.Fprintf(&tw, "%s: stages of %d edits, in ms, each from the previous stage (edit call: the API call itself, not counted; packet: from the edit call's return)\n", b.Name(), len(samples))
	fmt.Fprintf(&tw, "  %-12s %8s %8s %8s %8s %8s\n", "stage", "p50", "p90", "p99", "mean", "max")
	for _, st := range stages {
		v := vals[st]
		if len(v) == 0 {
			continue
		}
		s := slices.Sorted(slices.Values(v))
		f := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		fmt.Fprintf(&tw, "  %-12s %8.1f %8.1f %8.1f %8.1f %8.1f\n", st, f(latRank(s, 0.5)), f(latRank(s, 0.9)), f(latRank(s, 0.99)), f(latMean(v)), f(s[len(s)-1]))
	}
	if m.udp {
		fmt.Fprintf(&tw, "  edits without a UDP packet: %d; edits whose woken read came too early to see them: %d\n", missed, early)
	}
	nonSweep := 0
	for _, r := range t.reads {
		if !r.sweep {
			nonSweep++
		}
	}
	fmt.Fprintf(&tw, "  recent-changes reads: %d (+%d late sweeps)\n", nonSweep, len(t.reads)-nonSweep)
	// Printed, not logged: the testing package cuts a benchmark's log
	// after ten lines.
	fmt.Print(tw.String())
}

// latRank is the nearest-rank q-quantile of sorted.
func latRank(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func latMean(v []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range v {
		sum += d
	}
	return sum / time.Duration(len(v))
}

// latLog keeps wikipub's warnings and errors, written from any goroutine.
type latLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *latLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// tail is the last n lines logged.
func (l *latLog) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(l.buf.String()), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
