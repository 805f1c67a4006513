package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/conveyorhq/conveyor/store"
)

// Metrics are the Prometheus metrics of one server process.
type Metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	completions *prometheus.CounterVec
	step        prometheus.Histogram
}

// NewMetrics registers the API's metrics; the work item gauges are read
// from the database at scrape time, so every replica reports the same.
func NewMetrics(st *store.Store) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "conveyor_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "conveyor_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"method", "route"}),
		completions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "conveyor_completions_total", Help: "Work item completions by outcome.",
		}, []string{"outcome"}),
		step: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "conveyor_step_duration_seconds", Help: "Completion latency: update sent to next item written.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.completions, m.step, workItemGauges{st},
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

func (m *Metrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).Inc()
		m.latency.WithLabelValues(c.Request.Method, route).Observe(time.Since(start).Seconds())
	}
}

func (m *Metrics) completion(err error, took time.Duration) {
	if err != nil {
		m.completions.WithLabelValues("refused").Inc()
		return
	}
	m.completions.WithLabelValues("done").Inc()
	m.step.Observe(took.Seconds())
}

// workItemGauges reports open and overdue work items when scraped.
type workItemGauges struct{ st *store.Store }

var (
	openDesc    = prometheus.NewDesc("conveyor_work_items_open", "Open work items (attention or in progress).", nil, nil)
	overdueDesc = prometheus.NewDesc("conveyor_work_items_overdue", "Open work items past their deadline.", nil, nil)
)

func (g workItemGauges) Describe(ch chan<- *prometheus.Desc) { ch <- openDesc; ch <- overdueDesc }

func (g workItemGauges) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	open, overdue, err := g.st.CountOpenItems(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(openDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(openDesc, prometheus.GaugeValue, float64(open))
	ch <- prometheus.MustNewConstMetric(overdueDesc, prometheus.GaugeValue, float64(overdue))
}
