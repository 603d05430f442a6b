package delivery_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/store"
)

const deliveries = "wikipub_deliveries_total"

// TestDeliverDeadHost is the "done when": of 50 inbox hosts one
// never answers and one fails its first requests. The dead host has a
// backlog that sorts first in the queue, so a deliverer that let workers
// wait on it would stall. The 48 healthy hosts all get their delivery
// before the dead host's first POST even times out, the failing one gets
// it once it recovers, and the dead host's deliveries are all still queued,
// with failed attempts counted, when the test ends.
//
// The timeout is set relative to a healthy run measured first (at least
// 1 s), so the event-order assertion holds on a slow or loaded machine.
func TestDeliverDeadHost(t *testing.T) {
	st := deliveryStore(t)
	var (
		mu     sync.Mutex
		events []string
	)
	event := func(e string) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}
	count := func(kind string) int {
		mu.Lock()
		defer mu.Unlock()
		return len(slices.DeleteFunc(slices.Clone(events), func(e string) bool { return e != kind }))
	}
	var healthy []*testInbox
	for range 48 {
		healthy = append(healthy, newTestInbox(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
			event("ok")
			w.WriteHeader(http.StatusAccepted)
		}))
	}
	oneEach := func(prefix string) []store.Delivery {
		var ds []store.Delivery
		for i, in := range healthy {
			ds = append(ds, testDelivery(fmt.Sprintf("%s-%02d", prefix, i), in.URL))
		}
		return ds
	}
	backoff := func(n int) time.Duration { return 50 * time.Millisecond * time.Duration(n) }

	// The healthy case alone, to scale the dead host's timeout.
	start := time.Now()
	enqueueDeliveries(t, st, oneEach("00-base")...)
	_, stopBase := startDeliverer(t, st, loopbackClient(0), delivery.Config{Backoff: backoff, Idle: 10 * time.Millisecond})
	pollUntil(t, "the healthy baseline", 20*time.Second, func() bool { return count("ok") == 48 })
	healthyTook := time.Since(start)
	stopBase()
	timeout := max(time.Second, 10*healthyTook)
	mu.Lock()
	events = nil
	mu.Unlock()

	stop := make(chan struct{})
	dead := newTestInbox(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-r.Context().Done(): // our client gave up
			event("dead-timeout")
		case <-stop:
		}
	})
	t.Cleanup(func() { close(stop) }) // runs before the servers close
	const failFirst, deadBacklog = 3, 20
	flaky := newTestInbox(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n <= failFirst {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		event("flaky-ok")
		w.WriteHeader(http.StatusAccepted)
	})
	var ds []store.Delivery
	for i := range deadBacklog {
		ds = append(ds, testDelivery(fmt.Sprintf("01-dead-%02d", i), dead.URL))
	}
	ds = append(ds, testDelivery("02-flaky", flaky.URL))
	ds = append(ds, oneEach("03-ok")...)
	enqueueDeliveries(t, st, ds...)

	reg := prometheus.NewRegistry()
	_, stopDeliverer := startDeliverer(t, st, loopbackClient(timeout), delivery.Config{
		Backoff:  backoff,
		Idle:     10 * time.Millisecond,
		Registry: reg,
	})
	pollUntil(t, "48 healthy deliveries and the recovered one", 20*time.Second+2*timeout, func() bool {
		return count("ok") == 48 && count("flaky-ok") == 1
	})
	pollUntil(t, "the dead host's first timeout", 10*time.Second+2*timeout, func() bool { return count("dead-timeout") > 0 })
	stopDeliverer()

	mu.Lock()
	firstTimeout := slices.Index(events, "dead-timeout")
	lastOK := -1
	for i, e := range events {
		if e == "ok" {
			lastOK = i
		}
	}
	mu.Unlock()
	if lastOK > firstTimeout {
		t.Errorf("a healthy host got its delivery after the dead host's first timeout (event %d > %d; healthy run took %v, timeout %v): the dead host delayed others",
			lastOK, firstTimeout, healthyTook, timeout)
	}
	if n := flaky.Hits(); n != failFirst+1 {
		t.Errorf("the flaky host got %d POSTs, want %d failures and one success", n, failFirst+1)
	}
	if _, most := dead.Active(); most > 4 {
		t.Errorf("the dead host had %d POSTs at once, more than the default host limit 4", most)
	}

	left := peekQueue(t, st)
	tried := 0
	for id, d := range left {
		if !strings.HasPrefix(id, "01-dead-") {
			t.Errorf("%s still queued (attempts %d, %s)", id, d.Attempts, d.LastError)
		}
		if d.Attempts > 0 {
			tried++
		}
	}
	if len(left) != deadBacklog || tried == 0 {
		t.Errorf("%d of the dead host's %d deliveries queued, %d with attempts; want all queued, the tried ones counted", len(left), deadBacklog, tried)
	}
	if got := metricSum(t, reg, deliveries, "outcome", "delivered"); got != 49 {
		t.Errorf("delivered = %v, want 49", got)
	}
	if got := metricSum(t, reg, "wikipub_delivery_latency_seconds"); got != 49 {
		t.Errorf("latency observations = %v, want 49", got)
	}
	if got := metricSum(t, reg, "wikipub_delivery_retries_total", "reason", "http_5xx"); got != failFirst {
		t.Errorf("5xx retries = %v, want %d", got, failFirst)
	}
	if got := metricSum(t, reg, "wikipub_delivery_retries_total", "reason", "timeout"); got < 1 {
		t.Errorf("timeout retries = %v, want at least 1", got)
	}
}

// TestDeliverStatuses: what each answer does to a delivery.
func TestDeliverStatuses(t *testing.T) {
	const maxAttempts = 3
	cases := []struct {
		status   int
		wantHits int
		wantGone bool
		want     map[string]float64 // outcomes
	}{
		{http.StatusAccepted, 1, false, map[string]float64{"delivered": 1}},
		{http.StatusOK, 1, false, map[string]float64{"delivered": 1}},
		{http.StatusGone, 1, true, map[string]float64{"gone": 1}},
		{http.StatusBadRequest, 1, false, map[string]float64{"failed_final": 1}},
		{http.StatusForbidden, 1, false, map[string]float64{"failed_final": 1}},
		{http.StatusNotFound, 1, false, map[string]float64{"failed_final": 1}},
		{http.StatusUnauthorized, maxAttempts, false, map[string]float64{"retried": maxAttempts - 1, "failed_final": 1}},
		{http.StatusRequestTimeout, maxAttempts, false, map[string]float64{"retried": maxAttempts - 1, "failed_final": 1}},
		{http.StatusTooManyRequests, maxAttempts, false, map[string]float64{"retried": maxAttempts - 1, "failed_final": 1}},
		{http.StatusInternalServerError, maxAttempts, false, map[string]float64{"retried": maxAttempts - 1, "failed_final": 1}},
		{http.StatusServiceUnavailable, maxAttempts, false, map[string]float64{"retried": maxAttempts - 1, "failed_final": 1}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			t.Parallel()
			st := deliveryStore(t)
			in := newTestInbox(t, answerWith(c.status))
			var (
				mu   sync.Mutex
				gone []string
			)
			reg := prometheus.NewRegistry()
			_, stop := startDeliverer(t, st, loopbackClient(0), delivery.Config{
				MaxAttempts: maxAttempts,
				Backoff:     func(int) time.Duration { return 5 * time.Millisecond },
				Idle:        5 * time.Millisecond,
				Registry:    reg,
				Gone: func(_ context.Context, inbox string) {
					mu.Lock()
					gone = append(gone, inbox)
					mu.Unlock()
				},
			})
			enqueueDeliveries(t, st, testDelivery("d", in.URL))
			pollUntil(t, "the delivery to be settled", 10*time.Second, func() bool { return queueDepth(t, st) == 0 })
			stop()

			if got := in.Hits(); got != c.wantHits {
				t.Errorf("%d POSTs, want %d", got, c.wantHits)
			}
			mu.Lock()
			defer mu.Unlock()
			if c.wantGone && !slices.Equal(gone, []string{in.URL}) {
				t.Errorf("Gone called with %q, want [%s]", gone, in.URL)
			}
			if !c.wantGone && len(gone) > 0 {
				t.Errorf("Gone called with %q on a %d", gone, c.status)
			}
			for _, o := range []string{"delivered", "retried", "failed_final", "gone", "breaker_deferred"} {
				if got := metricSum(t, reg, deliveries, "outcome", o); got != c.want[o] {
					t.Errorf("outcome %s = %v, want %v", o, got, c.want[o])
				}
			}
		})
	}
}

// TestDeliverRetryAfter: a 429's or 503's Retry-After (seconds or a date,
// capped) puts the next attempt no sooner than asked; elsewhere it is
// ignored, and the backoff still applies when it asks for longer.
func TestDeliverRetryAfter(t *testing.T) {
	const backoff = time.Minute
	const capRA = 2 * time.Hour
	hourFromNow := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	cases := []struct {
		name       string
		status     int
		retryAfter string
		wantWait   time.Duration // from the try
		notBefore  time.Time     // absolute, when set
	}{
		{"429 seconds", 429, "120", 2 * time.Minute, time.Time{}},
		{"503 date", 503, hourFromNow.Format(http.TimeFormat), 0, hourFromNow},
		{"429 capped", 429, "999999999", capRA, time.Time{}},
		{"503 shorter than backoff", 503, "5", backoff, time.Time{}},
		{"500 ignores it", 500, "7200", backoff, time.Time{}},
		{"429 garbage", 429, "tomorrow-ish", backoff, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st := deliveryStore(t)
			in := newTestInbox(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Retry-After", c.retryAfter)
				w.WriteHeader(c.status)
			})
			reg := prometheus.NewRegistry()
			_, stop := startDeliverer(t, st, loopbackClient(0), delivery.Config{
				Backoff:       func(int) time.Duration { return backoff },
				RetryAfterMax: capRA,
				Idle:          5 * time.Millisecond,
				Registry:      reg,
			})
			t0 := time.Now()
			enqueueDeliveries(t, st, testDelivery("d", in.URL))
			pollUntil(t, "the retry to be scheduled", 10*time.Second, func() bool {
				return metricSum(t, reg, deliveries, "outcome", "retried") == 1
			})
			t1 := time.Now()
			stop()

			d := peekQueue(t, st)["d"]
			if d.Attempts != 1 || in.Hits() != 1 {
				t.Fatalf("attempts %d, POSTs %d; want 1 and 1", d.Attempts, in.Hits())
			}
			lo, hi := t0.Add(c.wantWait), t1.Add(c.wantWait)
			if !c.notBefore.IsZero() {
				lo, hi = c.notBefore, c.notBefore.Add(time.Second)
			}
			if d.NextAttempt.Before(lo) || d.NextAttempt.After(hi) {
				t.Errorf("next attempt %v, want within [%v, %v]", d.NextAttempt, lo, hi)
			}
		})
	}
}

// TestDeliverRateLimitPausesHost: a 429 with Retry-After holds back the
// host's other deliveries too, without spending their attempts.
func TestDeliverRateLimitPausesHost(t *testing.T) {
	st := deliveryStore(t)
	in := newTestInbox(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Retry-After", "600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	other := newTestInbox(t, answerWith(http.StatusAccepted))
	reg := prometheus.NewRegistry()
	_, stop := startDeliverer(t, st, loopbackClient(0), delivery.Config{
		Backoff:  func(int) time.Duration { return time.Millisecond },
		Idle:     5 * time.Millisecond,
		Registry: reg,
	})
	t0 := time.Now()
	enqueueDeliveries(t, st, testDelivery("first", in.URL))
	pollUntil(t, "the 429", 10*time.Second, func() bool { return metricSum(t, reg, deliveries, "outcome", "retried") == 1 })
	enqueueDeliveries(t, st, testDelivery("second", in.URL), testDelivery("elsewhere", other.URL))
	pollUntil(t, "the second delivery to be deferred", 10*time.Second, func() bool {
		return metricSum(t, reg, deliveries, "outcome", "breaker_deferred") == 1 && other.Hits() == 1
	})
	stop()

	if n := in.Hits(); n != 1 {
		t.Errorf("%d POSTs to the rate-limited host, want 1", n)
	}
	q := peekQueue(t, st)
	for _, id := range []string{"first", "second"} {
		if d := q[id]; d.NextAttempt.Before(t0.Add(10 * time.Minute)) {
			t.Errorf("%s due %v, before the Retry-After", id, d.NextAttempt)
		}
	}
	if a := q["second"].Attempts; a != 0 {
		t.Errorf("the paused delivery spent %d attempts", a)
	}
	if _, ok := q["elsewhere"]; ok {
		t.Error("another host's delivery was held back")
	}
}

// TestDeliverBreaker: after BreakerThreshold consecutive failures a host's
// deliveries are put back until the cool-down ends, without spending
// attempts; Revive closes the breaker and deliveries go again.
func TestDeliverBreaker(t *testing.T) {
	st := deliveryStore(t)
	var (
		mu sync.Mutex
		up bool
	)
	in := newTestInbox(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		mu.Lock()
		defer mu.Unlock()
		if up {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		w.WriteHeader(http.StatusBadGateway)
	})
	const threshold = 3
	reg := prometheus.NewRegistry()
	d, stop := startDeliverer(t, st, loopbackClient(0), delivery.Config{
		MaxAttempts:      100,
		Backoff:          func(int) time.Duration { return 5 * time.Millisecond },
		Idle:             5 * time.Millisecond,
		BreakerThreshold: threshold,
		BreakerCooldown:  time.Hour,
		Registry:         reg,
		MetricsEvery:     10 * time.Millisecond,
	})
	deferred := func() float64 { return metricSum(t, reg, deliveries, "outcome", "breaker_deferred") }

	t0 := time.Now()
	enqueueDeliveries(t, st, testDelivery("a", in.URL))
	pollUntil(t, "the breaker to open and defer", 10*time.Second, func() bool { return deferred() == 1 })
	if n := in.Hits(); n != threshold {
		t.Fatalf("%d POSTs before the breaker opened, want %d", n, threshold)
	}
	if got := metricSum(t, reg, "wikipub_delivery_breaker_state", "host", in.Host); got != 1 {
		t.Errorf("breaker gauge for %s = %v, want 1 (open)", in.Host, got)
	}

	enqueueDeliveries(t, st, testDelivery("b", in.URL))
	pollUntil(t, "a new delivery to be deferred", 10*time.Second, func() bool { return deferred() == 2 })
	pollUntil(t, "the queue depth gauge", 10*time.Second, func() bool {
		return metricSum(t, reg, "wikipub_delivery_queue_depth") == 2
	})
	if n := in.Hits(); n != threshold {
		t.Fatalf("%d POSTs through an open breaker", n-threshold)
	}

	mu.Lock()
	up = true
	mu.Unlock()
	d.Revive(in.Host)
	if hasMetricSeries(t, reg, "wikipub_delivery_breaker_state", "host", in.Host) {
		t.Error("a closed breaker still has a gauge series")
	}
	enqueueDeliveries(t, st, testDelivery("c", in.URL))
	pollUntil(t, "delivery after Revive", 10*time.Second, func() bool {
		return metricSum(t, reg, deliveries, "outcome", "delivered") == 1
	})
	stop()

	q := peekQueue(t, st)
	if a := q["a"]; a.Attempts != threshold || a.NextAttempt.Before(t0.Add(time.Hour)) {
		t.Errorf("a = attempts %d due %v; want %d attempts, due after the cool-down", a.Attempts, a.NextAttempt, threshold)
	}
	if b := q["b"]; b.Attempts != 0 || b.NextAttempt.Before(t0.Add(time.Hour)) {
		t.Errorf("b = attempts %d due %v; want no attempt spent, due after the cool-down", b.Attempts, b.NextAttempt)
	}
	if _, ok := q["c"]; ok {
		t.Error("c is still queued after Revive")
	}
}

// TestDeliverBreakerHalfOpen: with a short cool-down, a failed trial keeps
// the breaker open, and a successful one closes it, so a host that comes
// back gets its backlog without anyone reviving it.
func TestDeliverBreakerHalfOpen(t *testing.T) {
	st := deliveryStore(t)
	const failures = 4 // threshold 2, then two failed trials
	in := newTestInbox(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n <= failures {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	reg := prometheus.NewRegistry()
	_, stop := startDeliverer(t, st, loopbackClient(0), delivery.Config{
		MaxAttempts:        100,
		Backoff:            func(int) time.Duration { return time.Millisecond },
		Idle:               5 * time.Millisecond,
		BreakerThreshold:   2,
		BreakerCooldown:    20 * time.Millisecond,
		BreakerMaxCooldown: 40 * time.Millisecond,
		Registry:           reg,
	})
	enqueueDeliveries(t, st, testDelivery("a", in.URL), testDelivery("b", in.URL), testDelivery("c", in.URL))
	pollUntil(t, "the backlog after recovery", 10*time.Second, func() bool { return queueDepth(t, st) == 0 })
	stop()
	if got := metricSum(t, reg, deliveries, "outcome", "delivered"); got != 3 {
		t.Errorf("delivered %v, want 3", got)
	}
	if got := metricSum(t, reg, deliveries, "outcome", "breaker_deferred"); got == 0 {
		t.Error("the breaker never deferred anything")
	}
	if n := in.Hits(); n != failures+3 {
		t.Errorf("%d POSTs, want %d failures and 3 deliveries", n, failures+3)
	}
}

// TestHostLimit: a host that hangs gets at most HostLimit POSTs at once,
// while another host's deliveries all go through; released, the hanging
// host gets the rest of its deliveries, each once.
func TestHostLimit(t *testing.T) {
	st := deliveryStore(t)
	release := make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	slow := newTestInbox(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusAccepted)
	})
	t.Cleanup(releaseOnce)
	fast := newTestInbox(t, answerWith(http.StatusAccepted))
	const limit, nSlow, nFast = 3, 12, 10
	var ds []store.Delivery
	for i := range nSlow {
		ds = append(ds, testDelivery(fmt.Sprintf("a-slow-%02d", i), slow.URL))
	}
	for i := range nFast {
		ds = append(ds, testDelivery(fmt.Sprintf("b-fast-%02d", i), fast.URL))
	}
	enqueueDeliveries(t, st, ds...)
	reg := prometheus.NewRegistry()
	_, stop := startDeliverer(t, st, loopbackClient(0), delivery.Config{
		Workers:   8,
		HostLimit: limit,
		BusyDelay: 20 * time.Millisecond,
		Idle:      5 * time.Millisecond,
		Registry:  reg,
	})
	pollUntil(t, "the slow host to reach its limit", 10*time.Second, func() bool { n, _ := slow.Active(); return n >= limit })
	pollUntil(t, "every delivery to the other host", 10*time.Second, func() bool { return fast.Hits() == nFast })
	if now, most := slow.Active(); now != limit || most != limit {
		t.Fatalf("slow host: %d POSTs under way, at most %d; want %d", now, most, limit)
	}
	releaseOnce()
	pollUntil(t, "the slow host's backlog", 10*time.Second, func() bool { return queueDepth(t, st) == 0 })
	stop()
	if _, most := slow.Active(); most > limit {
		t.Errorf("slow host had %d POSTs at once, limit %d", most, limit)
	}
	if n := slow.Hits(); n != nSlow {
		t.Errorf("slow host got %d POSTs, want %d (each delivery once)", n, nSlow)
	}
	if got := metricSum(t, reg, deliveries, "outcome", "busy_deferred"); got == 0 {
		t.Error("no delivery was put back for the busy host; the line should have overflowed")
	}
}

// TestDeliverShutdownPutsBack: when Run stops, POSTs under way finish and
// deliveries claimed but never tried are put back due at once, untried,
// so a restart need not wait for their lease.
func TestDeliverShutdownPutsBack(t *testing.T) {
	st := deliveryStore(t)
	release := make(chan struct{})
	slow := newTestInbox(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusAccepted)
	})
	var ds []store.Delivery
	for i := range 6 {
		ds = append(ds, testDelivery(fmt.Sprintf("s%d", i), slow.URL))
	}
	enqueueDeliveries(t, st, ds...)
	_, stop := startDeliverer(t, st, loopbackClient(0), delivery.Config{
		Workers: 4, HostLimit: 2, HostQueue: 4, Idle: 5 * time.Millisecond,
	})
	pollUntil(t, "two POSTs under way", 10*time.Second, func() bool { n, _ := slow.Active(); return n == 2 })
	go func() { time.Sleep(50 * time.Millisecond); close(release) }()
	stop() // waits for the two POSTs, puts the four waiting ones back
	q := peekQueue(t, st)
	if len(q) != 4 {
		t.Fatalf("%d left queued, want the 4 never tried", len(q))
	}
	now := time.Now()
	for id, d := range q {
		if d.Attempts != 0 || d.NextAttempt.After(now) {
			t.Errorf("%s: attempts %d due %v; want untried and due now", id, d.Attempts, d.NextAttempt)
		}
	}
}
