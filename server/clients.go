package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/services"
)

type clientRequest struct {
	Name          *string   `json:"name"`
	INN           *string   `json:"inn"`
	KPP           *string   `json:"kpp"`
	OGRN          *string   `json:"ogrn"`
	Owner         *string   `json:"owner"`
	Segments      *[]string `json:"segments"`
	ProductGroups *[]string `json:"productGroups"`
}

func (r clientRequest) input() services.ClientInput {
	return services.ClientInput{Name: r.Name, INN: r.INN, KPP: r.KPP, OGRN: r.OGRN, Owner: r.Owner,
		Segments: r.Segments, ProductGroups: r.ProductGroups}
}

func (s *Server) listClients(c *gin.Context) {
	f := services.ClientFilter{Name: c.Query("q"), Owner: c.Query("owner"), Segment: c.Query("segment"),
		ProductGroup: c.Query("productGroup"), Sort: c.Query("sort"), Page: page(c)}
	items, next, err := s.Services.Clients(c.Request.Context(), currentUser(c), f)
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[services.Client]{Items: items, Next: next})
}

func (s *Server) createClient(c *gin.Context) {
	var req clientRequest
	if !bindJSON(c, &req) {
		return
	}
	created, err := s.Services.CreateClient(c.Request.Context(), currentUser(c), req.input())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, created)
}

func (s *Server) getClient(c *gin.Context) {
	cl, err := s.Services.Client(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cl)
}

func (s *Server) patchClient(c *gin.Context) {
	var req clientRequest
	if !bindJSON(c, &req) {
		return
	}
	cl, err := s.Services.UpdateClient(c.Request.Context(), currentUser(c), c.Param("id"), req.input())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cl)
}

func (s *Server) clientProcesses(c *gin.Context) {
	items, next, err := s.Services.ClientProcesses(c.Request.Context(), currentUser(c), c.Param("id"), page(c))
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[services.Process]{Items: items, Next: next})
}

func (s *Server) clientWorkItems(c *gin.Context) {
	items, next, err := s.Services.ClientWorkItems(c.Request.Context(), currentUser(c), c.Param("id"), c.Query("state"), page(c))
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[services.WorkItem]{Items: items, Next: next})
}

func (s *Server) clientAudit(c *gin.Context) {
	entries, next, err := s.Services.ClientAudit(c.Request.Context(), currentUser(c), c.Param("id"), page(c))
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[services.AuditEntry]{Items: entries, Next: next})
}

// listAudit is the whole log, for admins, filtered by actor, entity and
// time range (RFC 3339 `from`, `to`).
func (s *Server) listAudit(c *gin.Context) {
	f := services.AuditFilter{Actor: c.Query("actor"), Entity: c.Query("entity"), EntityID: c.Query("entityId"), Page: page(c)}
	for _, q := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := c.Query(q.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				problem(c, http.StatusBadRequest, q.name+" must be an RFC 3339 time", FieldError{Path: q.name, Message: err.Error()})
				return
			}
			*q.dst = &t
		}
	}
	entries, next, err := s.Services.Audit(c.Request.Context(), currentUser(c), f)
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[services.AuditEntry]{Items: entries, Next: next})
}
