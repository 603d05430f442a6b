package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/redisstore"
	"github.com/wikipub/wikipub/internal/fedpeer"
	"github.com/wikipub/wikipub/internal/testenv"
	"github.com/wikipub/wikipub/wiki"
)

// TestReplicas runs two `wikipub serve` processes on one Redis and one
// wiki, behind one public URL (a round-robin balancer in the test, as a
// load balancer in front of replicas would be):
//
//   - one edit of a page followed by 500 inboxes (strict test peers, each
//     verifying our signatures) reaches every inbox exactly once, and both
//     replicas take part in the fan-out;
//   - SIGKILL of the replica that watches recent changes hands the watch to
//     the other within 10 s, and every change made before, during and after
//     the takeover is reported, a repeat only coming from the batch the kill
//     cut.
func TestReplicas(t *testing.T) {
	t.Parallel()
	n := 500
	if v := os.Getenv("WIKIPUB_REPLICA_INBOXES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	w := testenv.MediaWiki(t)
	admin := w.Login(t)
	admin.Edit(t, "Replicated page", "Followed by many.", "setup")
	pages, err := admin.C.PagesByTitle(context.Background(), []string{"Replicated page"})
	if err != nil {
		t.Fatal(err)
	}
	redisURL := testenv.Redis(t).URL()

	lb := &balancer{tr: &http.Transport{}, backends: make([]string, 2)}
	front := httptest.NewServer(lb)
	t.Cleanup(front.Close)
	t.Cleanup(lb.tr.CloseIdleConnections)
	base := front.URL
	actorID := fmt.Sprintf("%s/ap/page/%d", base, pages["Replicated page"].ID)

	// n followers, each on its own server, seeded into Redis.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	st, err := redisstore.Open(context.Background(), redisURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Each inbox takes a while to answer, as remote servers do: one
	// replica alone would need n × inboxDelay / 8 workers (over 3 s), far
	// longer than the other replica's 1 s between looks at the queue, so
	// both must take part.
	const inboxDelay = 50 * time.Millisecond
	slow := fedpeer.WithMiddleware(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				time.Sleep(inboxDelay)
			}
			h.ServeHTTP(w, r)
		})
	})
	peers := make([]*fedpeer.Peer, n)
	for i := range peers {
		peers[i] = fedpeer.New(t, fedpeer.WithKey(key), fedpeer.WithUsername(fmt.Sprintf("reader%d", i)), slow)
		if _, err := st.AddFollower(context.Background(), actorID, store.Follower{
			ID: peers[i].ActorID(), Inbox: peers[i].InboxURL(), SharedInbox: peers[i].SharedInboxURL(), Since: time.Now(),
		}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(1100 * time.Millisecond) // the watcher's floor is a later second

	logDir := t.TempDir()
	replicas := make([]*daemon, 2)
	for i := range replicas {
		replicas[i] = startReplica(t, filepath.Join(logDir, fmt.Sprintf("replica%c.log", 'A'+i)), func(addr string) {
			lb.setBackend(i, addr)
		}, "--wiki", w.API, "--redis", redisURL, "--public-url", base,
			"--allow-private-addresses", "127.0.0.0/8",
			"--poll", "200ms", "--include-bots", "--log-format", "json", "--log-level", "debug",
			"--delivery-timeout", "2s", "--delivery-lease", "8s", "--retry-unit", "100ms", "--retry-base", "200ms")
	}
	// Exactly one of them watches.
	var watcher, other *daemon
	deadline := time.Now().Add(20 * time.Second)
	for watcher == nil {
		var holders []*daemon
		for _, r := range replicas {
			if _, ok := firstLogged(t, r, "watching recent changes"); ok {
				holders = append(holders, r)
			}
		}
		switch {
		case len(holders) > 1:
			t.Fatalf("both replicas watch recent changes at once")
		case len(holders) == 1:
			watcher = holders[0]
		case time.Now().After(deadline):
			t.Fatalf("no replica took the watcher lease within 20s; logs:\n%s\n%s", tail(replicas[0].logPath), tail(replicas[1].logPath))
		default:
			time.Sleep(100 * time.Millisecond)
		}
	}
	other = replicas[0]
	if watcher == other {
		other = replicas[1]
	}
	name := func(d *daemon) string { return filepath.Base(d.logPath) }

	// a. One edit, n deliveries, shared by the replicas, each made once.
	rev := admin.Edit(t, "Replicated page", "Edited once, sent to all.", "the one post")
	activity := fmt.Sprintf("%s/ap/rev/%d/activity", base, rev)
	counts := func() (got int, per []int) {
		per = make([]int, n)
		for i, p := range peers {
			for _, d := range p.Received() {
				if d.ID == activity {
					per[i]++
				}
			}
			if per[i] > 0 {
				got++
			}
		}
		return got, per
	}
	sent := time.Now()
	deadline = sent.Add(90 * time.Second)
	for {
		got, _ := counts()
		if got == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d inboxes got the post within 90s; logs:\n%s\n%s", got, n, tail(watcher.logPath), tail(other.logPath))
		}
		time.Sleep(20 * time.Millisecond)
	}
	fanOut := time.Since(sent)
	// The queue empties (every delivery acknowledged), so nothing more can
	// come; only then are the counts final.
	deadline = time.Now().Add(20 * time.Second)
	for {
		qlen, err := st.QueueLen(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if qlen == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still queued 20s after every inbox got the post", qlen)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, per := counts()
	for i, c := range per {
		if c != 1 {
			t.Errorf("inbox %s got the post %d times, want exactly once", peers[i].InboxURL(), c)
		}
	}
	for _, p := range peers {
		p.AssertNoRejections(t)
	}
	delivered := map[*daemon]int{}
	for _, r := range replicas {
		for _, l := range readLog(t, r.logPath) {
			if l.str("msg") == "delivered" {
				delivered[r]++
			}
		}
	}
	t.Logf("fan-out to %d inboxes in %s: %s (watcher) delivered %d, %s delivered %d",
		n, fanOut.Round(time.Millisecond), name(watcher), delivered[watcher], name(other), delivered[other])
	if sum := delivered[watcher] + delivered[other]; sum != n {
		t.Errorf("the replicas logged %d deliveries in all, want %d", sum, n)
	}
	for _, r := range replicas {
		if delivered[r] == 0 {
			t.Errorf("%s delivered nothing: the replicas did not share the queue", name(r))
		}
	}

	// b. SIGKILL the watcher while edits go on; the other replica takes
	// over within 10 s and reports every change.
	floor := watchFloor(t, watcher.logPath)
	watcher.kill()
	killed := time.Now()
	for i := range 10 {
		admin.Edit(t, fmt.Sprintf("Failover %d", i), fmt.Sprintf("Edit %d around the takeover.", i), "failover")
		time.Sleep(1200 * time.Millisecond)
	}
	took, ok := firstLogged(t, other, "this replica watches recent changes")
	if !ok {
		t.Fatalf("%s never took the watcher lease after %s was killed; its log:\n%s", name(other), name(watcher), tail(other.logPath))
	}
	if took.Before(killed) {
		t.Fatalf("%s logged that it watches recent changes at %s, before %s was killed: both watched at once", name(other), took, name(watcher))
	}
	takeover := took.Sub(killed)
	t.Logf("%s took over watching %s after the kill", name(other), takeover.Round(time.Millisecond))
	if takeover > 10*time.Second {
		t.Errorf("%s took the watcher lease %s after the kill, want within 10s", name(other), takeover)
	}

	runs := []*daemon{watcher, other} // in the order they watched
	want := map[int64]wiki.Change{}
	for _, c := range admin.AllRecentChanges(t) {
		if !c.Timestamp.Before(floor) {
			want[c.RCID] = c
		}
	}
	if len(want) < 11 {
		t.Fatalf("only %d recent changes since %s; want the post's edit and 10 failover edits", len(want), floor)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		seen := changesByRCID(t, runs)
		missing := 0
		for id := range want {
			if _, ok := seen[id]; !ok {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			for id, c := range want {
				if _, ok := seen[id]; !ok {
					t.Errorf("gap: rcid %d (%s %q at %s) was never reported", id, c.Kind, c.Title, c.Timestamp)
				}
			}
			t.Fatalf("after 30s the replicas still had not reported %d of %d changes; %s's log:\n%s", missing, len(want), name(other), tail(other.logPath))
		}
		time.Sleep(200 * time.Millisecond)
	}
	seen := changesByRCID(t, runs)
	repeats, byOther := 0, 0
	for id, occ := range seen {
		if _, ok := want[id]; !ok {
			t.Errorf("rcid %d (%s %q) was reported but is not among the wiki's recent changes since %s",
				id, occ[0].line.str("kind"), occ[0].line.str("title"), floor)
		}
		if occ[len(occ)-1].run == 1 {
			byOther++
		}
		repeats += len(occ) - 1
		for _, o := range occ[:len(occ)-1] {
			if o.run != 0 || !o.inFlight {
				t.Errorf("rcid %d repeated: reported by %s (not in a batch cut by the kill) and again later", id, name(runs[o.run]))
			}
		}
	}
	if byOther == 0 {
		t.Errorf("%s reported none of the changes made after the kill", name(other))
	}
	t.Logf("%d changes since the first replica started, %d reported by the replica that took over, %d repeats from the batch cut by SIGKILL",
		len(want), byOther, repeats)

	if err := other.term(t); err != nil {
		t.Errorf("%s did not exit cleanly: %v", name(other), err)
	}
	if !slices.ContainsFunc(readLog(t, other.logPath), func(l logLine) bool { return l.str("msg") == "stopped cleanly" }) {
		t.Errorf("no 'stopped cleanly' line from %s after SIGTERM", name(other))
	}
}

// startReplica starts `wikipub serve` on a free port of 127.0.0.1, told to
// listen, and waits until it serves HTTP. A port taken between choosing it
// and binding it (other tests run in parallel) is replaced by another.
func startReplica(t *testing.T, logPath string, listening func(addr string), args ...string) *daemon {
	t.Helper()
	for try := 1; ; try++ {
		port, err := testenv.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		d := startDaemon(t, logPath, append([]string{"--listen", addr}, args...)...)
		deadline := time.Now().Add(30 * time.Second)
		for {
			if _, ok := firstLogged(t, d, "serving HTTP"); ok {
				listening(addr)
				return d
			}
			select {
			case <-d.exited:
				b, _ := os.ReadFile(logPath)
				if try < 3 && bytes.Contains(b, []byte("address already in use")) {
					break
				}
				t.Fatalf("wikipub exited at start: %v; its log:\n%s", d.err, b)
			case <-time.After(100 * time.Millisecond):
				if time.Now().After(deadline) {
					t.Fatalf("wikipub did not serve HTTP within 30s; its log:\n%s", tail(logPath))
				}
				continue
			}
			break
		}
	}
}

// firstLogged returns the time of d's first log line with msg, if any.
func firstLogged(t *testing.T, d *daemon, msg string) (time.Time, bool) {
	t.Helper()
	for _, l := range readLog(t, d.logPath) {
		if l.str("msg") == msg {
			at, err := time.Parse(time.RFC3339Nano, l.str("time"))
			if err != nil {
				t.Fatalf("%s: log line %q has no time: %v", d.logPath, msg, err)
			}
			return at, true
		}
	}
	return time.Time{}, false
}

// balancer is the load balancer in front of the replicas: requests go to
// them in turn, and to the next one when a replica does not answer.
type balancer struct {
	tr   *http.Transport
	next atomic.Uint64

	mu       sync.Mutex
	backends []string // host:port, "" while not started
}

func (b *balancer) setBackend(i int, addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.backends[i] = addr
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	backends := slices.DeleteFunc(slices.Clone(b.backends), func(s string) bool { return s == "" })
	b.mu.Unlock()
	first := int(b.next.Add(1))
	lastErr := fmt.Errorf("none is running")
	for i := range backends {
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.URL.Scheme, out.URL.Host = "http", backends[(first+i)%len(backends)]
		out.Host = r.Host // the public host, as a proxy passes it on
		out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		resp, err := b.tr.RoundTrip(out)
		if err != nil {
			lastErr = err
			continue
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		return
	}
	http.Error(w, fmt.Sprintf("no replica answered: %v", lastErr), http.StatusBadGateway)
}
