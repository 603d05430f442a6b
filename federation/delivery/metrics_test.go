package delivery

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestMetricsNilSafe: no registry, no metrics, and the deliverer's calls
// are harmless.
func TestMetricsNilSafe(t *testing.T) {
	m := NewMetrics(nil)
	if m != nil {
		t.Fatal("NewMetrics(nil) made metrics")
	}
	m.outcome(outcomeDelivered)
	m.delivered(time.Second)
	m.retry("timeout")
	m.queueDepth(3)
	m.breakerState("a.example", breakerOpen)
}

// TestMetricsSharedRegistryAndBreakerSeries: two deliverers may share a
// registry; breaker series exist only for hosts not closed, and are
// capped while the count stays exact.
func TestMetricsSharedRegistryAndBreakerSeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, b := NewMetrics(reg), NewMetrics(reg)
	a.outcome(outcomeGone)
	b.outcome(outcomeGone)
	if got := gatherValue(t, reg, "wikipub_deliveries_total", "gone"); got != 2 {
		t.Fatalf("shared counter = %v, want 2", got)
	}

	for i := range maxBreakerSeries + 5 {
		a.breakerState(fmt.Sprintf("h%d.example", i), breakerOpen)
	}
	a.breakerState("h0.example", breakerHalfOpen)
	if got := gatherValue(t, reg, "wikipub_delivery_breakers_not_closed", ""); got != maxBreakerSeries+5 {
		t.Fatalf("not-closed count = %v, want %d", got, maxBreakerSeries+5)
	}
	if got := gatherValue(t, reg, "wikipub_delivery_breaker_state", "h0.example"); got != float64(breakerHalfOpen) {
		t.Fatalf("h0 state = %v, want half-open", got)
	}
	a.breakerState("h0.example", breakerClosed)
	a.breakerState("never-open.example", breakerClosed)
	if n := seriesCount(t, reg, "wikipub_delivery_breaker_state"); n != maxBreakerSeries-1 {
		t.Fatalf("%d breaker series, want %d", n, maxBreakerSeries-1)
	}
}

// gatherValue returns the value of the series of name whose one label has
// value (any series when value is "").
func gatherValue(t *testing.T, reg *prometheus.Registry, name, value string) float64 {
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
			if value != "" && (len(m.GetLabel()) == 0 || m.GetLabel()[0].GetValue() != value) {
				continue
			}
			if m.Counter != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return -1
}

func seriesCount(t *testing.T, reg *prometheus.Registry, name string) int {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return len(mf.GetMetric())
		}
	}
	return 0
}
