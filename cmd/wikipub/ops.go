package main

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// opsMetrics are the service-level metrics beside the deliverer's.
type opsMetrics struct {
	changes    prometheus.Counter
	lastChange atomic.Int64 // unix seconds of the newest change handled
	lastPoll   atomic.Int64 // unix seconds of the last handled batch
}

func newOpsMetrics(reg *prometheus.Registry) *opsMetrics {
	m := &opsMetrics{changes: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "wikipub_rc_changes_total", Help: "Recent changes handled by the watcher.",
	})}
	reg.MustRegister(m.changes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "wikipub_rc_last_change_timestamp_seconds",
			Help: "Wiki timestamp of the newest change handled; time() minus this is the recent-changes lag while the wiki is busy.",
		}, func() float64 { return float64(m.lastChange.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "wikipub_rc_last_batch_timestamp_seconds",
			Help: "When this process last handled a batch of changes (0: it is not the watching replica, or nothing came).",
		}, func() float64 { return float64(m.lastPoll.Load()) }),
	)
	return m
}

// observe records a handled batch.
func (m *opsMetrics) observe(newest time.Time, n int) {
	m.changes.Add(float64(n))
	m.lastPoll.Store(time.Now().Unix())
	if ts := newest.Unix(); ts > m.lastChange.Load() {
		m.lastChange.Store(ts)
	}
}

// readiness is what /readyz checks: the store answers, and the wiki did
// within the last check.
type readiness struct {
	store interface {
		QueueLen(ctx context.Context) (int, error)
	}
	wiki func(ctx context.Context) error
}

func opsRoutes(mux *http.ServeMux, reg *prometheus.Registry, ready readiness) {
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if _, err := ready.store.QueueLen(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "store: "+err.Error()+"\n")
			return
		}
		if err := ready.wiki(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "wiki: "+err.Error()+"\n")
			return
		}
		io.WriteString(w, "ready\n")
	})
}
