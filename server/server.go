// Package server is Conveyor's HTTP API: thin Gin handlers that parse,
// authorize, call the store or the workflow, and map errors to problem
// details.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
)

// Server holds the API's dependencies. Besides its login rate limits (in
// its Services) it keeps no state: any number of replicas can serve the same database and
// Temporal cluster (each replica limits logins on its own).
type Server struct {
	// Services are the rules the handlers call: the API reads neither the
	// store nor Temporal itself.
	Services *services.Services
	Log      *slog.Logger
	Metrics  *Metrics
	// Pages, when set, add the web UI's routes (web.Pages) over the same
	// Services: the API itself knows nothing of the UI.
	Pages func(r *gin.Engine, svc *services.Services)
	// SecureCookies marks every cookie Secure and sends HSTS, for a server
	// behind a proxy that terminates TLS.
	SecureCookies bool
	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
	// MetricsApart leaves /metrics off the router: MetricsHandler serves
	// them on a listener of their own.
	MetricsApart bool
	// TrustedProxies are the addresses or CIDR ranges of the reverse proxies
	// whose X-Forwarded-For names the client (see ParseTrustedProxies);
	// none by default.
	TrustedProxies []string
}

// Handler builds the routes.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Client addresses (for login limits) come from the connection: trust
	// no X-Forwarded-For unless a deployment configures its proxies.
	s.trustProxies(r)
	r.Use(gin.Recovery(), s.Metrics.middleware())
	if s.SecureCookies {
		r.Use(secureTransport)
	}
	r.HandleMethodNotAllowed = true
	r.NoRoute(func(c *gin.Context) { problem(c, http.StatusNotFound, "no such endpoint") })
	r.NoMethod(func(c *gin.Context) { problem(c, http.StatusMethodNotAllowed, "method not allowed here") })

	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.ready)
	if !s.MetricsApart {
		s.metricsRoute(r)
	}

	api := r.Group("/api/v1")
	api.POST("/auth/token", s.login)
	api.GET("/schema/definition.json", s.definitionSchema)
	api.GET("/schema/view.json", s.viewSchema)
	api.GET("/openapi.json", s.openAPI)

	authed := api.Group("", s.authenticate)
	authed.DELETE("/auth/token", s.logout)
	authed.GET("/users", s.listUsers)
	authed.POST("/users", s.createUser)
	authed.GET("/users/:login", s.getUser)
	authed.PATCH("/users/:login", s.patchUser)

	authed.POST("/definitions", s.publishDefinition)
	authed.GET("/definitions", s.listDefinitions)
	authed.GET("/definitions/:id", s.getDefinition)
	authed.GET("/definitions/:id/versions/:version", s.getDefinitionVersion)

	authed.POST("/processes", s.startProcess)
	authed.GET("/processes", s.listProcesses)
	authed.GET("/processes/:id", s.getProcess)
	authed.POST("/processes/:id/cancel", s.cancelProcess)
	authed.POST("/processes/:id/move", s.moveProcess)

	authed.GET("/work-items", s.listWorkItems)
	authed.GET("/work-items/:id", s.getWorkItem)
	authed.POST("/work-items/:id/start", s.startWorkItem)
	authed.POST("/work-items/:id/complete", s.completeWorkItem)
	authed.POST("/work-items/:id/reassign", s.reassignWorkItem)

	authed.GET("/escalations", s.listEscalations)
	authed.GET("/analytics/funnel", s.funnel)
	authed.GET("/analytics/report", s.report)
	s.viewRoutes(authed)
	s.deskRoutes(authed)

	authed.GET("/teams", s.listTeams)
	authed.GET("/segments", s.listNodes(services.Segments))
	authed.POST("/segments", s.createNode(services.Segments))
	authed.PATCH("/segments/:id", s.patchNode(services.Segments))
	authed.GET("/product-groups", s.listNodes(services.ProductGroups))
	authed.POST("/product-groups", s.createNode(services.ProductGroups))
	authed.PATCH("/product-groups/:id", s.patchNode(services.ProductGroups))
	authed.GET("/users/:login/grants", s.getGrants)
	authed.PUT("/users/:login/absence", s.putAbsence)
	authed.DELETE("/users/:login/absence", s.deleteAbsence)
	authed.POST("/users/:login/transfer", s.transferPortfolio)
	authed.GET("/users/:login/sign-in-lock", s.getSignInLock)
	authed.DELETE("/users/:login/sign-in-lock", s.unlockSignIns)
	authed.PUT("/users/:login/grants", s.putGrants)

	authed.GET("/clients", s.listClients)
	authed.POST("/clients", s.createClient)
	authed.GET("/clients/:id", s.getClient)
	authed.PATCH("/clients/:id", s.patchClient)
	authed.GET("/clients/:id/processes", s.clientProcesses)
	authed.GET("/clients/:id/work-items", s.clientWorkItems)
	authed.GET("/clients/:id/audit", s.clientAudit)
	authed.GET("/audit", s.listAudit)
	s.cardRoutes(authed)

	if s.Pages != nil {
		s.Pages(r, s.Services)
	}
	return r
}

// ready answers 200 only when the database and Temporal both answer.
func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.Services.Ready(ctx); err != nil {
		what, _, _ := strings.Cut(err.Error(), ":")
		problem(c, http.StatusServiceUnavailable, what)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// list is the shape of every list: items and the cursor of the next page.
type list[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

func page(c *gin.Context) services.Page {
	p := services.Page{After: c.Query("after")}
	if n, err := strconv.Atoi(c.Query("limit")); err == nil {
		p.Limit = n
	}
	return p
}
