// Package metrics exports the service's metrics in the Prometheus format
// with prometheus/client_golang: HTTP requests by route and status, ingest
// events by outcome, exit confirmations by policy and outcome, store
// transaction latency, and job runs by kind and outcome. Every name
// starts with fanclub_. A Metrics is a fanclub.Observer (and
// fanclub.JobObserver) for the engine and a request observer for the HTTP
// layer.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"fanclub"
)

// Metrics holds the service's collectors in a registry of its own.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	events    *prometheus.CounterVec
	exits     *prometheus.CounterVec
	txLatency *prometheus.HistogramVec
	jobs      *prometheus.CounterVec
}

var (
	_ fanclub.Observer    = (*Metrics)(nil)
	_ fanclub.JobObserver = (*Metrics)(nil)
)

// New returns metrics registered in a new registry, with the Go runtime
// and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fanclub_http_requests_total",
			Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fanclub_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and status.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "status"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fanclub_ingest_events_total",
			Help: "Ingested events by outcome: accepted, duplicate, rejected, invalid (in a batch refused whole).",
		}, []string{"outcome"}),
		exits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fanclub_exit_confirmations_total",
			Help: "Exit confirmations by the club's policy and outcome.",
		}, []string{"policy", "outcome"}),
		txLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fanclub_store_transaction_duration_seconds",
			Help:    "Store transaction latency, begin to end, by kind (read, write) and result (commit, error).",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"kind", "result"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fanclub_jobs_total",
			Help: "Job runs by job kind and outcome: done, retry (failed, retried later), dead (failed for good).",
		}, []string{"kind", "outcome"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.events, m.exits, m.txLatency, m.jobs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry returns the registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveRequest counts a request to a route pattern (e.g. "GET
// /v1/clubs/{club}") with its status and latency.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	s := strconv.Itoa(status)
	m.requests.WithLabelValues(route, s).Inc()
	m.latency.WithLabelValues(route, s).Observe(d.Seconds())
}

// EventsIngested implements fanclub.Observer.
func (m *Metrics) EventsIngested(outcome string, n int) {
	m.events.WithLabelValues(outcome).Add(float64(n))
}

// ExitConfirmation implements fanclub.Observer.
func (m *Metrics) ExitConfirmation(policy, outcome string) {
	m.exits.WithLabelValues(policy, outcome).Inc()
}

// TxStarted implements fanclub.Observer: the returned function records
// the transaction's latency.
func (m *Metrics) TxStarted(write bool) func(err error) {
	start := time.Now()
	kind := "read"
	if write {
		kind = "write"
	}
	return func(err error) {
		result := "commit"
		if err != nil {
			result = "error"
		}
		m.txLatency.WithLabelValues(kind, result).Observe(time.Since(start).Seconds())
	}
}

// JobRan implements fanclub.JobObserver.
func (m *Metrics) JobRan(kind, outcome string) {
	m.jobs.WithLabelValues(kind, outcome).Inc()
}
