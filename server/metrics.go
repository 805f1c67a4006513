package server

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/conveyorhq/conveyor/services"
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
func NewMetrics(svc *services.Services) *Metrics {
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
	m.registry.MustRegister(m.requests, m.latency, m.completions, m.step, workItemGauges{svc},
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Labels come only from bounded sets: the route's template, never the
// path, and a method of HTTP's, never the one the client made up; else any
// client could create series without end.
func (m *Metrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		method := knownMethod(c.Request.Method)
		m.requests.WithLabelValues(method, route, strconv.Itoa(c.Writer.Status())).Inc()
		m.latency.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
	}
}

// knownMethod is method if HTTP defines it, else "OTHER".
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
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
type workItemGauges struct{ svc *services.Services }

var (
	openDesc    = prometheus.NewDesc("conveyor_work_items_open", "Open work items (attention or in progress).", nil, nil)
	overdueDesc = prometheus.NewDesc("conveyor_work_items_overdue", "Open work items past their deadline.", nil, nil)
)

func (g workItemGauges) Describe(ch chan<- *prometheus.Desc) { ch <- openDesc; ch <- overdueDesc }

func (g workItemGauges) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	open, overdue, err := g.svc.OpenItemCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(openDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(openDesc, prometheus.GaugeValue, float64(open))
	ch <- prometheus.MustNewConstMetric(overdueDesc, prometheus.GaugeValue, float64(overdue))
}

// metricsRoute serves /metrics, to a scraper that sends MetricsToken as
// its bearer token when one is set.
func (s *Server) metricsRoute(r gin.IRouter) {
	h := s.Metrics.Handler()
	want := []byte(s.MetricsToken)
	r.GET("/metrics", func(c *gin.Context) {
		if len(want) > 0 && subtle.ConstantTimeCompare([]byte(bearerToken(c)), want) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
			problem(c, http.StatusUnauthorized, "metrics need their bearer token")
			return
		}
		h.ServeHTTP(c.Writer, c.Request)
	})
}

// MetricsHandler serves only /metrics, for a listener of its own (with
// MetricsApart set, the API's router has none).
func (s *Server) MetricsHandler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	r.NoRoute(func(c *gin.Context) { problem(c, http.StatusNotFound, "only /metrics here") })
	s.metricsRoute(r)
	return r
}
