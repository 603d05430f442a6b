package delivery

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wikipub/wikipub/federation/internal/promreg"
)

// Delivery outcomes, the values of the outcome label.
const (
	outcomeDelivered       = "delivered"
	outcomeRetried         = "retried"
	outcomeFailedFinal     = "failed_final"
	outcomeGone            = "gone"
	outcomeBreakerDeferred = "breaker_deferred"
	// outcomeBusyDeferred: put back because its host was at its limit.
	outcomeBusyDeferred = "busy_deferred"
)

// maxBreakerSeries bounds the per-host breaker series: a wiki followed
// from thousands of servers may see hundreds of them down at once.
const maxBreakerSeries = 1000

// Metrics are the deliverer's Prometheus metrics. A nil *Metrics is valid
// and records nothing, so the deliverer needs no checks.
type Metrics struct {
	outcomes   *prometheus.CounterVec
	latency    prometheus.Histogram
	retries    *prometheus.CounterVec
	breaker    *prometheus.GaugeVec
	notClosed  prometheus.Gauge
	queueLen   prometheus.Gauge
	mu         sync.Mutex
	troubled   map[string]bool // host → has a series
	seriesUsed int
}

// NewMetrics registers the delivery metrics with reg and returns them;
// with a nil reg it returns nil (no metrics). Registering twice with one
// registry shares the collectors instead of failing.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	if reg == nil {
		return nil
	}
	m := &Metrics{
		outcomes: promreg.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wikipub_deliveries_total",
			Help: "Delivery tries and deferrals by outcome: delivered, retried, failed_final, gone, breaker_deferred, busy_deferred.",
		}, []string{"outcome"})),
		latency: promreg.Register(reg, prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "wikipub_delivery_latency_seconds",
			Help: "Time from queueing to successful delivery, retries included.",
			// 0.1 s to about 4 days: the whole retry schedule.
			Buckets: prometheus.ExponentialBuckets(0.1, 3, 16),
		})),
		retries: promreg.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wikipub_delivery_retries_total",
			Help: "Failed delivery tries that will be retried, by reason.",
		}, []string{"reason"})),
		breaker: promreg.Register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "wikipub_delivery_breaker_state",
			Help: "Circuit breaker state of hosts that are not closed: 1 open, 2 half-open (closed hosts have no series).",
		}, []string{"host"})),
		notClosed: promreg.Register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wikipub_delivery_breakers_not_closed",
			Help: "How many hosts have an open or half-open circuit breaker.",
		})),
		queueLen: promreg.Register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wikipub_delivery_queue_depth",
			Help: "Deliveries queued, due or not, sampled periodically.",
		})),
		troubled: map[string]bool{},
	}
	for _, o := range []string{outcomeDelivered, outcomeRetried, outcomeFailedFinal, outcomeGone, outcomeBreakerDeferred, outcomeBusyDeferred} {
		m.outcomes.WithLabelValues(o)
	}
	return m
}

func (m *Metrics) outcome(o string) {
	if m == nil {
		return
	}
	m.outcomes.WithLabelValues(o).Inc()
}

func (m *Metrics) delivered(queued time.Duration) {
	if m == nil {
		return
	}
	m.latency.Observe(queued.Seconds())
}

func (m *Metrics) retry(reason string) {
	if m == nil {
		return
	}
	m.retries.WithLabelValues(reason).Inc()
}

func (m *Metrics) queueDepth(n int) {
	if m == nil {
		return
	}
	m.queueLen.Set(float64(n))
}

// breakerState shows host's breaker; closed hosts lose their series, and
// beyond maxBreakerSeries troubled hosts only the count shows them.
func (m *Metrics) breakerState(host string, s breakerState) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	series, known := m.troubled[host]
	if s == breakerClosed {
		if !known {
			return
		}
		delete(m.troubled, host)
		if series {
			m.breaker.DeleteLabelValues(host)
			m.seriesUsed--
		}
		m.notClosed.Set(float64(len(m.troubled)))
		return
	}
	if !known {
		series = m.seriesUsed < maxBreakerSeries
		if series {
			m.seriesUsed++
		}
		m.troubled[host] = series
		m.notClosed.Set(float64(len(m.troubled)))
	}
	if series {
		m.breaker.WithLabelValues(host).Set(float64(s))
	}
}
