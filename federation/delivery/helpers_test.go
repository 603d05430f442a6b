package delivery_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/wikipub/wikipub/federation/actors"
	"github.com/wikipub/wikipub/federation/delivery"
	"github.com/wikipub/wikipub/federation/remote"
	"github.com/wikipub/wikipub/federation/store"
	"github.com/wikipub/wikipub/federation/store/boltstore"
)

// testSigner is the actor every test delivery is signed as; its key is
// made once per test binary (RSA-2048 is slow) and stored in each store.
const testSigner = "https://wiki.example/ap/instance"

var testSignerPEM = sync.OnceValue(func() []byte {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
})

// deliveryStore opens the real embedded store in a temporary directory,
// with the signer's key in it.
func deliveryStore(t *testing.T) *boltstore.Store {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "queue.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateActorKey(context.Background(), testSigner, testSignerPEM()); err != nil {
		t.Fatal(err)
	}
	return st
}

// loopbackClient is the production client allowed to reach 127.0.0.0/8,
// with its overall timeout replaced when timeout > 0.
func loopbackClient(timeout time.Duration) *http.Client {
	c := remote.NewHTTPClient([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	if timeout > 0 {
		c.Timeout = timeout
	}
	return c
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startDeliverer runs a deliverer over st until the returned stop is
// called (or the test ends); stop returns once Run has.
func startDeliverer(t *testing.T, st *boltstore.Store, client *http.Client, cfg delivery.Config) (*delivery.Deliverer, func()) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}
	d := delivery.NewDeliverer(st, actors.NewKeys(st), client, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	stop := sync.OnceFunc(func() { cancel(); <-done })
	t.Cleanup(stop)
	return d, stop
}

func testDelivery(id, inbox string) store.Delivery {
	return store.Delivery{
		ID: id, Inbox: inbox, Signer: testSigner,
		Body: fmt.Appendf(nil, `{"id":"https://wiki.example/ap/act/%s","type":"Create","actor":%q}`, id, testSigner),
	}
}

func enqueueDeliveries(t *testing.T, st *boltstore.Store, ds ...store.Delivery) {
	t.Helper()
	if err := st.Enqueue(context.Background(), ds...); err != nil {
		t.Fatal(err)
	}
}

// peekQueue reads every queued delivery by id, due or not, and leaves the
// queue as it was; call it with the deliverer stopped.
func peekQueue(t *testing.T, st *boltstore.Store) map[string]store.Delivery {
	t.Helper()
	ctx := context.Background()
	all, err := st.Claim(ctx, time.Now().AddDate(100, 0, 0), 1_000_000, time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Delivery{}
	for _, d := range all {
		out[d.ID] = d
		if err := st.Reschedule(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func queueDepth(t *testing.T, st *boltstore.Store) int {
	t.Helper()
	n, err := st.QueueLen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// pollUntil polls cond until it holds, failing the test after timeout; the
// timeouts are generous bounds against a hung test, not expectations.
func pollUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testInbox is an httptest server on 127.0.0.1 that counts the POSTs it
// gets and how many run at once.
type testInbox struct {
	srv  *httptest.Server
	URL  string
	Host string

	mu        sync.Mutex
	hits      int
	active    int
	maxActive int
}

// newTestInbox serves handle; n is the 1-based number of the request.
func newTestInbox(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *testInbox {
	t.Helper()
	in := &testInbox{}
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		in.mu.Lock()
		in.hits++
		n := in.hits
		in.active++
		in.maxActive = max(in.maxActive, in.active)
		in.mu.Unlock()
		defer func() {
			in.mu.Lock()
			in.active--
			in.mu.Unlock()
		}()
		if r.Header.Get("Signature") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		handle(w, r, n)
	}))
	t.Cleanup(in.srv.Close)
	in.URL = in.srv.URL + "/inbox"
	u, _ := url.Parse(in.srv.URL)
	in.Host = u.Host
	return in
}

// answerWith answers every request with code.
func answerWith(code int) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(code) }
}

func (in *testInbox) Hits() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.hits
}

func (in *testInbox) Active() (now, most int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.active, in.maxActive
}

// metricSum sums the samples of a metric whose labels include want (name,
// value pairs): counters, gauges and histogram counts.
func metricSum(t *testing.T, reg *prometheus.Registry, name string, want ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if !hasLabels(m, want) {
				continue
			}
			switch {
			case m.Counter != nil:
				sum += m.GetCounter().GetValue()
			case m.Gauge != nil:
				sum += m.GetGauge().GetValue()
			case m.Histogram != nil:
				sum += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return sum
}

// hasMetricSeries says whether name has a series with the given labels.
func hasMetricSeries(t *testing.T, reg *prometheus.Registry, name string, want ...string) bool {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if hasLabels(m, want) {
				return true
			}
		}
	}
	return false
}

func hasLabels(m *dto.Metric, want []string) bool {
	for i := 0; i+1 < len(want); i += 2 {
		found := false
		for _, lp := range m.GetLabel() {
			if lp.GetName() == want[i] && lp.GetValue() == want[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
