package main

import (
	"bufio"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
	"github.com/wikipub/wikipub/federation/store/redisstore"
	"github.com/wikipub/wikipub/internal/testenv"
)

// Fan-out benchmark shape: fanOutFollowers followers on fanOutHosts hosts,
// each with a personal inbox of its own and no shared inbox, so one post
// makes fanOutFollowers deliveries.
const (
	fanOutHosts     = 1000
	fanOutFollowers = 10000
)

// userHZ is the unit of utime and stime in /proc/PID/stat: USER_HZ, 100 on
// every Linux architecture Go supports (`getconf CLK_TCK`).
const userHZ = 100

// BenchmarkFanOut measures one post to 10,000 followers on 1,000 inbox
// hosts, with wikipub running as a real process (the built binary) with
// its default delivery settings, for both stores:
//
//	go test -run '^$' -bench FanOut -benchtime 1x -timeout 30m ./cmd/wikipub/
//
// (about a minute: a wiki per store, 10,000 followers seeded, two 10,000-POST
// fan-outs).
//
// The inboxes are 1,000 lightweight httptest servers on 127.0.0.1 that read
// each body and answer 202. They do NOT verify the signatures: verifying is
// the receivers' cost, not wikipub's, and the strict fedpeer would spend the
// shared 2 cores on it (TestDeliveryCrash covers signed delivery to strict
// peers). wikipub still signs every POST with RSA-2048, so the benchmark
// also measures the raw RSA-2048 signing rate of this machine on GOMAXPROCS
// goroutines (before and after the fan-out, averaged: the speed of this
// machine drifts) and reports what fraction of it the fan-out reaches.
//
// Metrics: deliveries/s (10,000 over the wall time from the edit's API call
// returning to the 10,000th receipt, which includes the watcher's poll, 1 s
// by default), fanout-deliveries/s (first to last receipt: the delivery
// throughput itself), cpu-ms/delivery and peak-rss-MB of the wikipub
// process (/proc/PID/stat and VmHWM), receiver-cpu-ms/delivery (the test
// process, which competes for the same cores), machine-busy-% (all cores,
// every process on the machine, during the fan-out), raw-signs/s and
// fraction-of-signing-limit (fanout-deliveries/s ÷ raw-signs/s). The log
// line also gives the end-to-end fraction.
//
// On a shared 2-vCPU VM, with other work on it, the second core's speed
// drifts a lot (two goroutines sign anywhere from 1.05× to 2× as fast as
// one), which makes fraction-of-signing-limit noisy. cpu-fraction-of-signing-limit is the
// steadier view: the CPU time of one bare signature (one goroutine) over
// wikipub's CPU time per delivery, i.e. the fraction of the signing limit
// wikipub would reach on cores of its own.
func BenchmarkFanOut(b *testing.B) {
	for _, backend := range []string{"bolt", "redis"} {
		b.Run(backend, func(b *testing.B) { benchFanOut(b, backend) })
	}
}

func benchFanOut(b *testing.B, backend string) {
	w := testenv.MediaWiki(b)
	admin := w.Login(b)
	admin.Edit(b, "Popular page", "Followed by ten thousand.", "setup")
	pages, err := admin.C.PagesByTitle(context.Background(), []string{"Popular page"})
	if err != nil {
		b.Fatal(err)
	}

	rx := newReceivers(b, fanOutHosts, fanOutFollowers/fanOutHosts)

	// Chosen after the receivers took their ports.
	port, err := testenv.FreePort()
	if err != nil {
		b.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	actorID := fmt.Sprintf("%s/ap/page/%d", base, pages["Popular page"].ID)

	var storeArgs []string
	var st store.Store
	if backend == "redis" {
		url := testenv.Redis(b).URL()
		storeArgs = []string{"--redis", url}
		st, err = redisstore.Open(context.Background(), url)
	} else {
		path := filepath.Join(b.TempDir(), "wikipub.db")
		storeArgs = []string{"--data", path}
		st, err = boltstore.Open(path)
	}
	if err != nil {
		b.Fatal(err)
	}
	seeded := time.Now()
	for _, f := range rx.followers() {
		if _, err := st.AddFollower(context.Background(), actorID, f); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	b.Logf("%s: %d followers seeded in %s", backend, fanOutFollowers, time.Since(seeded).Round(time.Millisecond))
	time.Sleep(1100 * time.Millisecond) // the watcher's floor is a later second

	d := startDaemonTB(b, filepath.Join(b.TempDir(), "wikipub.log"), append([]string{
		"--wiki", w.API, "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--public-url", base,
		"--allow-private-addresses", "127.0.0.0/8", "--log-format", "json",
	}, storeArgs...)...)
	waitLoggedTB(b, d, "watching recent changes", 30*time.Second)
	// The actor's key is made on first use; make it now, outside the fan-out.
	resp, err := httpGetAccept(actorID, "application/activity+json")
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %v %v", actorID, resp, err)
	}
	pid := d.cmd.Process.Pid

	// The signing limit, measured next to the fan-out: this machine's
	// speed varies from minute to minute (a shared VM).
	rawSigns := rawSigningRate(b, 2*time.Second, runtime.GOMAXPROCS(0))
	oneCore := rawSigningRate(b, time.Second, 1)

	var wall, fanOut, cpu, rxCPU time.Duration
	var busy, steal, total int64
	b.ResetTimer()
	for i := range b.N {
		target := int64(fanOutFollowers * (i + 1))
		last := rx.expect(target)
		cpu0, rxCPU0 := procCPU(b, strconv.Itoa(pid)), procCPU(b, "self")
		busy0, steal0, total0 := machineCPU(b)
		admin.Edit(b, "Popular page", fmt.Sprintf("Edit %d, sent to all.", i), "the post")
		sent := time.Now()
		select {
		case <-last:
		case <-time.After(10 * time.Minute):
			b.Fatalf("only %d of %d deliveries arrived within 10 minutes; log:\n%s", rx.count.Load(), target, tail(d.logPath))
		}
		busy1, steal1, total1 := machineCPU(b)
		busy, steal, total = busy+busy1-busy0, steal+steal1-steal0, total+total1-total0
		wall += rx.lastAt().Sub(sent)
		fanOut += rx.lastAt().Sub(rx.firstAt())
		// The last receipts are acknowledged a moment after they arrive.
		waitDelivered(b, base+"/metrics", target)
		cpu += procCPU(b, strconv.Itoa(pid)) - cpu0
		rxCPU += procCPU(b, "self") - rxCPU0
	}
	b.StopTimer()
	rawSigns = (rawSigns + rawSigningRate(b, 2*time.Second, runtime.GOMAXPROCS(0))) / 2
	oneCore = (oneCore + rawSigningRate(b, time.Second, 1)) / 2

	if missing := rx.missing(int32(b.N)); missing > 0 {
		b.Fatalf("%d inboxes did not get every post", missing)
	}
	deliveries := float64(fanOutFollowers * b.N)
	cpuPer := cpu.Seconds() / deliveries
	rate := deliveries / wall.Seconds()
	fanRate := deliveries / fanOut.Seconds()
	rssMB := float64(vmHWM(b, pid)) / 1024
	b.ReportMetric(rate, "deliveries/s")
	b.ReportMetric(fanRate, "fanout-deliveries/s")
	b.ReportMetric(1000*cpuPer, "cpu-ms/delivery")
	b.ReportMetric(float64(rxCPU.Microseconds())/1000/deliveries, "receiver-cpu-ms/delivery")
	b.ReportMetric(rssMB, "peak-rss-MB")
	b.ReportMetric(rawSigns, "raw-signs/s")
	b.ReportMetric(fanRate/rawSigns, "fraction-of-signing-limit")
	b.ReportMetric(1/oneCore/cpuPer, "cpu-fraction-of-signing-limit")
	b.ReportMetric(100*float64(busy)/float64(total), "machine-busy-%")
	b.Logf("%s: %d deliveries to %d hosts: %s from the edit to the last receipt, %.0f deliveries/s (%.0f%% of the signing limit); "+
		"first to last receipt %s, %.0f deliveries/s = %.0f%% of %.0f raw RSA-2048 signs/s; "+
		"wikipub CPU %s (%.2f ms/delivery; one bare signature takes %.2f ms of CPU, %.0f%% of that), "+
		"receivers' CPU %s, machine busy %.0f%% (steal %.0f%%), peak RSS %.0f MB",
		backend, int(deliveries), fanOutHosts, wall.Round(time.Millisecond), rate, 100*rate/rawSigns,
		fanOut.Round(time.Millisecond), fanRate, 100*fanRate/rawSigns, rawSigns,
		cpu, 1000*cpuPer, 1000/oneCore, 100/oneCore/cpuPer, rxCPU, 100*float64(busy)/float64(total), 100*float64(steal)/float64(total), rssMB)
}

// receivers are the inbox servers of the fan-out benchmark.
type receivers struct {
	servers []*httptest.Server
	perHost int
	got     []atomic.Int32 // per inbox: host*perHost + user
	count   atomic.Int64

	mu          sync.Mutex
	target      int64
	done        chan struct{}
	first, last time.Time
}

func newReceivers(tb testing.TB, hosts, perHost int) *receivers {
	r := &receivers{perHost: perHost, got: make([]atomic.Int32, hosts*perHost)}
	for h := range hosts {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			_, _ = io.Copy(io.Discard, req.Body)
			user, ok := strings.CutPrefix(req.URL.Path, "/users/u")
			user, ok2 := strings.CutSuffix(user, "/inbox")
			u, err := strconv.Atoi(user)
			if req.Method != http.MethodPost || !ok || !ok2 || err != nil || u < 0 || u >= perHost {
				http.NotFound(w, req)
				return
			}
			w.WriteHeader(http.StatusAccepted)
			r.got[h*perHost+u].Add(1)
			r.received()
		}))
		tb.Cleanup(srv.Close)
		r.servers = append(r.servers, srv)
	}
	return r
}

// followers are perHost followers per server, each with its own inbox.
func (r *receivers) followers() []store.Follower {
	var out []store.Follower
	for _, srv := range r.servers {
		for u := range r.perHost {
			id := fmt.Sprintf("%s/users/u%d", srv.URL, u)
			out = append(out, store.Follower{ID: id, Inbox: id + "/inbox", Since: time.Now()})
		}
	}
	return out
}

// expect returns a channel closed when the count of receipts reaches
// target, and starts timing from the next receipt.
func (r *receivers) expect(target int64) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.target, r.done = target, make(chan struct{})
	r.first, r.last = time.Time{}, time.Time{}
	return r.done
}

func (r *receivers) received() {
	n := r.count.Add(1)
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.first.IsZero() {
		r.first = now
	}
	if n == r.target {
		r.last = now
		close(r.done)
	}
}

func (r *receivers) firstAt() time.Time { r.mu.Lock(); defer r.mu.Unlock(); return r.first }
func (r *receivers) lastAt() time.Time  { r.mu.Lock(); defer r.mu.Unlock(); return r.last }

// missing counts inboxes that did not get want posts.
func (r *receivers) missing(want int32) int {
	n := 0
	for i := range r.got {
		if r.got[i].Load() < want {
			n++
		}
	}
	return n
}

// rawSigningRate is how many RSA-2048 PKCS#1 v1.5 signatures of a SHA-256
// digest this machine makes per second on g goroutines: with GOMAXPROCS
// goroutines, the ceiling of a fan-out that signs each POST.
func rawSigningRate(tb testing.TB, d time.Duration, g int) float64 {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	digest := sha256.Sum256([]byte("(request-target): post /users/u0/inbox\nhost: 127.0.0.1\ndate: x\ndigest: y"))
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(d)
	for range g {
		wg.Go(func() {
			for time.Now().Before(stop) {
				if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
					panic(err)
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	rate := float64(n.Load()) / time.Since(start).Seconds()
	tb.Logf("raw RSA-2048 signing: %.0f signs/s on %d goroutines", rate, g)
	return rate
}

// procCPU is the user+system CPU time a process has used so far; pid is a
// number or "self".
func procCPU(tb testing.TB, pid string) time.Duration {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		tb.Fatal(err)
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: state is field 3, utime 14, stime 15.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		tb.Fatalf("/proc/%s/stat: %q", pid, s)
	}
	return time.Duration(utime+stime) * time.Second / userHZ
}

// machineCPU reads the machine's CPU counters (all cores, in USER_HZ
// ticks) from /proc/stat: busy (neither idle nor iowait), stolen by the
// hypervisor, and the total.
func machineCPU(tb testing.TB) (busy, steal, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		tb.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		tb.Fatalf("/proc/stat: %q", line)
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			tb.Fatalf("/proc/stat: %q", line)
		}
		if i >= 8 { // guest time is already counted in user
			break
		}
		total += n
		switch i {
		case 3, 4: // idle, iowait
		case 7:
			steal += n
		default:
			busy += n
		}
	}
	return busy, steal, total
}

// vmHWM is a process's peak resident set size in KiB.
func vmHWM(tb testing.TB, pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb
		}
	}
	tb.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

// waitDelivered waits until wikipub's metrics count target deliveries
// acknowledged as delivered.
func waitDelivered(tb testing.TB, metricsURL string, target int64) {
	deadline := time.Now().Add(60 * time.Second)
	for {
		n := deliveredMetric(tb, metricsURL)
		if n >= target {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("wikipub counts %d deliveries delivered, want %d", n, target)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func deliveredMetric(tb testing.TB, metricsURL string) int64 {
	resp, err := http.Get(metricsURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), `wikipub_deliveries_total{outcome="delivered"} `); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				tb.Fatal(err)
			}
			return int64(f)
		}
	}
	return 0
}

func httpGetAccept(url, accept string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, nil
}

// startDaemonTB is startDaemon for benchmarks too.
func startDaemonTB(tb testing.TB, logPath string, args ...string) *daemon {
	tb.Helper()
	f, err := os.Create(logPath)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(binary, append([]string{"serve"}, args...)...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	d := &daemon{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		d.err = cmd.Wait()
		f.Close()
		close(d.exited)
	}()
	tb.Cleanup(d.kill)
	return d
}

// waitLoggedTB is waitLogged for benchmarks too.
func waitLoggedTB(tb testing.TB, d *daemon, msg string, within time.Duration) {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(d.logPath)
		if strings.Contains(string(b), `"msg":"`+msg+`"`) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatalf("wikipub did not log %q within %s; its log:\n%s", msg, within, tail(d.logPath))
}
