package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/conveyorhq/conveyor/identifiers"
	"github.com/conveyorhq/conveyor/limits"
	"github.com/conveyorhq/conveyor/processes"
	"github.com/conveyorhq/conveyor/refusal"
	"github.com/conveyorhq/conveyor/store"
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

// checkLimits lists the fields out of their bounds; creating, a name is
// required.
func (r *clientRequest) checkLimits(creating bool) limits.Checks {
	var c limits.Checks
	name := r.Name
	if creating && name == nil {
		name = new(string)
	}
	c.Add(limits.ClientName, "/name", name)
	c.Add(limits.Login, "/owner", r.Owner)
	c.AddEach(limits.Key, "/segments", r.Segments)
	c.AddEach(limits.Key, "/productGroups", r.ProductGroups)
	return c
}

// checkIdentifiers normalises the legal identifiers given and lists the
// invalid ones by their JSON path.
func (r *clientRequest) checkIdentifiers() []FieldError {
	var out []FieldError
	for _, f := range []struct {
		path  string
		value *string
		check func(string) error
	}{{"/inn", r.INN, identifiers.INN}, {"/kpp", r.KPP, identifiers.KPP}, {"/ogrn", r.OGRN, identifiers.OGRN}} {
		if f.value == nil || *f.value == "" {
			continue
		}
		*f.value = identifiers.Normalize(*f.value)
		if err := f.check(*f.value); err != nil {
			out = append(out, FieldError{Path: f.path, Message: err.Error()})
		}
	}
	return out
}

func (s *Server) listClients(c *gin.Context) {
	f := store.ClientFilter{Name: c.Query("q"), Owner: c.Query("owner"), Segment: c.Query("segment"),
		ProductGroup: c.Query("productGroup"), Sort: c.Query("sort"), Page: page(c)}
	items, next, err := s.Store.Clients(c.Request.Context(), viewer(currentUser(c)), f)
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[store.Client]{Items: items, Next: next})
}

// createClient: managers, supervisors and admins; the creator owns the
// client unless they name another owner, who must be below them (admins:
// anyone; see store.CreateClientFor).
func (s *Server) createClient(c *gin.Context) {
	if !requireRole(c, store.RoleManager, store.RoleSupervisor) {
		return
	}
	var req clientRequest
	if !bindJSON(c, &req) || outOfBounds(c, req.checkLimits(true)) {
		return
	}
	if bad := req.checkIdentifiers(); len(bad) > 0 {
		problem(c, http.StatusUnprocessableEntity, "invalid legal identifiers", bad...)
		return
	}
	me := currentUser(c)
	cl := store.Client{ID: processes.NewID(), Name: *req.Name, Owner: me.Login, INN: deref(req.INN), KPP: deref(req.KPP), OGRN: deref(req.OGRN)}
	if req.Owner != nil {
		cl.Owner = *req.Owner
	}
	if req.Segments != nil {
		cl.Segments = *req.Segments
	}
	if req.ProductGroups != nil {
		cl.ProductGroups = *req.ProductGroups
	}
	created, err := s.Store.CreateClientFor(c.Request.Context(), viewer(me), cl)
	if err != nil {
		s.failClient(c, err)
		return
	}
	c.JSON(http.StatusCreated, created)
}

// failClient names the field of a change the client rules refuse.
func (s *Server) failClient(c *gin.Context, err error) {
	var refused *store.Refused
	if !errors.As(err, &refused) {
		s.fail(c, err)
		return
	}
	status := http.StatusForbidden
	if errors.Is(err, refusal.ErrInvalid) {
		status = http.StatusUnprocessableEntity
	}
	problem(c, status, refused.Error(), FieldError{Path: "/" + refused.Field, Message: refused.Reason()})
}

func (s *Server) getClient(c *gin.Context) {
	cl, err := s.Store.Client(c.Request.Context(), viewer(currentUser(c)), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cl)
}

// patchClient: whoever may see a client may edit its name, identifiers and
// card; its owner, segments and product groups are for the owner, those
// above the owner and admins (see store.UpdateClient).
func (s *Server) patchClient(c *gin.Context) {
	var req clientRequest
	if !bindJSON(c, &req) || outOfBounds(c, req.checkLimits(false)) {
		return
	}
	if bad := req.checkIdentifiers(); len(bad) > 0 {
		problem(c, http.StatusUnprocessableEntity, "invalid legal identifiers", bad...)
		return
	}
	cl, err := s.Store.UpdateClient(c.Request.Context(), viewer(currentUser(c)), c.Param("id"), store.ClientPatch{
		Name: req.Name, INN: req.INN, KPP: req.KPP, OGRN: req.OGRN, Owner: req.Owner,
		Segments: req.Segments, ProductGroups: req.ProductGroups,
	})
	if err != nil {
		s.failClient(c, err)
		return
	}
	c.JSON(http.StatusOK, cl)
}

// clientProcesses lists a visible client's processes.
func (s *Server) clientProcesses(c *gin.Context) {
	v := viewer(currentUser(c))
	if err := s.Store.CanSeeClient(c.Request.Context(), v, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	items, next, err := s.Store.Processes(c.Request.Context(), v, store.ProcessFilter{Client: c.Param("id"), Page: page(c)})
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[store.Process]{Items: items, Next: next})
}

// clientWorkItems lists a visible client's work items.
func (s *Server) clientWorkItems(c *gin.Context) {
	v := viewer(currentUser(c))
	if err := s.Store.CanSeeClient(c.Request.Context(), v, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	items, next, err := s.Store.WorkItems(c.Request.Context(), v, store.ItemFilter{Client: c.Param("id"), State: c.Query("state"), Page: page(c)})
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[store.WorkItem]{Items: items, Next: next})
}

// clientAudit is a visible client's trail: every change to it, its card,
// its processes and their work items.
func (s *Server) clientAudit(c *gin.Context) {
	if err := s.Store.CanSeeClient(c.Request.Context(), viewer(currentUser(c)), c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	s.audit(c, store.AuditFilter{Client: c.Param("id"), Page: page(c)})
}

// listAudit is the whole log, for admins, filtered by actor, entity and
// time range (RFC 3339 `from`, `to`).
func (s *Server) listAudit(c *gin.Context) {
	if !requireRole(c) {
		return
	}
	f := store.AuditFilter{Actor: c.Query("actor"), Entity: c.Query("entity"), EntityID: c.Query("entityId"), Page: page(c)}
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
	s.audit(c, f)
}

func (s *Server) audit(c *gin.Context, f store.AuditFilter) {
	entries, next, err := s.Store.Audit(c.Request.Context(), f)
	if err != nil {
		s.failList(c, err)
		return
	}
	c.JSON(http.StatusOK, list[store.AuditEntry]{Items: entries, Next: next})
}
